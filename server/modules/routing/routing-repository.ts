import type { Knex } from 'knex';
import type { Role } from '../users/users-schemas.js';
import type { CandidateAgent } from './routing-policy.js';

export type EntryState = 'waiting' | 'offered' | 'connecting' | 'connected' | 'ended' | 'abandoned' | 'callback' | 'transferred' | 'failed';
export const LIVE_STATES: readonly EntryState[] = ['waiting', 'offered', 'connecting', 'connected'];

export interface EntryRow {
  id: string; // bigint
  interaction_id: string;
  call_sid: string;
  skill: string;
  language: string;
  tier: string;
  customer_id: number | null;
  rm_id: number | null;
  target_agent_id: number | null;
  enqueued_at: Date;
  priority_at: Date;
  state: EntryState;
  agent_id: number | null;
  offer_expires_at: Date | null;
  offers: number;
  declined_by: number[];
  conference_sid: string | null;
  agent_call_sid: string | null;
  consult_agent_id: number | null;
  consult_call_sid: string | null;
  held: boolean;
  profile: Record<string, unknown> | null;
  ivr: Record<string, unknown>;
  /** A campaign call's script, offer and dispositions (null for the hotline's calls). */
  campaign?: Record<string, unknown> | null;
  estimated_wait_s: number | null;
  answered_at: Date | null;
  ended_at: Date | null;
}

export type NewEntry = Pick<EntryRow, 'interaction_id' | 'call_sid' | 'skill' | 'language' | 'tier' | 'customer_id' | 'rm_id' | 'target_agent_id' | 'enqueued_at' | 'priority_at' | 'profile' | 'ivr' | 'estimated_wait_s' | 'campaign'>;

export async function insertEntry(trx: Knex, e: NewEntry): Promise<string> {
  const [row] = await trx('queue_entries').insert({
    ...e, profile: e.profile ? JSON.stringify(e.profile) : null, ivr: JSON.stringify(e.ivr), campaign: e.campaign ? JSON.stringify(e.campaign) : null,
  }).returning('id');
  return String((row as { id: string }).id);
}

export async function findEntry(db: Knex, id: string, opts: { lock?: 'wait' | 'skip' } = {}): Promise<EntryRow | undefined> {
  const q = db('queue_entries').where({ id });
  if (opts.lock === 'wait') q.forUpdate();
  if (opts.lock === 'skip') q.forUpdate().skipLocked();
  return q.first();
}

/** The call's entry that is still in play (a call is in at most one queue at a time). */
export async function liveEntryOfCall(db: Knex, callSid: string): Promise<EntryRow | undefined> {
  return db('queue_entries').where({ call_sid: callSid }).whereIn('state', LIVE_STATES).orderBy('id', 'desc').forUpdate().first();
}

export async function updateEntry(trx: Knex, id: string, change: Partial<EntryRow>): Promise<void> {
  await trx('queue_entries').where({ id }).update(change);
}

/** Available agents with a live lease: the candidates of a matching pass (read without locks). */
export async function freeAgents(db: Knex, now: Date): Promise<CandidateAgent[]> {
  return db('agents as a').join('users as u', 'u.id', 'a.user_id')
    .where('a.state', 'available').where('a.lease_until', '>', now).where('u.active', true)
    .select('a.user_id', 'a.skills', 'a.languages', 'u.rm_id', 'a.idle_since');
}

/** Waiting calls in priority order, a page at a time (keyset on priority_at, id). */
export async function waitingPage(db: Knex, after: { priority_at: Date; id: string } | null, limit: number): Promise<EntryRow[]> {
  const q = db('queue_entries').where('state', 'waiting').orderBy([{ column: 'priority_at' }, { column: 'id' }]).limit(limit)
    .select('id', 'skill', 'language', 'rm_id', 'target_agent_id', 'declined_by', 'enqueued_at', 'priority_at');
  if (after) q.whereRaw('(priority_at, id) > (?, ?)', [after.priority_at, after.id]);
  return q;
}

export interface LockedCandidate extends CandidateAgent {
  level: number;
  username: string;
  role: Role;
}

/**
 * Locks up to `limit` agents who may take the call, best first: the transfer target, else agents
 * with one of `skills` (highest level of the call's own skill, then longest idle). SKIP LOCKED:
 * an agent another node is deciding about right now is simply not a candidate here.
 */
