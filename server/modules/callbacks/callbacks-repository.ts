import type { Knex } from 'knex';
import type { CallbackState } from './callbacks-schemas.js';

export interface CallbackRow {
  id: string; // bigint
  customer_id: number | null;
  phone: string;
  from_number: string | null;
  reason: string;
  skill: string;
  tier: string;
  language: string;
  timezone: string;
  priority: number;
  ivr: Record<string, unknown>;
  interaction_id: string | null;
  place_since: Date;
  due_at: Date;
  state: CallbackState;
  source: 'ivr' | 'agent' | 'api';
  attempts: number;
  last_outcome: string | null;
  requested_by: number | null;
  target_agent_id: number | null;
  entry_id: string | null;
  dialed_at: Date | null;
  created_at: Date;
  closed_at: Date | null;
}

export type NewCallback = Pick<CallbackRow, 'customer_id' | 'phone' | 'from_number' | 'reason' | 'skill' | 'tier' | 'language' | 'timezone' | 'priority' | 'ivr' | 'interaction_id' | 'place_since' | 'due_at' | 'source' | 'requested_by' | 'target_agent_id'>;

export async function insertCallback(trx: Knex, c: NewCallback): Promise<string> {
  const [row] = await trx('callback_requests').insert({ ...c, ivr: JSON.stringify(c.ivr), state: 'scheduled' }).returning('id');
  return String((row as { id: string }).id);
}

export async function findCallback(db: Knex, id: string, lock = false): Promise<CallbackRow | undefined> {
  const q = db('callback_requests').where({ id });
  if (lock) q.forUpdate();
  return q.first();
}

export async function updateCallback(trx: Knex, id: string, change: Partial<CallbackRow>): Promise<void> {
  await trx('callback_requests').where({ id }).update({ ...change, updated_at: new Date() });
}

/** A callback still owed to this number for this skill: asking twice keeps one request, in the earlier place. */
export async function openCallbackFor(trx: Knex, phone: string, skill: string): Promise<CallbackRow | undefined> {
  return trx('callback_requests').where({ phone, skill }).whereIn('state', ['scheduled', 'queued', 'dialing']).orderBy('place_since').forUpdate().first();
}

/** Scheduled callbacks whose time has come, oldest first; SKIP LOCKED, so nodes promote different ones. */
export async function dueCallbacks(trx: Knex, now: Date, limit: number): Promise<CallbackRow[]> {
  return trx('callback_requests').where({ state: 'scheduled' }).where('due_at', '<=', now).orderBy('due_at').limit(limit).forUpdate().skipLocked();
}

/** Callbacks being dialled that Twilio never reported an answer or an end for. */
export async function lostDials(db: Knex, before: Date, limit: number): Promise<CallbackRow[]> {
  return db('callback_requests').where({ state: 'dialing' }).where('dialed_at', '<', before).limit(limit);
}

export async function listCallbacks(db: Knex, q: { states?: readonly string[]; skill?: string; customer_id?: number; limit: number }): Promise<CallbackRow[]> {
  const query = db('callback_requests').orderBy([{ column: 'due_at' }, { column: 'id' }]).limit(q.limit);
  if (q.states) query.whereIn('state', q.states);
  if (q.skill) query.where({ skill: q.skill });
  if (q.customer_id !== undefined) query.where({ customer_id: q.customer_id });
  return query;
}

/** Callbacks still owed, per skill and tier: how many, how many due now, and the oldest place. */
export async function callbackBacklog(db: Knex, now: Date) {
  return db('callback_requests').whereIn('state', ['scheduled', 'queued', 'dialing']).groupBy('skill', 'tier').orderBy(['skill', 'tier'])
    .select('skill', 'tier',
      db.raw('COUNT(*)::int AS open'),
      db.raw(`COUNT(*) FILTER (WHERE state <> 'scheduled' OR due_at <= ?)::int AS due_now`, [now]),
      db.raw('MIN(place_since) AS oldest_since'));
}
