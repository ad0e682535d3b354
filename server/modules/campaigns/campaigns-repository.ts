import type { Knex } from 'knex';
import { startOfLocalDay } from '../../lib/local-time.js';

// The SQL of campaigns: their call lists, dial attempts and the do-not-call register.

export interface CampaignRow {
  id: number;
  name: string;
  purpose: string;
  state: 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
  dialing_mode: 'preview' | 'progressive' | 'predictive';
  script: string;
  offer: { code: string; title: string; terms: string } | null;
  caller_id: string;
  skill: string;
  calls_per_second: number;
  max_abandon_rate: number;
  window_start: string;
  window_end: string;
  max_attempts: number;
  retry_delays: Record<string, number>;
  ring_seconds: number;
  machine_action: 'voicemail' | 'hangup';
  voicemail_text: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface EntryRow {
  id: string;
  campaign_id: number;
  customer_id: number;
  phone: string;
  timezone: string;
  state: 'pending' | 'dialing' | 'done' | 'excluded';
  attempts: number;
  next_attempt_at: Date;
  last_outcome: string | null;
  disposition: string | null;
  callback_at: Date | null;
  excluded_reason: string | null;
  interaction_id: string | null;
}

export interface AttemptRow {
  id: string;
  campaign_id: number;
  entry_id: string;
  customer_id: number;
  attempt: number;
  state: 'preview' | 'queued' | 'blocked' | 'dialing' | 'answered' | 'ended';
  overdial: boolean;
  agent_id: number | null;
  call_sid: string | null;
  queued_at: Date;
  dialed_at: Date | null;
  answered_at: Date | null;
  answered_by: string | null;
  ended_at: Date | null;
  outcome: string | null;
  queue_entry_id: string | null;
}

export async function findCampaign(db: Knex, id: number, lock = false): Promise<CampaignRow | undefined> {
  const q = db('campaigns').where({ id });
  return lock ? q.forUpdate().first() : q.first();
}

export async function findAttempt(db: Knex, id: string, lock = false): Promise<AttemptRow | undefined> {
  const q = db('dial_attempts').where({ id });
  return lock ? q.forUpdate().first() : q.first();
}

export async function findListEntry(db: Knex, id: string, lock = false): Promise<EntryRow | undefined> {
  const q = db('campaign_entries').where({ id });
  return lock ? q.forUpdate().first() : q.first();
}

export async function updateAttempt(trx: Knex, id: string, change: Partial<AttemptRow>): Promise<void> {
  await trx('dial_attempts').where({ id }).update(change);
}

export async function updateListEntry(trx: Knex, id: string, change: Partial<EntryRow>): Promise<void> {
  await trx('campaign_entries').where({ id }).update({ ...change, updated_at: new Date() });
}

/** Entries due for a dial, oldest due first; locked and skipped by concurrent planners. */
export async function dueEntries(trx: Knex, campaign: CampaignRow, now: Date, limit: number): Promise<EntryRow[]> {
  return trx('campaign_entries').where({ campaign_id: campaign.id, state: 'pending' }).where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at').orderBy('id').limit(limit).forUpdate().skipLocked();
}

/** Agents of `skill` who are free now (logged in, available). */
export async function freeAgentCount(db: Knex, skill: string, now: Date): Promise<number> {
  const row = await db('agents').where({ state: 'available' }).where('lease_until', '>', now).whereRaw('skills \\? ?', [skill]).count<{ count: string }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

/** Claims the longest-idle free agent of `skill` (or the named one), locking it against every other claim. */
export async function claimAgent(trx: Knex, skill: string, now: Date, agentId: number | null): Promise<{ user_id: number } | undefined> {
  const q = trx('agents').where('lease_until', '>', now).forUpdate().skipLocked();
  // The previewing agent: available, or still held for this preview (never for an inbound offer).
  if (agentId !== null) return q.where({ user_id: agentId }).where((w) => w.where('state', 'available').orWhere({ state: 'reserved', reason: 'preview' })).first('user_id');
  return q.where({ state: 'available' }).whereRaw('skills \\? ?', [skill]).orderByRaw('idle_since ASC NULLS FIRST').first('user_id');
}

/** SQL: the attempt (alias `a`) was answered by a person, not a machine: the one definition pacing, the check and progress share. */
export const PERSON_ANSWERED = `a.answered_at IS NOT NULL AND coalesce(a.answered_by, '') NOT LIKE 'machine%' AND coalesce(a.answered_by, '') <> 'fax'`;

/**
 * What pacing reads every tick, by index only: dials in flight (the partial index on live
 * attempts) and the rate limiter's latest slot (see the dialer's planCampaign).
 */
export async function liveDials(db: Knex, campaignId: number) {
  const [live, slot] = await Promise.all([
    db('dial_attempts').where({ campaign_id: campaignId }).whereIn('state', ['queued', 'dialing']).first(
      db.raw('count(*) AS in_flight'), db.raw('count(*) FILTER (WHERE overdial) AS overdial_in_flight'),
    ),
    db('dial_attempts').where({ campaign_id: campaignId }).whereNot('state', 'preview').orderBy('queued_at', 'desc').first('queued_at'),
  ]);
  return {
    inFlight: Number(live.in_flight), overdialInFlight: Number(live.overdial_in_flight),
    lastSlot: slot ? new Date(slot.queued_at).getTime() : null,
  };
}

/** The campaign's outcomes so far: what predictive pacing and an over-dial's check need (a pass over its attempts). */
export async function dialOutcomes(db: Knex, campaignId: number) {
  const row = await db('dial_attempts as a').where('a.campaign_id', campaignId).first(
    db.raw(`count(*) FILTER (WHERE a.outcome IS NOT NULL AND a.outcome NOT IN ('blocked', 'canceled', 'skipped')) AS finished`),
    db.raw(`count(*) FILTER (WHERE ${PERSON_ANSWERED}) AS humans`),
    db.raw(`count(*) FILTER (WHERE a.outcome = 'abandoned') AS abandoned`),
  );
  return { finished: Number(row.finished), humans: Number(row.humans), abandoned: Number(row.abandoned) };
}

/** Calls other campaigns of `skill` have ringing for a free agent (not over-dials): those agents are spoken for. */
export async function backedInFlight(db: Knex, skill: string, exceptCampaign: number): Promise<number> {
  const row = await db('dial_attempts as a').join('campaigns as c', 'c.id', 'a.campaign_id').where('c.skill', skill).whereNot('c.id', exceptCampaign)
    .whereIn('a.state', ['queued', 'dialing']).where('a.overdial', false).first(db.raw('count(*) AS n'));
  return Number(row.n);
}

/** Whether the number or the customer is on the do-not-call register. */
export async function onDoNotCall(db: Knex, phone: string, customerId: number): Promise<boolean> {
  const hit = await db('do_not_call').where({ phone }).first('phone');
  if (hit) return true;
  const c = await db('customers').where({ id: customerId }).first('do_not_call');
  return Boolean(c?.do_not_call);
}

/** Dials to the customer since their local midnight: by other campaigns, and in all. */
export async function dialsToday(db: Knex, customerId: number, campaignId: number, timezone: string, now: Date) {
  const row = await db('dial_attempts').where({ customer_id: customerId }).whereNotNull('dialed_at').where('dialed_at', '>=', startOfLocalDay(now, timezone)).first(
    db.raw('count(*) AS all_dials'),
    db.raw('count(*) FILTER (WHERE campaign_id <> ?) AS other_campaigns', [campaignId]),
  );
  return { all: Number(row.all_dials), otherCampaigns: Number(row.other_campaigns) };
}

export async function addDoNotCall(trx: Knex, r: { phone: string; customer_id: number | null; source: string; campaign_id?: number | null; added_by?: number | null }): Promise<void> {
  await trx('do_not_call').insert({ ...r, campaign_id: r.campaign_id ?? null, added_by: r.added_by ?? null }).onConflict('phone').ignore();
  if (r.customer_id !== null) await trx('customers').where({ id: r.customer_id }).update({ do_not_call: true });
  // Nobody on the register is dialled again by any campaign.
  const customerClause = r.customer_id !== null ? 'OR customer_id = ?' : '';
  await trx.raw(`UPDATE campaign_entries SET state = 'excluded', excluded_reason = 'do_not_call', updated_at = now()
    WHERE state = 'pending' AND (phone = ? ${customerClause})`, r.customer_id !== null ? [r.phone, r.customer_id] : [r.phone]);
}

export async function insertCampaign(db: Knex, row: Record<string, unknown>): Promise<CampaignRow> {
  const [created] = await db('campaigns').insert(row).returning('*');
  return created as CampaignRow;
}

export async function updateCampaign(trx: Knex, id: number, change: Record<string, unknown>): Promise<CampaignRow> {
  const [row] = await trx('campaigns').where({ id }).update(change).returning('*');
  return row as CampaignRow;
}

export async function latestCampaigns(db: Knex, limit: number): Promise<CampaignRow[]> {
  return db('campaigns').orderBy('id', 'desc').limit(limit);
}

/** Campaigns not finished, or completed since `completedSince`: what the wallboard follows. */
export async function liveCampaigns(db: Knex, completedSince: Date): Promise<{ id: number; state: CampaignRow['state'] }[]> {
  return db('campaigns').where((q) => q.whereIn('state', ['scheduled', 'running', 'paused'])
    .orWhere((d) => d.where('state', 'completed').where('updated_at', '>', completedSince))).orderBy('id').select('id', 'state');
}

/** Running preview campaigns that call for one of these skills. */
export async function runningPreviewCampaigns(trx: Knex, skills: Record<string, number>): Promise<CampaignRow[]> {
  return trx('campaigns').where({ state: 'running', dialing_mode: 'preview' }).whereRaw('?::jsonb \\? skill', [JSON.stringify(skills)]).orderBy('id');
}

export async function pendingCount(trx: Knex, campaignId: number): Promise<number> {
  const row = await trx('campaign_entries').where({ campaign_id: campaignId, state: 'pending' }).first(trx.raw('count(*) AS n'));
  return Number(row.n);
}

/** The call list's counts for the progress panel. */
export async function listCounts(db: Knex, campaignId: number) {
  return db('campaign_entries').where({ campaign_id: campaignId }).first(
    db.raw('count(*) AS list_size'),
    db.raw(`count(*) FILTER (WHERE state = 'excluded') AS excluded`),
    db.raw(`count(*) FILTER (WHERE state IN ('pending', 'dialing')) AS remaining`),
    db.raw(`count(*) FILTER (WHERE disposition IN ('interested', 'sale')) AS conversions`),
  );
}

/** The dial attempts' counts for the progress panel; `recentSince` bounds the dials-per-minute window. */
export async function attemptCounts(db: Knex, campaignId: number, recentSince: Date) {
  return db('dial_attempts as a').leftJoin('queue_entries as q', 'q.id', 'a.queue_entry_id').where('a.campaign_id', campaignId).first(
    db.raw('count(a.dialed_at) AS dialed'),
    db.raw(`count(*) FILTER (WHERE a.outcome = 'blocked') AS blocked`),
    db.raw('count(a.answered_at) AS connected'),
    db.raw(`count(*) FILTER (WHERE ${PERSON_ANSWERED}) AS humans`),
    db.raw(`count(*) FILTER (WHERE a.outcome = 'machine') AS machines`),
    db.raw(`count(*) FILTER (WHERE a.outcome = 'abandoned') AS abandoned`),
    db.raw('count(q.answered_at) AS agent_connected'),
    db.raw('count(*) FILTER (WHERE a.dialed_at > ?) AS recent', [recentSince]),
    db.raw('min(a.dialed_at) AS first_dial'),
  );
}

/** A page of the call list with each customer's number. */
export async function listPage(db: Knex, campaignId: number, q: { state?: string; limit: number; after?: number }) {
  const query = db('campaign_entries as e').join('customers as c', 'c.id', 'e.customer_id').where('e.campaign_id', campaignId).orderBy('e.id').limit(q.limit)
    .select('e.id', 'e.customer_id', 'c.customer_no', 'e.phone', 'e.state', 'e.attempts', 'e.next_attempt_at', 'e.last_outcome', 'e.disposition', 'e.callback_at', 'e.excluded_reason', 'e.source_line');
  if (q.state) query.where('e.state', q.state);
  if (q.after) query.where('e.id', '>', q.after);
  return query;
}

/** A new dial attempt; its id. */
export async function insertAttempt(trx: Knex, row: Partial<AttemptRow>): Promise<string> {
  const [created] = await trx('dial_attempts').insert(row).returning('id');
  return String((created as { id: string }).id);
}

// Advisory lock keys: one pacing planner per skill, one dial decision per customer at a time.
const PLAN_LOCK = 7_740_200;
const CUSTOMER_LOCK = 7_740_300;

/** Holds the customer's dial decisions for this transaction (across campaigns and workers). */
export async function lockCustomerDials(trx: Knex, customerId: number): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [CUSTOMER_LOCK, customerId]);
}

