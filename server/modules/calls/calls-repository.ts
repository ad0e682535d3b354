import type { Knex } from 'knex';
import type { IvrSession } from '../../../ivr/engine.js';

export interface CallRow {
  sid: string;
  interaction_id: string;
  direction: string;
  from_number: string;
  to_number: string;
  flow: string;
  status: string;
  status_seq: number;
  step: number;
  ivr_session: IvrSession;
  queue_sid: string | null;
  created_at: Date;
  ended_at: Date | null;
}

/** The bank's own number on a call, what its other legs show as caller ID: the hotline dialled, or a campaign's caller ID. */
export const bankNumber = (c: Pick<CallRow, 'direction' | 'from_number' | 'to_number'>) => (c.direction.startsWith('outbound') ? c.from_number : c.to_number);

/**
 * Serialises everything done for one call: Twilio may deliver a retry or a status callback
 * while the previous webhook of the same call is still being handled, on another node.
 */
export async function lockCall(trx: Knex, sid: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [sid]);
}

export async function findCall(trx: Knex, sid: string): Promise<CallRow | undefined> {
  return trx('calls').where({ sid }).first();
}

export async function insertCall(trx: Knex, row: Omit<CallRow, 'created_at' | 'ended_at' | 'status_seq' | 'queue_sid' | 'step'>): Promise<void> {
  await trx('calls').insert({ ...row, ivr_session: JSON.stringify(row.ivr_session) });
}

export async function updateCall(trx: Knex, sid: string, change: Partial<Pick<CallRow, 'status' | 'status_seq' | 'step' | 'ivr_session' | 'queue_sid' | 'ended_at'>>): Promise<void> {
  const { ivr_session, ...rest } = change;
  await trx('calls').where({ sid }).update({ ...rest, ...(ivr_session ? { ivr_session: JSON.stringify(ivr_session) } : {}) });
}

export async function findReply(trx: Knex, key: string): Promise<string | undefined> {
  const row = await trx('webhook_replies').where({ key }).first('body');
  return row?.body as string | undefined;
}

export async function saveReply(trx: Knex, key: string, callSid: string, body: string, turn: boolean): Promise<void> {
  await trx('webhook_replies').insert({ key, call_sid: callSid, status: 200, body, turn });
}

/** The last TwiML that steered this call: the answer to a stale duplicate of an earlier turn. */
export async function latestReply(trx: Knex, callSid: string): Promise<string | undefined> {
  const row = await trx('webhook_replies').where({ call_sid: callSid, turn: true }).orderBy('id', 'desc').first('body');
  return row?.body as string | undefined;
}

/**
 * Stored replies can hold what the IVR read out (balances, names): once a call has ended and
 * Twilio can no longer retry its requests, they are deleted. A live call keeps them all (a stale
 * duplicate of an earlier turn is answered from them).
 */
export async function purgeReplies(db: Knex, endedBefore: Date): Promise<number> {
  const { rowCount } = await db.raw('DELETE FROM webhook_replies r USING calls c WHERE r.call_sid = c.sid AND c.ended_at < ?', [endedBefore]);
  return rowCount ?? 0;
}

/** Calls still open that started before `before` and were not looked up in Twilio since: the settle sweep's batch, oldest first. */
export async function callsToSettle(db: Knex, before: Date, limit: number): Promise<Pick<CallRow, 'sid' | 'from_number' | 'to_number' | 'direction' | 'flow'>[]> {
  return db('calls').whereNull('ended_at').where('created_at', '<', before)
    .where((q) => q.whereNull('settle_checked_at').orWhere('settle_checked_at', '<', before)).orderBy('created_at').limit(limit)
    .select('sid', 'from_number', 'to_number', 'direction', 'flow');
}

export async function markSettleChecked(db: Knex, sid: string, at: Date): Promise<void> {
  await db('calls').where({ sid }).update({ settle_checked_at: at });
}

/** The owner an outbound call was placed for, and its reference: a campaign's dial attempt, a callback's queue entry. */
export async function outboundOwnerOf(trx: Knex, c: Pick<CallRow, 'sid' | 'flow'>): Promise<{ purpose: 'campaign' | 'callback'; ref: string } | undefined> {
  if (c.flow === 'campaign') {
    const a = await trx('dial_attempts').where({ call_sid: c.sid }).first('id');
    return a ? { purpose: 'campaign', ref: String(a.id) } : undefined;
  }
  if (c.flow === 'callback') {
    const e = await trx('queue_entries').where({ call_sid: c.sid }).whereNotNull('callback_id').orderBy('id', 'desc').first('id');
    return e ? { purpose: 'callback', ref: String(e.id) } : undefined;
  }
  return undefined;
}
