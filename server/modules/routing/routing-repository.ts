import type { Knex } from 'knex';
import type { Role } from '../users/users-schemas.js';
import type { CandidateAgent, Reach } from './routing-policy.js';

/** `dialing`: a callback whose customer is being rung before any agent is chosen (customer-first mode). */
export type EntryState = 'waiting' | 'offered' | 'dialing' | 'connecting' | 'connected' | 'ended' | 'abandoned' | 'callback' | 'transferred' | 'failed';
export const LIVE_STATES: readonly EntryState[] = ['waiting', 'offered', 'dialing', 'connecting', 'connected'];

export interface EntryRow {
  id: string; // bigint
  interaction_id: string;
  /** Null for a callback whose customer has not been dialled yet. */
  call_sid: string | null;
  /** The callback request this entry serves (null for a live caller or a campaign call). */
  callback_id: string | null;
  skill: string;
  language: string;
  tier: string;
  customer_id: number | null;
  rm_id: number | null;
  target_agent_id: number | null;
  enqueued_at: Date;
  priority_at: Date;
  /** The flow's boost (seconds of head start) this entry was queued with. */
  priority: number;
  state: EntryState;
  agent_id: number | null;
  offer_expires_at: Date | null;
  /** When the entry was first offered: an agent's handle time starts there. */
  offered_at: Date | null;
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
  /** A callback's pop: when and why it was asked, which attempt (null for other calls). */
  callback?: Record<string, unknown> | null;
  estimated_wait_s: number | null;
  answered_at: Date | null;
  ended_at: Date | null;
}

export type NewEntry = Pick<EntryRow, 'interaction_id' | 'call_sid' | 'callback_id' | 'skill' | 'language' | 'tier' | 'customer_id' | 'rm_id' | 'target_agent_id' | 'enqueued_at' | 'priority_at' | 'priority' | 'profile' | 'ivr' | 'estimated_wait_s' | 'campaign' | 'callback'>;

