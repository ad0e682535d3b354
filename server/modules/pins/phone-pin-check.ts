import argon2 from 'argon2';
import type { Knex } from 'knex';
import * as repo from './pins-repository.js';

/** Wrong PINs in a row before the phone PIN locks (the caller is then sent to the security desk). */
export const PIN_MAX_FAILURES = 3;

/** How wrong PINs from a number that is not the customer's own are held back (PIN_FOREIGN_*). */
export interface ForeignLimits {
  /** Wrong PINs one calling number may make on the account-number path in the window, against anyone. */
  perNumber: number;
  /** Wrong PINs against one customer from numbers not theirs in the window: a backstop against many numbers. */
  perCustomer: number;
  windowMinutes: number;
}

export const DEFAULT_FOREIGN_LIMITS: ForeignLimits = { perNumber: 3, perCustomer: 10, windowMinutes: 60 };

export type PinCheck = 'ok' | 'wrong' | 'locked' | 'no_pin' | 'throttled';

/**
 * Checks a phone-banking PIN, on the webhook's transaction. Identified by their own number (or a
 * card on it), wrong PINs count towards the customer's lock. Identified by an account number typed
 * from a number that is not one of that customer's phones, they do not: a stranger who knows an
 * account number could otherwise lock its owner out at will. Those failures are counted per calling
 * number instead, and past the limit that number gets no more tries (nor does anyone against a
 * customer many numbers have tried) until the window has passed. The owner, calling from their
 * own phone, is never held back by them.
 */
export async function checkPhonePin(
  trx: Knex,
  c: { customerId: number; pin: string; ani: string; via: string | null; limits: ForeignLimits; now: Date },
): Promise<PinCheck> {
  const row = await repo.findPin(trx, c.customerId, { lock: true });
  if (!row) return 'no_pin';
  if (row.locked_at) return 'locked';
  const foreign = c.via === 'account' && !(await repo.isCustomerPhone(trx, c.customerId, c.ani));
  if (foreign) {
    await repo.lockCallingNumber(trx, c.ani);
    const since = new Date(c.now.getTime() - c.limits.windowMinutes * 60_000);
    const counts = await repo.countForeignFailures(trx, { ani: c.ani, customerId: c.customerId, since });
    // Refused before the PIN is checked: a held-back number learns nothing, not even a right PIN.
    if (counts.byNumber >= c.limits.perNumber || counts.byCustomer >= c.limits.perCustomer) return 'throttled';
    if (await argon2.verify(row.pin_hash, c.pin)) return 'ok';
    await repo.recordForeignFailure(trx, { ani: c.ani, customerId: c.customerId, at: c.now });
    return counts.byNumber + 1 >= c.limits.perNumber ? 'throttled' : 'wrong';
  }
  if (await argon2.verify(row.pin_hash, c.pin)) {
    if (row.failures > 0) await repo.setPinState(trx, c.customerId, { failures: 0, locked_at: null, lock_cause: null }, c.now);
    return 'ok';
  }
  const failures = row.failures + 1;
  const locked = failures >= PIN_MAX_FAILURES;
  await repo.setPinState(trx, c.customerId, { failures, locked_at: locked ? c.now : null, lock_cause: locked ? 'failures' : null }, c.now);
  return locked ? 'locked' : 'wrong';
}
