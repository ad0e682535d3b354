import { appError } from '../errors.js';

import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Normalises what an agent or a feed types into E.164. Twilio always sends E.164; people type
 * "138 0000 0001", "0086-138…", "010 6552 8888" or "+86 138…". Without a country code a number is
 * read as the bank's home market (mainland China: mobiles, and landlines with their area code);
 * a foreign number must carry its code ("+44 20 …" or "0044 20 …"). libphonenumber-js knows each
 * country's lengths and ranges, which no regex here did.
 */
export function normalizePhone(input: string): string {
  let s = input.trim();
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  const parsed = /[a-z]/i.test(s) ? undefined : parsePhoneNumberFromString(s, 'CN');
  // Mainland numbers must be in a real range; a foreign one need only have its country's length
  // (ranges abroad change faster than our copy of them, and reserved test ranges are real enough).
  const ok = parsed && (parsed.countryCallingCode === '86' ? parsed.isValid() : parsed.isPossible());
  if (!parsed || !ok || !E164.test(parsed.number)) {
    throw appError('SB_ERR_PHONE_INVALID', `Not a valid phone number: ${maskPhone(input.slice(0, 32))}`);
  }
  return parsed.number;
}

export const isE164 = (s: string) => E164.test(s);

// The caller IDs carriers pass through Twilio for a withheld number: the words spelt on a keypad
// (ANONYMOUS, RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE), besides the literal "anonymous".
const WITHHELD = new Set(['+266696687', '+7378742833', '+2562533', '+8656696', '+86282452253']);

/** Whether a caller's number can be called back: E.164, and not one of the withheld markers. */
export function isDialable(from: string): boolean {
  return E164.test(from) && !WITHHELD.has(from);
}

/** +8613812345678 -> +86 138****5678; keeps enough for the caller to recognise, not to dial. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  if (phone.startsWith('+86') && digits.length === 13) return `+86 ${digits.slice(2, 5)}****${digits.slice(-4)}`;
  return `${phone.startsWith('+') ? '+' : ''}${digits.slice(0, Math.min(4, digits.length - 6))}${'*'.repeat(digits.length - 4 - Math.min(4, digits.length - 6))}${digits.slice(-4)}`;
}
