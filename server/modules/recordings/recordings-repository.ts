import type { Knex } from 'knex';

export type RecordingStatus = 'in-progress' | 'paused' | 'completed' | 'absent' | 'deleted';

export interface RecordingRow {
  sid: string;
  interaction_id: string;
  call_sid: string;
  status: RecordingStatus;
  paused_why: 'agent' | 'secure_input' | null;
  channels: number | null;
  duration_s: number | null;
  started_at: Date;
  completed_at: Date | null;
  deleted_at: Date | null;
  deleted_why: string | null;
}

export async function findRecording(db: Knex, sid: string, opts: { lock?: boolean } = {}): Promise<RecordingRow | undefined> {
  const q = db('recordings').where({ sid }).first();
  if (opts.lock) q.forUpdate();
  return q;
}

export async function insertRecording(db: Knex, row: Pick<RecordingRow, 'sid' | 'interaction_id' | 'call_sid' | 'status' | 'channels' | 'started_at'>): Promise<boolean> {
  const inserted = await db('recordings').insert(row).onConflict('sid').ignore().returning('sid');
  return inserted.length > 0;
}

export async function updateRecording(db: Knex, sid: string, change: Partial<Omit<RecordingRow, 'sid' | 'interaction_id' | 'call_sid'>>): Promise<void> {
  await db('recordings').where({ sid }).update(change);
}

/** Marks a recording deleted, once: false when another node's sweep already did. */
export async function markDeleted(db: Knex, sid: string, at: Date, why: string): Promise<boolean> {
  const n = await db('recordings').where({ sid }).whereNull('deleted_at').update({ status: 'deleted', deleted_at: at, deleted_why: why });
  return n > 0;
}

/** The recording still running on a call (the one to pause or resume). */
export async function liveRecordingOfInteraction(db: Knex, interactionId: string): Promise<RecordingRow | undefined> {
  return db('recordings').where({ interaction_id: interactionId }).whereIn('status', ['in-progress', 'paused']).orderBy('started_at', 'desc').first();
}

/** The same, by the call (the IVR's turns know the call). */
export async function liveRecordingOfCall(db: Knex, callSid: string): Promise<RecordingRow | undefined> {
  return db('recordings').where({ call_sid: callSid }).whereIn('status', ['in-progress', 'paused']).orderBy('started_at', 'desc').first();
}

export async function recordingsOfInteraction(db: Knex, interactionId: string): Promise<RecordingRow[]> {
  return db('recordings').where({ interaction_id: interactionId }).orderBy('started_at');
}

/** The interaction's fields playback, pause and retention decide on. */
export async function interactionFacts(db: Knex, id: string): Promise<{ id: string; customer_id: number | null; agent_user_id: number | null; queue_skill: string | null; legal_hold: boolean; call_sid: string | null } | undefined> {
  return db('interactions').where({ id }).first('id', 'customer_id', 'agent_user_id', 'queue_skill', 'legal_hold', 'call_sid');
}

export async function setLegalHold(db: Knex, id: string, hold: boolean, reason: string | null): Promise<void> {
  await db('interactions').where({ id }).update({ legal_hold: hold, legal_hold_reason: hold ? reason : null });
}

/**
 * Completed recordings, not deleted, of interactions not on legal hold, that completed before
 * `before`, of one category (the interaction's queue skill) or of every category but the named ones: oldest first.
 */
export async function expiredCandidates(db: Knex, q: { before: Date; category?: string; exceptCategories?: string[] }, limit: number): Promise<RecordingRow[]> {
  const query = db('recordings as r').join('interactions as i', 'i.id', 'r.interaction_id')
    .whereNull('r.deleted_at').whereIn('r.status', ['completed', 'absent']).where('r.completed_at', '<', q.before).where('i.legal_hold', false)
    .orderBy('r.completed_at').limit(limit).select('r.*');
  if (q.category !== undefined) query.where('i.queue_skill', q.category);
  if (q.exceptCategories) {
    const except = q.exceptCategories;
    query.where((w) => { w.whereNull('i.queue_skill'); if (except.length) w.orWhereNotIn('i.queue_skill', except); else w.orWhereNotNull('i.queue_skill'); });
  }
  return query;
}

/** Recordings a supervisor may list: newest first, with the call's customer and agent. */
export async function listRecordings(db: Knex, q: { customer_id?: number; limit: number }) {
  const query = db('recordings as r').join('interactions as i', 'i.id', 'r.interaction_id')
    .whereNull('r.deleted_at').whereIn('r.status', ['completed'])
    .orderBy('r.started_at', 'desc').limit(q.limit)
    .select('r.sid', 'r.interaction_id', 'r.status', 'r.channels', 'r.duration_s', 'r.started_at', 'r.completed_at', 'i.customer_id', 'i.agent_user_id', 'i.queue_skill', 'i.legal_hold');
  if (q.customer_id !== undefined) query.where('i.customer_id', q.customer_id);
  return query;
}
