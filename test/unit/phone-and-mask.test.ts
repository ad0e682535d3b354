import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { maskAccountNo, maskEmail, maskIdNumber } from '../../server/lib/mask.js';
import { maskPhone, normalizePhone } from '../../server/lib/phone.js';

describe('normalizePhone', () => {
  it.each([
    ['+8613800000001', '+8613800000001'],
    ['138 0000 0001', '+8613800000001'],
    ['0086-138-0000-0001', '+8613800000001'],
    ['+44 7700 900005', '+447700900005'],
    // A mainland landline with its area code (Guangzhou 020), read as the home market.
    ['020 1234 5678', '+862012345678'],
    ['010-6552 8888', '+861065528888'],
  ])('%s -> %s', (input, expected) => expect(normalizePhone(input)).toBe(expected));

  it.each(['hello', '12345', '+0123456789', '+86 138 0000 0001 2345 6789', '1380000000', '+86 199'])('rejects %s with SB_ERR_PHONE_INVALID', (input) => {
    try {
      normalizePhone(input);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('SB_ERR_PHONE_INVALID');
    }
  });
});

describe('masking', () => {
  it('shows a mainland mobile as prefix and last 4 only', () => expect(maskPhone('+8613812345678')).toBe('+86 138****5678'));
  it('masks foreign numbers to the last 4', () => expect(maskPhone('+447700900005')).toMatch(/^\+\d{4}\*+0005$/));
  it('keeps 4 + 4 of an 18-digit resident ID', () => expect(maskIdNumber('110101199003071234')).toBe('1101**********1234'));
  it('masks passports', () => expect(maskIdNumber('E12345678')).toBe('E*****678'));
  it('shows only the last 4 of an account', () => expect(maskAccountNo('6222020200112233')).toBe('****2233'));
  it('masks e-mail local parts', () => expect(maskEmail('wang.jianguo@example.com')).toBe('w***@example.com'));
});
