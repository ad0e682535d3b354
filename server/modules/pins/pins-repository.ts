import type { Knex } from 'knex';

export type LockCause = 'failures' | 'admin';

export interface PinRow {
  customer_id: number;
  pin_hash: string;
  failures: number;
  locked_at: Date | null;
  lock_cause: LockCause | null;
  source: string | null;
  updated_at: Date;
}

export async function findPin(db: Knex, customerId: number, opts: { lock?: boolean } = {}): Promise<PinRow | undefined> {
  const q = db('phone_pins').where({ customer_id: customerId });
  if (opts.lock) q.forUpdate();
  return q.first();
}

/** Enrols or replaces the PIN hash: failures cleared, unlocked. */
export async function upsertPinHash(db: Knex, customerId: number, pinHash: string, source: string, at: Date): Promise<void> {
  await db('phone_pins').insert({ customer_id: customerId, pin_hash: pinHash, failures: 0, locked_at: null, lock_cause: null, source, updated_at: at })
    .onConflict('customer_id').merge();
}

/** The stored hashes of these customers' PINs, locked for the transaction. */
export async function pinHashes(trx: Knex, customerIds: number[]): Promise<Map<number, string>> {
  const rows: { customer_id: number; pin_hash: string }[] = await trx('phone_pins').whereIn('customer_id', customerIds).forUpdate().select('customer_id', 'pin_hash');
  return new Map(rows.map((r) => [r.customer_id, r.pin_hash]));
}

export async function setPinState(db: Knex, customerId: number, s: { failures: number; locked_at: Date | null; lock_cause: LockCause | null }, at: Date): Promise<void> {
  await db('phone_pins').where({ customer_id: customerId }).update({ ...s, updated_at: at });
}

export async function deletePin(db: Knex, customerId: number): Promise<void> {
  await db('phone_pins').where({ customer_id: customerId }).delete();
}

export async function isCustomerPhone(db: Knex, customerId: number, phone: string): Promise<boolean> {
  return (await db('customer_phones').where({ customer_id: customerId, phone }).first('id')) !== undefined;
}

/**
 * Serialises the account-path checks of one calling number: two calls from one number at once
 * cannot both read "N-1 failures" and both try.
 */
export async function lockCallingNumber(trx: Knex, ani: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`pin-foreign:${ani}`]);
}

/** Account-path failures since `since`, by the calling number and against the customer. */
export async function countForeignFailures(db: Knex, q: { ani: string; customerId: number; since: Date }): Promise<{ byNumber: number; byCustomer: number }> {
  const [byNumber, byCustomer] = await Promise.all([
    db('pin_foreign_failures').where('ani', q.ani).andWhere('at', '>', q.since).count<{ n: string }[]>('* as n').first(),
    db('pin_foreign_failures').where('customer_id', q.customerId).andWhere('at', '>', q.since).count<{ n: string }[]>('* as n').first(),
  ]);
  return { byNumber: Number(byNumber?.n ?? 0), byCustomer: Number(byCustomer?.n ?? 0) };
}

export async function recordForeignFailure(db: Knex, f: { ani: string; customerId: number; at: Date }): Promise<void> {
  await db('pin_foreign_failures').insert({ ani: f.ani, customer_id: f.customerId, at: f.at });
}

/** Forgets failures older than `before`: they no longer count in any window. */
export async function purgeForeignFailures(db: Knex, before: Date): Promise<void> {
  await db('pin_foreign_failures').where('at', '<', before).delete();
}

export async function customerExists(db: Knex, customerId: number): Promise<boolean> {
  return (await db('customers').where({ id: customerId }).first('id')) !== undefined;
}
