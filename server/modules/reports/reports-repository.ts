import type { Knex } from 'knex';
import { targetOf, type ServiceLevels } from '../routing/service-levels.js';
import { AGENT_STATES, type ReportGrouping, type ReportInterval } from './reports-schemas.js';

/**
 * The report queries, over the projection (reports-projection.ts) and agent_state_events. Each
 * runs in a transaction whose TimeZone is the report's, so that date_trunc, generate_series and
 * interval arithmetic cut days, weeks (from Monday) and months at the zone's midnights,
 * daylight-saving days included.
 */

/** The start of the bucket `col` falls in. Quarter hours are counted from a local midnight. */
const BUCKET: Record<ReportInterval, (col: string) => string> = {
  '15m': (col) => `date_bin('15 minutes', ${col}, TIMESTAMPTZ '2000-01-03 00:00')`,
  day: (col) => `date_trunc('day', ${col})`,
  week: (col) => `date_trunc('week', ${col})`,
  month: (col) => `date_trunc('month', ${col})`,
};
const STEP: Record<ReportInterval, string> = { '15m': '15 minutes', day: '1 day', week: '1 week', month: '1 month' };

/**
 * The grouping key, as text; '' for none (so that FULL JOIN can match it: NULL never equals
 * NULL). Byte order ("C"): grouping sorts by it, and a locale's rules only make that slower.
 */
const VISIT_KEY: Record<ReportGrouping, string> = {
  total: `''`, queue: 'f.skill', tier: 'f.tier', agent: `COALESCE(f.agent_id::text, '')`, rm: `COALESCE(f.rm_id::text, '')`,
};
const CONTACT_KEY: Record<ReportGrouping, string> = {
  total: `''`, queue: `COALESCE(c.skill, '')`, tier: `COALESCE(c.tier, '')`, agent: `COALESCE(c.agent_id::text, '')`, rm: `COALESCE(c.rm_id::text, '')`,
};
const keyOf = (expr: string) => `(${expr}) COLLATE "C"`;

/**
 * `:name` placeholders to positional ones (after `prefix`): knex's own named bindings would read
 * the `:from::timestamptz` casts as identifier bindings.
 */
function bind(sql: string, named: Record<string, unknown>, prefix: unknown[] = []): [string, Knex.RawBinding[]] {
  const values: unknown[] = [...prefix];
  const text = sql.replace(/(?<!:):([a-z]+)\b/g, (m, name: string) => {
    if (!(name in named)) return m;
    values.push(named[name]);
    return '?';
  });
  return [text, values as Knex.RawBinding[]];
}

/**
 * Runs `fn` in a transaction whose TimeZone is `tz` (validated by the caller). Also for this
 * transaction only: no JIT (the planner cannot estimate how few buckets a month has, so it
 * expects millions of groups and spends longer compiling than the query runs), and enough
 * memory to sort a month of facts without spilling to disk.
 */
async function inZone<T>(db: Knex, tz: string, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw(`SELECT set_config('TimeZone', ?, true), set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`, [tz]);
    return fn(trx);
  });
}

export interface ContactsFigures {
  bucket: Date;
  key: string;
  offered: number;
  answered: number;
  abandoned: number;
  answered_within_target: number;
  abandoned_after_target: number;
  answer_wait_s: number;
  handled: number;
  talk_s: number;
  hold_s: number;
  wrap_s: number;
  transfers: number;
  ivr_calls: number;
  contained: number;
  fcr_contacts: number;
  fcr_resolved: number;
  csat_responses: number;
  csat_sum: number;
}

/**
 * Sums per bucket and key: queue visits by when they entered the queue, calls by when they
 * began. Service level is judged against each visit's tier target (SERVICE_LEVELS) at query
 * time, so a changed target re-reads history without a rebuild. The total has a row for every
 * bucket of the range, empty or not; a grouping only has the keys that occur.
 */
