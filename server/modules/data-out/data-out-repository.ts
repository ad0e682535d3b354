import type { Knex } from 'knex';

/** A place in a log: the writing transaction's id (xid8, as text), then the row's id. */
export interface Mark {
  tx: string;
  id: number;
}

/** The logs the bank can read by cursor, and what a row of each carries. */
const LOGS = {
  interaction_events: `SELECT e.tx::text AS tx, e.id, e.interaction_id, i.customer_id, e.type, e.node, e.at, e.data
    FROM interaction_events e JOIN interactions i ON i.id = e.interaction_id`,
  case_events: `SELECT e.tx::text AS tx, e.id, e.case_id, c.case_no, c.customer_id, e.type, e.from_status, e.to_status, e.actor, e.at, e.data
    FROM case_events e JOIN complaints c ON c.id = e.case_id`,
} as const;
export type LogName = keyof typeof LOGS;

/** What a row of each log carries. */
export interface LogRows {
  interaction_events: { id: number; interaction_id: string; customer_id: number | null; type: string; node: string | null; at: Date; data: Record<string, unknown> };
  case_events: { id: number; case_id: number; case_no: string; customer_id: number | null; type: string; from_status: string | null; to_status: string | null; actor: string; at: Date; data: Record<string, unknown> };
}

/**
 * The next rows of a log after `after` (from the start when null), in (tx, id) order, taking only
 * rows whose transaction is older than every transaction still running: those are final, so a
 * reader that pages on from the last row it got never misses one that commits late and never sees
 * one twice. A row written a moment ago shows up once the transactions before it have ended.
 */
export async function rowsAfter<L extends LogName>(db: Knex, log: L, after: Mark | null, limit: number): Promise<(LogRows[L] & { tx: string })[]> {
  const from = after ?? { tx: '0', id: 0 };
  const { rows } = await db.raw(`${LOGS[log]}
    WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot()) AND (e.tx, e.id) > (?::xid8, ?)
    ORDER BY e.tx, e.id LIMIT ?`, [from.tx, from.id, limit]);
  return rows as (LogRows[L] & { tx: string })[];
}

export interface SubscriptionRow {
  id: number;
  url: string;
  secret: string;
  events: string[];
  description: string | null;
  active: boolean;
  created_by: number | null;
  created_at: Date;
}

export async function insertSubscription(db: Knex, row: Omit<SubscriptionRow, 'id' | 'active'>): Promise<SubscriptionRow> {
  const [created] = await db('webhook_subscriptions').insert(row).returning('*');
  return created as SubscriptionRow;
}

export async function listSubscriptions(db: Knex): Promise<(SubscriptionRow & { pending: number; dead: number; delivered: number })[]> {
  return db('webhook_subscriptions as s').orderBy('s.id').select('s.*',
    db.raw("(SELECT count(*)::int FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending') AS pending"),
    db.raw("(SELECT count(*)::int FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.state = 'dead') AS dead"),
    db.raw("(SELECT count(*)::int FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.state = 'delivered') AS delivered"));
}

export async function findSubscription(db: Knex, id: number): Promise<SubscriptionRow | undefined> {
  return db('webhook_subscriptions').where({ id }).first();
}

/** Ends a subscription: nothing more is queued for it, and what is pending is not sent. */
export async function deactivate(db: Knex, id: number): Promise<boolean> {
  const n = await db('webhook_subscriptions').where({ id, active: true }).update({ active: false });
  if (n > 0) await db('webhook_deliveries').where({ subscription_id: id, state: 'pending' }).update({ state: 'dead', last_error: 'subscription ended' });
  return n > 0;
}

export async function activeSubscriptions(db: Knex): Promise<SubscriptionRow[]> {
  return db('webhook_subscriptions').where({ active: true }).orderBy('id');
}

/** Whether any call event waits in the outbox: one read, without a transaction, on every sweep of every node. */
export async function outboxHasEvents(db: Knex): Promise<boolean> {
  return Boolean(await db('data_out_outbox').first('event_id'));
}

/**
 * Takes up to `limit` call events out of the outbox, oldest first, with what a delivery says of
 * them; SKIP LOCKED, so nodes fanning out at once take different events. Gone from the outbox when
 * the caller's transaction commits, with the deliveries it queued.
 */