/** The skill's pacing planner for this transaction, unless another node holds it. */
export async function tryLockSkillPlan(trx: Knex, skill: string): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: { ok: boolean }[] }>('SELECT pg_try_advisory_xact_lock(?, hashtext(?)) AS ok', [PLAN_LOCK, skill]);
  return rows[0]!.ok;
}

/** Names the attempt's call, unless its status callback already did. */
export async function nameAttemptCall(db: Knex, attemptId: string, callSid: string): Promise<void> {
  await db('dial_attempts').where({ id: attemptId }).whereNull('call_sid').update({ call_sid: callSid });
}

/** An agent is still on, or wrapping up, one of the campaign's calls. */
export async function agentOnCampaignCall(trx: Knex, campaignId: number): Promise<boolean> {
  return Boolean(await trx('dial_attempts as a').join('agents as g', 'g.entry_id', 'a.queue_entry_id').where('a.campaign_id', campaignId).whereIn('g.state', ['on_call', 'wrap_up']).first('a.id'));
}

export async function listHasOpenEntries(trx: Knex, campaignId: number): Promise<boolean> {
  return Boolean(await trx('campaign_entries').where({ campaign_id: campaignId }).whereIn('state', ['pending', 'dialing']).first('id'));
}

/** Campaigns the pacing tick plans: scheduled (to start on time) and running. */
export async function pacedCampaigns(db: Knex): Promise<CampaignRow[]> {
  return db('campaigns').whereIn('state', ['scheduled', 'running']);
}

