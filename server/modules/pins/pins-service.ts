import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { recordAudit } from '../audit/audit-repository.js';
import * as repo from './pins-repository.js';
import type { PinStatus } from './pins-schemas.js';

// Costs a hash from a feed may carry: argon2 is slow on purpose, and a hash is work the IVR does on
// every PIN typed, so one made with a huge memory or time cost would stall the webhooks. The PHC
// string's parameters come in either order (m,t,p from the reference tool; m,p,t from node's argon2).
const ARGON2ID = /^\$argon2id\$v=19\$([mtp]=\d{1,7},[mtp]=\d{1,7},[mtp]=\d{1,7})\$[A-Za-z0-9+/]{11,88}\$[A-Za-z0-9+/]{16,172}$/;
const MAX_MEMORY_KIB = 262_144;
const MAX_TIME = 10;

export function assertPinHash(hash: string): void {
  const m = ARGON2ID.exec(hash);
  const p = new Map((m?.[1] ?? '').split(',').map((kv) => [kv.slice(0, 1), Number(kv.slice(2))] as const));
  const [memory, time, lanes] = [p.get('m') ?? 0, p.get('t') ?? 0, p.get('p') ?? 0];
  if (!m || p.size !== 3 || memory < 8 || memory > MAX_MEMORY_KIB || time < 1 || time > MAX_TIME || lanes < 1 || lanes > 16) {
    throw appError('SB_ERR_PIN_HASH_INVALID');
  }
}

export const pinStatusOf = (row: Pick<repo.PinRow, 'failures' | 'locked_at' | 'lock_cause' | 'updated_at'> | null | undefined): PinStatus => ({
  enrolled: Boolean(row),
  locked: Boolean(row?.locked_at),
  locked_at: row?.locked_at ? new Date(row.locked_at).toISOString() : null,
  lock_cause: row?.locked_at ? row.lock_cause ?? 'failures' : null,
  failures: row?.failures ?? 0,
  updated_at: row ? new Date(row.updated_at).toISOString() : null,
});

interface Actor { user: TokenClaims; ip?: string }

/** The phone-banking PIN's life: enrolment from a hash made at source, staff unlock, lock and reset, each audited. */
export function createPinsService(deps: { db: Knex; now?: () => Date }) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());

  async function withPin<T>(customerId: number, fn: (trx: Knex, row: repo.PinRow) => Promise<T>): Promise<T> {
    return db.transaction(async (trx) => {
      if (!(await repo.customerExists(trx, customerId))) throw appError('SB_ERR_CUSTOMER_NOT_FOUND');
      const row = await repo.findPin(trx, customerId, { lock: true });
      if (!row) throw appError('SB_ERR_PIN_NOT_ENROLLED');
      return fn(trx, row);
    });
  }

  return {
    async status(customerId: number): Promise<PinStatus> {
      if (!(await repo.customerExists(db, customerId))) throw appError('SB_ERR_CUSTOMER_NOT_FOUND');
      return pinStatusOf(await repo.findPin(db, customerId));
    },

    /** Sets the customer's PIN from a hash made at source (the feed's path): unlocked, no failures. */
    async enrol(customerId: number, pinHash: string, by: Actor): Promise<PinStatus> {
      assertPinHash(pinHash);
      const now = clock();
      await db.transaction(async (trx) => {
        if (!(await repo.customerExists(trx, customerId))) throw appError('SB_ERR_CUSTOMER_NOT_FOUND');
        const before = await repo.findPin(trx, customerId, { lock: true });
        await repo.upsertPinHash(trx, customerId, pinHash, 'feed', now);
        await recordAudit(trx, { actor: by.user, action: 'pin.enrol', customer_id: customerId, purpose: 'feed', ip: by.ip, details: { replaced: Boolean(before) } });
      });
      return pinStatusOf(await repo.findPin(db, customerId));
    },

    /**
     * A feed's PINs (hashes made at source), in the feed's transaction: a hash that differs from the
     * stored one is a new PIN, enrolled unlocked and audited; the same hash again (a file sent twice)
     * changes nothing, so a rerun never unlocks a PIN that failures locked. Returns what it wrote.
     */
    async enrolFromFeed(trx: Knex, rows: { customer_id: number; pin_hash: string }[], runId: number): Promise<{ customer_id: number; inserted: boolean }[]> {
      const now = clock();
      const stored = await repo.pinHashes(trx, rows.map((r) => r.customer_id));
      const written: { customer_id: number; inserted: boolean }[] = [];
      for (const r of rows) {
        const before = stored.get(r.customer_id);
        if (before === r.pin_hash) continue;
        await repo.upsertPinHash(trx, r.customer_id, r.pin_hash, 'feed', now);
        written.push({ customer_id: r.customer_id, inserted: before === undefined });
      }
      if (written.length) {
        // Who started the run is on the run (feed_runs.started_by; none for a scheduled one).
        await recordAudit(trx, written.map((w) => ({ action: 'pin.enrol' as const, customer_id: w.customer_id, purpose: 'feed' as const, details: { replaced: !w.inserted, feed_run_id: runId } })));
      }
      return written;
    },

    /** Unlocks a locked PIN after the customer's identity was checked another way. */
    async unlock(customerId: number, reason: string, by: Actor): Promise<PinStatus> {
      const now = clock();
      await withPin(customerId, async (trx, row) => {
        if (!row.locked_at) throw appError('SB_ERR_PIN_NOT_LOCKED');
        await repo.setPinState(trx, customerId, { failures: 0, locked_at: null, lock_cause: null }, now);
        await recordAudit(trx, { actor: by.user, action: 'pin.unlock', customer_id: customerId, ip: by.ip, details: { reason, was_locked_at: new Date(row.locked_at).toISOString(), lock_cause: row.lock_cause ?? 'failures' } });
      });
      return pinStatusOf(await repo.findPin(db, customerId));
    },

    /** Locks the PIN at once (suspected fraud, or the customer asks). */
    async lock(customerId: number, reason: string, by: Actor): Promise<PinStatus> {
      const now = clock();
      await withPin(customerId, async (trx, row) => {
        if (row.locked_at) throw appError('SB_ERR_PIN_LOCKED');
        await repo.setPinState(trx, customerId, { failures: row.failures, locked_at: now, lock_cause: 'admin' }, now);
        await recordAudit(trx, { actor: by.user, action: 'pin.lock', customer_id: customerId, ip: by.ip, details: { reason } });
      });
      return pinStatusOf(await repo.findPin(db, customerId));
    },

    /** Removes the PIN: the IVR sends the customer to an agent until a new one is enrolled. */
    async reset(customerId: number, reason: string, by: Actor): Promise<PinStatus> {
      await withPin(customerId, async (trx, row) => {
        await repo.deletePin(trx, customerId);
        await recordAudit(trx, { actor: by.user, action: 'pin.reset', customer_id: customerId, ip: by.ip, details: { reason, was_locked: Boolean(row.locked_at) } });
      });
      return pinStatusOf(null);
    },

    purgeForeignFailures: (windowMinutes: number) => repo.purgeForeignFailures(db, new Date(clock().getTime() - windowMinutes * 60_000)),
  };
}

export type PinsService = ReturnType<typeof createPinsService>;
