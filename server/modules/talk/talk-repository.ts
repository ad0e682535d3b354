import type { Knex } from 'knex';
import type { TalkSummary } from './talk-meter.js';

export interface TalkStreamRow {
  stream_sid: string;
  call_sid: string;
  interaction_id: string;
  agent_user_id: number | null;
  started_at: Date;
  stopped_at: Date | null;
  stopped_why: string | null;
  dead_air_since: Date | null;
  summary: TalkSummary | null;
}

/** A stream's row, once: false when it was already there (Twilio reconnected, or a second `start`). */
export async function insertStream(db: Knex, row: Pick<TalkStreamRow, 'stream_sid' | 'call_sid' | 'interaction_id' | 'agent_user_id' | 'started_at'>): Promise<boolean> {
  return (await db('talk_streams').insert(row).onConflict('stream_sid').ignore().returning('stream_sid')).length > 0;
}

export async function setDeadAir(db: Knex, streamSid: string, since: Date | null): Promise<void> {
  await db('talk_streams').where({ stream_sid: streamSid }).whereNull('stopped_at').update({ dead_air_since: since });
}

/** Marks the stream stopped with its figures, once: false when it already was. */
export async function stopStream(db: Knex, streamSid: string, s: { at: Date; why: string; summary: TalkSummary }): Promise<boolean> {
  const n = await db('talk_streams').where({ stream_sid: streamSid }).whereNull('stopped_at')
    .update({ stopped_at: s.at, stopped_why: s.why, dead_air_since: null, summary: JSON.stringify(s.summary) });
  return n > 0;
}

/**
 * Calls silent past the threshold now, with their agent: streams still running (started after
 * `startedAfter`, so a stream a crashed node never stopped does not hold an alert up for ever).
 */
export async function deadAirNow(db: Knex, startedAfter: Date): Promise<{ stream_sid: string; interaction_id: string; agent_user_id: number | null; agent_name: string | null; dead_air_since: Date }[]> {
  return db('talk_streams as t').leftJoin('users as u', 'u.id', 't.agent_user_id')
    .whereNotNull('t.dead_air_since').whereNull('t.stopped_at').where('t.started_at', '>', startedAfter)
    .orderBy('t.dead_air_since').select('t.stream_sid', 't.interaction_id', 't.agent_user_id', 'u.display_name as agent_name', 't.dead_air_since');
}

/** Records that a rule raised its prompt on this call: false when it already had. */
export async function notePrompt(db: Knex, interactionId: string, rule: string, at: Date): Promise<boolean> {
  return (await db('talk_prompts').insert({ interaction_id: interactionId, rule, raised_at: at }).onConflict(['interaction_id', 'rule']).ignore().returning('rule')).length > 0;
}