/** Attempts queued before `before` (their dial job may have been lost). */
export async function queuedSince(db: Knex, before: Date, limit: number): Promise<{ id: string }[]> {
  return db('dial_attempts').where({ state: 'queued' }).where('queued_at', '<', before).limit(limit).select('id');
}

/** Previews whose agent is no longer reserved for them, or taken before `before`. */
export async function abandonedPreviews(db: Knex, before: Date, limit: number): Promise<AttemptRow[]> {
  return db('dial_attempts as a').leftJoin('agents as g', 'g.user_id', 'a.agent_id').where('a.state', 'preview')
    .where((q) => q.whereNot('g.state', 'reserved').orWhereNull('g.state').orWhere('a.queued_at', '<', before)).select('a.*').limit(limit);
}

/** Dials unanswered and unheard of for their ring time and more, counted back from `before`. */
export async function silentDials(db: Knex, before: Date, limit: number): Promise<AttemptRow[]> {
  return db('dial_attempts as a').join('campaigns as c', 'c.id', 'a.campaign_id').where('a.state', 'dialing')
    .whereRaw('a.dialed_at < ?::timestamptz - make_interval(secs => c.ring_seconds) ', [before]).whereNull('a.answered_at').select('a.*').limit(limit);
}

/** Answered attempts whose call ended before `before` with no final status callback seen. */
export async function endedButUnsettled(db: Knex, before: Date, limit: number): Promise<{ id: string; status: string; call_sid: string }[]> {
  return db('dial_attempts as a').join('calls as k', 'k.sid', 'a.call_sid')
    .where('a.state', 'answered').whereIn('k.status', ['completed', 'busy', 'failed', 'no-answer', 'canceled']).where('k.ended_at', '<', before)
    .select('a.id', 'k.status', 'a.call_sid').limit(limit);
}

/** The attempt a call belongs to, locked. */
export async function attemptOfCall(trx: Knex, callSid: string): Promise<AttemptRow | undefined> {
  return trx('dial_attempts').where({ call_sid: callSid }).forUpdate().first();
}