export async function contactsFigures(db: Knex, q: { from: Date; to: Date; interval: ReportInterval; by: ReportGrouping; tz: string; levels: ServiceLevels }): Promise<ContactsFigures[]> {
  const bucket = BUCKET[q.interval];
  const tiers = Object.entries(q.levels);
  const targets = tiers.length ? `SELECT * FROM (VALUES ${tiers.map(() => '(?::text, ?::int)').join(', ')}) AS t(tier, seconds)` : 'SELECT NULL::text AS tier, NULL::int AS seconds WHERE false';
  const sql = `
    WITH targets AS (${targets}),
    v AS (
      SELECT ${bucket('f.enqueued_at')} AS bucket, ${keyOf(VISIT_KEY[q.by])} AS key,
        count(*)::int AS offered,
        count(*) FILTER (WHERE f.outcome = 'answered')::int AS answered,
        count(*) FILTER (WHERE f.outcome = 'abandoned')::int AS abandoned,
        count(*) FILTER (WHERE f.outcome = 'answered' AND f.waited_s <= COALESCE(t.seconds, :fallback))::int AS answered_within_target,
        count(*) FILTER (WHERE f.outcome = 'abandoned' AND f.waited_s > COALESCE(t.seconds, :fallback))::int AS abandoned_after_target,
        COALESCE(sum(f.waited_s) FILTER (WHERE f.outcome = 'answered'), 0)::float8 AS answer_wait_s,
        count(*) FILTER (WHERE f.handled)::int AS handled,
        COALESCE(sum(f.talk_s) FILTER (WHERE f.handled), 0)::float8 AS talk_s,
        COALESCE(sum(f.hold_s) FILTER (WHERE f.handled), 0)::float8 AS hold_s,
        COALESCE(sum(f.wrap_s) FILTER (WHERE f.handled), 0)::float8 AS wrap_s,
        sum(f.transfers)::int AS transfers
      FROM queue_visit_facts f LEFT JOIN targets t ON t.tier = f.tier
      WHERE f.enqueued_at >= :from AND f.enqueued_at < :to
      GROUP BY 1, 2
    ),
    c AS (
      SELECT ${bucket('c.started_at')} AS bucket, ${keyOf(CONTACT_KEY[q.by])} AS key,
        count(*)::int AS ivr_calls,
        count(*) FILTER (WHERE c.contained)::int AS contained,
        count(c.repeated)::int AS fcr_contacts,
        count(*) FILTER (WHERE NOT c.repeated)::int AS fcr_resolved,
        count(c.survey_score)::int AS csat_responses,
        COALESCE(sum(c.survey_score), 0)::int AS csat_sum
      FROM contact_facts c
      WHERE c.started_at >= :from AND c.started_at < :to
      GROUP BY 1, 2
    ),
    both_ AS (SELECT * FROM v FULL JOIN c USING (bucket, key))
    ${q.by === 'total'
      // Every bucket of the range, empty ones too (USING keeps the series' bucket, never the missing side's null).
      ? `SELECT * FROM generate_series(${bucket(':from::timestamptz')}, :to::timestamptz - interval '1 microsecond', interval '${STEP[q.interval]}') AS b(bucket)
         LEFT JOIN both_ USING (bucket) ORDER BY bucket`
      : 'SELECT * FROM both_ ORDER BY bucket, key = \'\', key'}`;
  const [text, values] = bind(sql, { from: q.from, to: q.to, fallback: targetOf(q.levels, '').seconds }, tiers.flatMap(([tier, l]) => [tier, l.seconds]));
  const rows = await inZone(db, q.tz, async (trx) => (await trx.raw(text, values)).rows as Record<string, unknown>[]);
  const n = (v: unknown) => Number(v ?? 0);
  return rows.map((r) => ({
    bucket: new Date(r.bucket as string), key: (r.key as string | null) ?? '',
    offered: n(r.offered), answered: n(r.answered), abandoned: n(r.abandoned), answered_within_target: n(r.answered_within_target),
    abandoned_after_target: n(r.abandoned_after_target), answer_wait_s: n(r.answer_wait_s), handled: n(r.handled), talk_s: n(r.talk_s),
    hold_s: n(r.hold_s), wrap_s: n(r.wrap_s), transfers: n(r.transfers), ivr_calls: n(r.ivr_calls), contained: n(r.contained),
    fcr_contacts: n(r.fcr_contacts), fcr_resolved: n(r.fcr_resolved), csat_responses: n(r.csat_responses), csat_sum: n(r.csat_sum),
  }));
}

export interface AgentStateFigures {
  bucket: Date;
  agent_id: number;
  seconds: Record<string, number>;
}

/**
 * Seconds each agent spent in each state per bucket, between `from` and `until`. A state runs
 * from its event to the agent's next one (or `until`) and is split at bucket boundaries; the
 * state an agent was in at `from` is their last event before it. Time before an agent's first
 * event is unknown and not counted.
 */