export async function insertEntry(trx: Knex, e: NewEntry): Promise<string> {
  const [row] = await trx('queue_entries').insert({
    ...e, profile: e.profile ? JSON.stringify(e.profile) : null, ivr: JSON.stringify(e.ivr), campaign: e.campaign ? JSON.stringify(e.campaign) : null,
    callback: e.callback ? JSON.stringify(e.callback) : null,
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

/** A callback's entry that is still in play (one at a time per callback request). */
export async function liveEntryOfCallback(db: Knex, callbackId: string): Promise<EntryRow | undefined> {
  return db('queue_entries').where({ callback_id: callbackId }).whereIn('state', LIVE_STATES).orderBy('id', 'desc').forUpdate().first();
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

/** Waiting calls within `reach` (see reachOf) in priority order, a page at a time (keyset on priority_at, id). */
export async function waitingPage(db: Knex, reach: Reach, after: { priority_at: Date; id: string } | null, limit: number): Promise<EntryRow[]> {
  const q = db('queue_entries').where('state', 'waiting').orderBy([{ column: 'priority_at' }, { column: 'id' }]).limit(limit)
    .select('id', 'skill', 'tier', 'language', 'rm_id', 'target_agent_id', 'declined_by', 'enqueued_at', 'priority_at', 'call_sid', 'callback_id')
    .whereRaw('language = ANY(?::text[])', [reach.languages])
    .whereRaw('(target_agent_id = ANY(?::int[]) OR (target_agent_id IS NULL AND (skill = ANY(?::text[]) OR rm_id = ANY(?::int[]))))', [reach.agentIds, reach.skills, reach.rmIds]);
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

/** States in which an agent is at work (an away or offline agent serves nobody). */
const WORKING = ['available', 'reserved', 'on_call', 'wrap_up'];

/**
 * Whether anyone could take a caller of `language` in one of `skills` (or their relationship
 * manager) now or soon: an agent at work (available, or busy with a call) with a live console. An
 * agent on a call counts whatever their lease: a closed tab does not end the call they are on.
 */
export async function anyoneStaffed(db: Knex, q: { skills: string[]; language: string; rm_id: number | null }, now: Date): Promise<boolean> {
  if (q.skills.length === 0 && q.rm_id === null) return false;
  const row = await db('agents as a').join('users as u', 'u.id', 'a.user_id')
    .whereIn('a.state', WORKING).where('u.active', true)
    .where((w) => w.where('a.lease_until', '>', now).orWhere('a.state', 'on_call'))
    .whereRaw('a.languages @> ARRAY[?]::text[]', [q.language])
    .where((w) => {
      if (q.skills.length > 0) w.orWhereRaw('jsonb_exists_any(a.skills, ?::text[])', [q.skills]);
      if (q.rm_id !== null) w.orWhere('u.rm_id', q.rm_id);
    })
    .first('a.user_id');
  return row !== undefined;
}

/** The agents at work in a skill: free or not, and how long each busy one has been on the call they hold. */
export async function skillFloor(db: Knex, skill: string, now: Date): Promise<{ free: number; busyElapsed: number[] }> {
  const rows: { state: string; since: Date | string }[] = await db('agents as a').join('users as u', 'u.id', 'a.user_id')
    .leftJoin('queue_entries as e', 'e.id', 'a.entry_id')
    .whereIn('a.state', WORKING).where('u.active', true)
    .where((w) => w.where('a.lease_until', '>', now).orWhere('a.state', 'on_call'))
    .whereRaw('jsonb_exists(a.skills, ?)', [skill])
    .select('a.state', db.raw('COALESCE(e.offered_at, a.state_since) AS since'));
  const busy = rows.filter((r) => r.state !== 'available');
  return { free: rows.length - busy.length, busyElapsed: busy.map((r) => Math.max(0, (now.getTime() - new Date(r.since).getTime()) / 1000)) };
}

/**
 * The last hour's calls of a skill, newest first: handle times (seconds from the offer to the agent
 * free again) and offer-to-answer times (the offer, the agent accepting, the agent's leg joining).
 * A call whose agent is still wrapping it up is not over for the agent: it is left out, not counted
 * without its wrap-up.
 */
export async function recentCalls(db: Knex, skill: string, now: Date, limit = 200): Promise<{ handle: number[]; answer: number[] }> {
  const rows: { handle: number | null; answer: number | null }[] = await db('queue_entries as e').join('interactions as i', 'i.id', 'e.interaction_id')
    .where('e.skill', skill).whereNotNull('e.answered_at').whereNotNull('e.ended_at').where('e.ended_at', '>', new Date(now.getTime() - 3_600_000))
    .whereNotExists(db('agents as a').whereRaw('a.entry_id = e.id').where('a.state', 'wrap_up'))
    .orderBy('e.ended_at', 'desc').limit(limit)
    .select(
      db.raw('EXTRACT(EPOCH FROM (COALESCE(i.wrapped_up_at, e.ended_at) - COALESCE(e.offered_at, e.answered_at)))::float AS handle'),
      db.raw('EXTRACT(EPOCH FROM (e.answered_at - e.offered_at))::float AS answer'));
  const valid = (xs: (number | null)[], min: number) => xs.map(Number).filter((n) => Number.isFinite(n) && n >= min);
  return { handle: valid(rows.map((r) => r.handle), Number.MIN_VALUE), answer: valid(rows.map((r) => r.answer), 0) };
}

/** Callers who came in to a skill lately, per tier: how many, and how long ago the first of them (a campaign's calls, put straight through, are none). */
export async function arrivalsByTier(db: Knex, skill: string, now: Date, windowSeconds: number): Promise<Record<string, { count: number; firstAgoSeconds: number }>> {
  const rows: { tier: string; n: number; first_ago: number }[] = await db('queue_entries').where({ skill }).whereNull('campaign')
    .where('enqueued_at', '>', new Date(now.getTime() - windowSeconds * 1000)).groupBy('tier')
    .select('tier', db.raw('COUNT(*)::int AS n'), db.raw('EXTRACT(EPOCH FROM (?::timestamptz - MIN(enqueued_at)))::float AS first_ago', [now]));
  return Object.fromEntries(rows.map((r) => [r.tier, { count: Number(r.n), firstAgoSeconds: Math.max(0, Number(r.first_ago)) }]));
}

/** Skills somebody at work has (each staffed skill is a queue, waiting callers or not). */
export async function staffedSkills(db: Knex, now: Date): Promise<string[]> {
  const rows: { skill: string }[] = await db('agents as a').join('users as u', 'u.id', 'a.user_id')
    .whereIn('a.state', WORKING).where('u.active', true).where((w) => w.where('a.lease_until', '>', now).orWhere('a.state', 'on_call'))
    .distinct(db.raw('jsonb_object_keys(a.skills) AS skill'));
  return rows.map((r) => r.skill);
}
