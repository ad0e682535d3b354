import argon2 from 'argon2';
import type { Knex } from 'knex';
import { upsertPinHash } from './pins-repository.js';

/**
 * Sets a customer's phone-banking PIN from the PIN itself: the synthetic bank's demo callers and
 * `npm run pin:demo-reset`. A bank's PINs arrive hashed at source (PUT /api/customers/:id/pin).
 */
export async function setPhonePin(db: Knex, customerId: number, pin: string, source: 'seed' | 'cli' = 'seed'): Promise<void> {
  if (!/^\d{6}$/.test(pin)) throw new RangeError('a phone-banking PIN is 6 digits');
  await upsertPinHash(db, customerId, await argon2.hash(pin, { type: argon2.argon2id }), source, new Date());
}