export async function lockCandidates(
  trx: Knex, e: EntryRow, skills: string[], now: Date, limit: number, only?: { rm_id: number }, excludeDeclined = true,
): Promise<LockedCandidate[]> {
  const q = trx('agents as a').join('users as u', 'u.id', 'a.user_id')
    .where('a.state', 'available').where('a.lease_until', '>', now).where('u.active', true)
    .whereRaw('a.languages @> ARRAY[?]::text[]', [e.language])
    .select('a.user_id', 'a.skills', 'a.languages', 'u.rm_id', 'u.username', 'u.role', 'a.idle_since', trx.raw('COALESCE((a.skills->>?)::int, 0) AS level', [e.skill]))
    .orderByRaw('level DESC, a.idle_since ASC NULLS FIRST, a.user_id')
    .limit(limit).forUpdate('a').skipLocked();
  if (excludeDeclined && e.declined_by.length > 0) q.whereNotIn('a.user_id', e.declined_by);
  if (only) q.where('u.rm_id', only.rm_id);
  else if (e.target_agent_id !== null) q.where('a.user_id', e.target_agent_id);
  else q.whereRaw('jsonb_exists_any(a.skills, ?::text[])', [skills]);
  return q;
}

/** Whether the caller's relationship manager is logged in (and so worth a short wait when busy). */
export async function rmLoggedIn(db: Knex, rmId: number, now: Date): Promise<boolean> {
  const row = await db('agents as a').join('users as u', 'u.id', 'a.user_id')
    .where('u.rm_id', rmId).whereNot('a.state', 'offline').where('a.lease_until', '>', now).first('a.user_id');
  return row !== undefined;
}

export async function expiredOffers(trx: Knex, now: Date): Promise<EntryRow[]> {
  return trx('queue_entries').where('state', 'offered').where('offer_expires_at', '<', now).forUpdate().skipLocked();
}

/** What the queueing model needs for one skill: recent arrivals, handle time, agents staffed. */
export async function skillLoad(db: Knex, skill: string, now: Date, windowSeconds: number) {
  const since = new Date(now.getTime() - windowSeconds * 1000);
  // One after another: on a transaction's single connection, parallel queries only queue up anyway.
  // Callers who came in: a campaign's calls, put straight through to agents, are no arrivals.
  const arrivals = await db('queue_entries').where({ skill }).whereNull('campaign').where('enqueued_at', '>', since).count<{ count: string }[]>('* as count').first();
  const handle = await db('queue_entries as e').join('interactions as i', 'i.id', 'e.interaction_id').where('e.skill', skill)
    .whereNotNull('e.answered_at').whereNotNull('e.ended_at').where('e.ended_at', '>', new Date(now.getTime() - 3_600_000))
    .first(db.raw('AVG(EXTRACT(EPOCH FROM (COALESCE(i.wrapped_up_at, e.ended_at) - e.answered_at)))::float AS seconds'));
  const staffed = await db('agents').whereNotIn('state', ['offline', 'away']).whereRaw('jsonb_exists(skills, ?)', [skill]).count<{ count: string }[]>('* as count').first();
  return {
    arrivals: Number(arrivals?.count ?? 0),
    handleSeconds: (handle as { seconds: number | null } | undefined)?.seconds ?? null,
    agents: Number(staffed?.count ?? 0),
  };
}

/** How many calls of the same skill wait ahead of this one (in priority order). */
export async function callsAhead(db: Knex, e: Pick<EntryRow, 'skill' | 'priority_at' | 'id'>): Promise<number> {
  const row = await db('queue_entries').where({ state: 'waiting', skill: e.skill })
    .whereRaw('(priority_at, id) < (?, ?)', [e.priority_at, e.id]).count<{ count: string }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

/** Live calls per skill and tier: how many wait, how many are being offered, the longest wait. */
export async function queueSnapshot(db: Knex, now: Date) {
  return db('queue_entries').whereIn('state', ['waiting', 'offered']).groupBy('skill', 'tier')
    .select('skill', 'tier',
      db.raw(`COUNT(*) FILTER (WHERE state = 'waiting')::int AS waiting`),
      db.raw(`COUNT(*) FILTER (WHERE state = 'offered')::int AS offered`),
      db.raw('COALESCE(MAX(EXTRACT(EPOCH FROM (?::timestamptz - enqueued_at))), 0)::int AS longest_wait_s', [now]));
}

/** Over the last hour: what the model predicted at arrival beside what answered callers then waited. */
export async function estimateAccuracy(db: Knex, now: Date) {
  return db('queue_entries').whereNotNull('answered_at').whereNotNull('estimated_wait_s').where('answered_at', '>', new Date(now.getTime() - 3_600_000))
    .groupBy('skill').select('skill',
      db.raw('COUNT(*)::int AS calls'),
      db.raw('ROUND(AVG(estimated_wait_s))::int AS mean_estimated_s'),
      db.raw('ROUND(AVG(EXTRACT(EPOCH FROM (answered_at - enqueued_at))))::int AS mean_actual_s'));
}
