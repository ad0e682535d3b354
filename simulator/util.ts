import { randomBytes, randomUUID } from 'node:crypto';
import type { FormParams } from './types.js';

export { encodeForm, parseForm } from '../server/lib/form.js';

/** A SID shaped like Twilio's: two-letter prefix + 32 lowercase hex digits. */
export const newSid = (prefix: 'AC' | 'CA' | 'QU' | 'CF' | 'RE' | 'MZ' | 'GT'): string => prefix + randomBytes(16).toString('hex');

export const newIdempotencyToken = (): string => randomUUID();

/** Twilio's REST dates: "Fri, 18 Oct 2019 17:00:00 +0000". */
export const rfc2822 = (d: Date): string => d.toUTCString().replace(/GMT$/, '+0000');

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Deferred<T> { promise: Promise<T>; resolve: (v: T) => void }
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

/**
 * A gather whose action URL says `secret=1` collects a secret (a PIN). Twilio's TwiML has no such
 * attribute, so the app marks the URL; the simulator then keeps no record of the keys.
 */
export const isSecretUrl = (url: string): boolean => /[?&]secret=1(?:&|#|$)/.test(url);

/**
 * The simulator's record of exchanges: an array (tests filter and find in it) that keeps only the
 * latest `capacity` entries, so a simulator left running does not grow without bound.
 */
export class BoundedLog<T> extends Array<T> {
  static override get [Symbol.species]() { return Array; }
  private capacity = Infinity;
  static withCapacity<T>(capacity: number): BoundedLog<T> {
    const log = new BoundedLog<T>();
    log.capacity = capacity;
    return log;
  }
  override push(...items: T[]): number {
    super.push(...items);
    if (this.length > this.capacity) this.splice(0, this.length - this.capacity);
    return this.length;
  }
}

export const first = (params: FormParams, key: string): string | undefined => {
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
};

export const all = (params: FormParams, key: string): string[] => {
  const v = params[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** Twilio sends FromCountry/ToCountry; a few prefixes are enough for a bank hotline. */
export function countryOf(number: string): string | undefined {
  if (number.startsWith('+86')) return 'CN';
  if (number.startsWith('+852')) return 'HK';
  if (number.startsWith('+1')) return 'US';
  if (number.startsWith('+44')) return 'GB';
  return undefined;
}

/** "(305) 141-6799" for NANP numbers, as Twilio formats them; others unchanged. */
export function formatNumber(number: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : number;
}

/** Resolves a TwiML URL (possibly relative) against the document it came from. */
export function resolveUrl(url: string, base: string | undefined): string {
  // An absolute URL is kept byte for byte: it is what gets signed, and URL() would re-encode it.
  if (/^https?:\/\//i.test(url)) return url;
  try {
    return new URL(url, base).toString();
  } catch {
    return url;
  }
}