export async function agentStateFigures(db: Knex, q: { from: Date; until: Date; interval: ReportInterval; tz: string; agentId?: number }): Promise<AgentStateFigures[]> {
  const bucket = BUCKET[q.interval];
  const step = `interval '${STEP[q.interval]}'`;
  const agent = q.agentId === undefined ? '' : 'AND agent_id = :agent';
  const sql = `
    WITH prior AS (
      SELECT p.* FROM (SELECT user_id FROM agents ${q.agentId === undefined ? '' : 'WHERE user_id = :agent'}) a
      -- The agent's last event before the range: its instant off the (agent_id, at) index, then the last of any ties.
      CROSS JOIN LATERAL (
        SELECT s.id, s.agent_id, s.state, s.at FROM agent_state_events s
        WHERE s.agent_id = a.user_id AND s.at = (SELECT max(at) FROM agent_state_events m WHERE m.agent_id = a.user_id AND m.at < :from)
        ORDER BY s.id DESC LIMIT 1
      ) p
    ),
    ev AS (
      SELECT * FROM prior
      UNION ALL
      SELECT id, agent_id, state, at FROM agent_state_events WHERE at >= :from AND at < :until ${agent}
    ),
    spans AS (
      SELECT agent_id, state, GREATEST(at, :from::timestamptz) AS s,
        LEAST(COALESCE(lead(at) OVER (PARTITION BY agent_id ORDER BY at, id), :until::timestamptz), :until::timestamptz) AS e
      FROM ev
    ),
    parts AS (
      SELECT sp.agent_id, sp.state, b.start,
        EXTRACT(EPOCH FROM LEAST(sp.e, b.start + ${step}) - GREATEST(sp.s, b.start))::float8 AS secs
      FROM spans sp CROSS JOIN LATERAL generate_series(${bucket('sp.s')}, sp.e - interval '1 microsecond', ${step}) AS b(start)
      WHERE sp.e > sp.s
    )
    SELECT start AS bucket, agent_id, ${AGENT_STATES.map((s) => `COALESCE(sum(secs) FILTER (WHERE state = '${s}'), 0)::float8 AS "${s}"`).join(', ')}
    FROM parts GROUP BY start, agent_id ORDER BY start, agent_id`;
  const [text, values] = bind(sql, { from: q.from, until: q.until, agent: q.agentId });
  const rows = await inZone(db, q.tz, async (trx) => (await trx.raw(text, values)).rows as Record<string, unknown>[]);
  return rows.map((r) => ({
    bucket: new Date(r.bucket as string),
    agent_id: Number(r.agent_id),
    seconds: Object.fromEntries(AGENT_STATES.map((s) => [s, Number(r[s] ?? 0)])),
  }));
}

/** Display names for the report's agent or RM keys. */
export async function labelsFor(db: Knex, by: 'agent' | 'rm', ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows: { id: number; name: string }[] = by === 'agent'
    ? await db('users').whereIn('id', ids).select('id', 'display_name as name')
    : await db('relationship_managers').whereIn('id', ids).select('id', 'name');
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function agentExists(db: Knex, id: number): Promise<boolean> {
  return Boolean(await db('agents').where({ user_id: id }).first('user_id'));
}

/** One inbound call of the log as the what-if replay needs it: its first queue visit, and what became of it. */
export interface RecordedCall {
  enqueued_at: Date;
  skill: string;
  tier: string;
  language: string;
  priority: number;
  /** Agent time over all of the call's answered visits (talk, hold, wrap-up); null when no agent finished it. */
  handle_s: number | null;
  /** Seconds from the first visit until the caller left unanswered; null when an agent answered. */
  left_after_s: number | null;
}

/**
 * The inbound calls that reached a queue in [from, to), one row per call (a transfer or a failed
 * agent leg is the same caller): the projection's visits, the caller's language, and the head start
 * the IVR gave the first visit.
 */
export async function recordedCalls(db: Knex, from: Date, to: Date): Promise<RecordedCall[]> {
  const { rows } = await db.raw(`
    WITH calls AS (
      SELECT v.interaction_id,
        min(v.entry_id) AS first_entry,
        min(v.enqueued_at) AS enqueued_at,
        bool_or(v.outcome = 'answered') AS answered,
        sum(v.talk_s + v.hold_s + v.wrap_s) FILTER (WHERE v.handled) AS handle_s,
        max(EXTRACT(EPOCH FROM v.enqueued_at) + v.waited_s) FILTER (WHERE v.outcome <> 'answered') AS left_at
      FROM queue_visit_facts v
      GROUP BY v.interaction_id
      HAVING min(v.enqueued_at) >= ? AND min(v.enqueued_at) < ?
    )
    SELECT c.enqueued_at, f.skill, f.tier, i.language, c.handle_s,
      CASE WHEN c.answered THEN NULL ELSE GREATEST(0, c.left_at - EXTRACT(EPOCH FROM c.enqueued_at)) END AS left_after_s,
      COALESCE((SELECT (e.data->>'priority')::int FROM interaction_events e
        WHERE e.interaction_id = c.interaction_id AND e.type = 'entered_queue' AND (e.data->>'entry_id')::bigint = c.first_entry LIMIT 1), 0) AS priority
    FROM calls c
    JOIN queue_visit_facts f ON f.entry_id = c.first_entry
    JOIN interactions i ON i.id = c.interaction_id AND i.direction = 'inbound'
    ORDER BY c.enqueued_at, c.first_entry`, [from, to]);
  return (rows as Record<string, unknown>[]).map((r) => ({
    enqueued_at: new Date(r.enqueued_at as string), skill: r.skill as string, tier: r.tier as string, language: r.language as string, priority: Number(r.priority),
    handle_s: r.handle_s === null ? null : Number(r.handle_s), left_after_s: r.left_after_s === null ? null : Number(r.left_after_s),
  }));
}
