import argon2 from 'argon2';
import type { Knex } from 'knex';

/** Enrols (or resets) a customer's phone-banking PIN: a new hash, failures cleared, unlocked. */
export async function setPhonePin(db: Knex, customerId: number, pin: string): Promise<void> {
  if (!/^\d{6}$/.test(pin)) throw new RangeError('a phone-banking PIN is 6 digits');
  const pin_hash = await argon2.hash(pin, { type: argon2.argon2id });
  await db('phone_pins').insert({ customer_id: customerId, pin_hash, failures: 0, locked_at: null, updated_at: new Date() })
    .onConflict('customer_id').merge();
}