export async function takeOutbox(trx: Knex, limit: number): Promise<LogRows['interaction_events'][]> {
  const { rows } = await trx.raw(`
    WITH taken AS (
      DELETE FROM data_out_outbox WHERE event_id IN (SELECT event_id FROM data_out_outbox ORDER BY event_id LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING event_id
    )
    SELECT e.id, e.interaction_id, i.customer_id, e.type, e.node, e.at, e.data
    FROM taken JOIN interaction_events e ON e.id = taken.event_id JOIN interactions i ON i.id = e.interaction_id
    ORDER BY e.id`, [limit]);
  return rows as LogRows['interaction_events'][];
}

export async function saveMark(trx: Knex, name: string, mark: Mark): Promise<void> {
  await trx('data_out_marks').insert({ name, tx: mark.tx, event_id: mark.id }).onConflict('name').merge();
}

/** A mark as it stands (no lock), or null when it was never set. */
export async function markOf(db: Knex, name: string): Promise<Mark | null> {
  const row = await db('data_out_marks').where({ name }).first(db.raw('tx::text AS tx'), 'event_id');
  return row ? { tx: row.tx as string, id: Number(row.event_id) } : null;
}

export interface NewDelivery {
  subscription_id: number;
  event_id: number;
  event: string;
  payload: Record<string, unknown>;
  next_attempt_at: Date;
  created_at: Date;
}

/** Rows per INSERT: six parameters each, well inside PostgreSQL's 65,535 whatever the subscriptions. */
const DELIVERY_CHUNK = 2000;

export async function insertDeliveries(trx: Knex, rows: NewDelivery[]): Promise<void> {
  for (let i = 0; i < rows.length; i += DELIVERY_CHUNK) {
    await trx('webhook_deliveries').insert(rows.slice(i, i + DELIVERY_CHUNK).map((r) => ({ ...r, payload: JSON.stringify(r.payload) })))
      .onConflict(['subscription_id', 'event_id']).ignore();
  }
}

export interface DeliveryRow {
  id: number;
  subscription_id: number;
  event_id: number;
  event: string;
  payload: Record<string, unknown>;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

/**
 * Due deliveries, claimed: each one's next attempt is moved to `leaseUntil` in the same statement,
 * so another node (or this one, if it dies mid-send) tries it again only after that.
 */
export async function claimDue(db: Knex, now: Date, leaseUntil: Date, limit: number): Promise<(DeliveryRow & { url: string; secret: string })[]> {
  const { rows } = await db.raw(`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d
      WHERE d.state = 'pending' AND d.next_attempt_at <= ?
        AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = d.subscription_id AND s.active)
      ORDER BY d.next_attempt_at, d.id LIMIT ? FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries d SET next_attempt_at = ?, attempts = d.attempts + 1
    FROM due, webhook_subscriptions s
    WHERE d.id = due.id AND s.id = d.subscription_id
    RETURNING d.*, s.url, s.secret`, [now, limit, leaseUntil]);
  return rows as (DeliveryRow & { url: string; secret: string })[];
}

/** Records an attempt's outcome, or a resend, on a delivery still in `from` (one dead-lettered meanwhile by its subscription's end stays so). */
export async function settleDelivery(db: Knex, id: number, from: DeliveryRow['state'], change: Partial<Pick<DeliveryRow, 'state' | 'next_attempt_at' | 'last_status' | 'last_error' | 'delivered_at' | 'attempts'>>): Promise<void> {
  await db('webhook_deliveries').where({ id, state: from }).update(change);
}

export async function findDelivery(db: Knex, id: number): Promise<DeliveryRow | undefined> {
  return db('webhook_deliveries').where({ id }).first();
}

export async function listDeliveries(db: Knex, subscriptionId: number, state: DeliveryRow['state'] | undefined, limit: number): Promise<DeliveryRow[]> {
  const q = db('webhook_deliveries').where({ subscription_id: subscriptionId }).orderBy('id', 'desc').limit(limit);
  if (state) q.where({ state });
  return q;
}
