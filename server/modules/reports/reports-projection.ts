import type { Knex } from 'knex';

/**
 * The projection behind every report: queue_visit_facts and contact_facts, derived only from
 * interaction_events (see migrations/20261123000009_reports.ts for the grains and the watermark).
 *
 * project() brings them up to date: every interaction that got an event since the last run is
 * re-derived whole from its timeline (delete + insert), so running it twice, or on several nodes
 * at once, gives the same facts. One transaction, serialised by an advisory lock: a second node
 * waits, then finds little or nothing left to do. Reports call it first, so they include every
 * event committed before they were asked for.
 *
 * A transaction left open anywhere on the server holds the horizon back, so runs meanwhile
 * re-derive more calls than they need to: slower, never wrong.
 *
 * All of it is plain PostgreSQL (window functions, FILTER, jsonb, temp tables, advisory locks),
 * which the embedded PGlite runs too.
 */

/** Event types the projection reads; the rest of a timeline (IVR keys, routing traces) does not change a figure. */
const VISIT_EVENTS = [
  'entered_queue', 'connected', 'abandoned', 'left_queue_entry', 'connect_failed', 'agent_leg_failed',
  'held', 'unheld', 'consult_started', 'transferred', 'agent_call_ended', 'wrapup', 'wrapup_missing',
];
const CONTACT_EVENTS = ['started', 'identified', 'entered_queue', 'connected', 'self_service', 'callback_requested', 'transferred', 'survey_score', 'wrapup'];

/** A later call by the same customer within this window, on a shared reason, is a repeat: the first was not resolved. */
export const FCR_WINDOW = '7 days';

const list = (types: string[]) => types.map((t) => `'${t}'`).join(', ');

/**
 * The re-derived calls' events (`e`). A few calls: looked up one by one through the
 * (interaction_id, id) index, whatever the planner believes of a freshly loaded log (OFFSET 0
 * keeps it from flattening the lookup into a join it may choose to hash). Many (a rebuild): one
 * pass over the log, joined by hash.
 */
const eventsOf = (few: boolean, where: string) => (few
  ? `report_dirty d CROSS JOIN LATERAL (SELECT * FROM interaction_events e WHERE e.interaction_id = d.interaction_id AND ${where} OFFSET 0) e`
  : `interaction_events e JOIN report_dirty d ON d.interaction_id = e.interaction_id WHERE ${where}`);
/** Up to this many calls are re-derived by index lookups, more by a pass over the log. */
export const LOOKUP_LIMIT = 100_000;

// One row per queue entry. An entry's events all carry its entry_id (written as a number or a
// string, hence ->> and a cast). Time on the line runs from `connected` to the line's end: the
// agent ending the call (agent_call_ended) or handing it back to a queue (a blind transfer; a
// consult transfer keeps the caller on the same entry with the relationship manager). The caller
// is on hold from `held` or `consult_started` until `unheld` or any line change (transferred,
// agent_call_ended); talk is the rest. Each handling agent's wrap-up runs from the end of their
// part (the transfer that let them go, or the call's end) to their `wrapup` (or the
// `wrapup_missing` the sweeper writes when their console vanished). A visit counts in handle
// time once the line has ended and every handling agent has wrapped up.
const insertVisits = (few: boolean) => `
INSERT INTO queue_visit_facts (entry_id, interaction_id, enqueued_at, skill, tier, customer_id, rm_id, agent_id, answered_at, waited_s, outcome, talk_s, hold_s, wrap_s, handled, transfers)
WITH ev AS MATERIALIZED (
  SELECT e.id, e.interaction_id, e.at, e.type, e.data, (e.data->>'entry_id')::bigint AS entry_id
  FROM ${eventsOf(few, `e.type IN (${list(VISIT_EVENTS)}) AND e.data->>'entry_id' IS NOT NULL`)}
),
visit AS (
  SELECT entry_id,
    min(interaction_id::text) FILTER (WHERE type = 'entered_queue') AS interaction_id,
    min(at) FILTER (WHERE type = 'entered_queue') AS enqueued_at,
    min(data->>'skill') FILTER (WHERE type = 'entered_queue') AS skill,
    min(data->>'tier') FILTER (WHERE type = 'entered_queue') AS tier,
    min((data->>'customer_id')::int) FILTER (WHERE type = 'entered_queue') AS customer_id,
    min((data->>'rm_id')::int) FILTER (WHERE type = 'entered_queue') AS rm_id,
    bool_or(type = 'entered_queue' AND jsonb_exists(data, 'callback_id')) AS callback_attempt,
    min(at) FILTER (WHERE type = 'connected') AS answered_at,
    min((data->>'agent_id')::int) FILTER (WHERE type = 'connected') AS agent_id,
    min((data->>'waited_s')::int) FILTER (WHERE type = 'connected') AS answer_wait,
    min((data->>'waited_s')::int) FILTER (WHERE type IN ('abandoned', 'left_queue_entry')) AS leave_wait,
    bool_or(type = 'abandoned') AS abandoned,
    bool_or(type = 'left_queue_entry' AND data->>'why' = 'callback') AS callback,
    bool_or(type IN ('connect_failed', 'agent_leg_failed') OR (type = 'left_queue_entry' AND data->>'why' <> 'callback')) AS failed,
    min(at) FILTER (WHERE type = 'agent_call_ended' OR (type = 'transferred' AND data->>'mode' = 'blind')) AS line_end,
    count(*) FILTER (WHERE type = 'transferred')::int AS transfers
  FROM ev GROUP BY entry_id
),
toggle AS (
  SELECT entry_id, at, type IN ('held', 'consult_started') AS starts,
    COALESCE(sum((type NOT IN ('held', 'consult_started'))::int) OVER (PARTITION BY entry_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS span
  FROM ev WHERE type IN ('held', 'unheld', 'consult_started', 'transferred', 'agent_call_ended')
),
hold AS (
  SELECT entry_id, sum(EXTRACT(EPOCH FROM off_at - on_at))::float8 AS hold_s
  FROM (SELECT entry_id, span, min(at) FILTER (WHERE starts) AS on_at, max(at) FILTER (WHERE NOT starts) AS off_at FROM toggle GROUP BY entry_id, span) s
  WHERE on_at IS NOT NULL AND off_at IS NOT NULL
  GROUP BY entry_id
),
part_end AS (
  SELECT entry_id, at, (CASE WHEN type = 'transferred' THEN data->>'from_agent_id' ELSE data->>'agent_id' END)::int AS agent_id
  FROM ev WHERE type IN ('transferred', 'agent_call_ended')
),
parts AS (SELECT entry_id, count(*)::int AS parts FROM part_end GROUP BY entry_id),
wrap AS (
  SELECT entry_id, count(*)::int AS wraps, sum(EXTRACT(EPOCH FROM wrapped_at - ended_at))::float8 AS wrap_s
  FROM (
    SELECT w.entry_id, w.id, w.at AS wrapped_at, max(p.at) AS ended_at
    FROM ev w JOIN part_end p ON p.entry_id = w.entry_id AND p.agent_id = (w.data->>'agent_id')::int AND p.at <= w.at
    WHERE w.type IN ('wrapup', 'wrapup_missing')
    GROUP BY w.entry_id, w.id, w.at
  ) x GROUP BY entry_id
)
SELECT v.entry_id, v.interaction_id::uuid, v.enqueued_at, v.skill, COALESCE(v.tier, 'STANDARD'), v.customer_id, v.rm_id, v.agent_id, v.answered_at,
  CASE WHEN v.answered_at IS NOT NULL THEN v.answer_wait ELSE v.leave_wait END,
  CASE WHEN v.answered_at IS NOT NULL THEN 'answered' WHEN v.abandoned THEN 'abandoned' WHEN v.callback THEN 'callback' WHEN v.failed THEN 'failed' ELSE 'waiting' END,
  CASE WHEN v.answered_at IS NOT NULL AND v.line_end IS NOT NULL THEN EXTRACT(EPOCH FROM v.line_end - v.answered_at)::float8 - COALESCE(h.hold_s, 0) END,
  CASE WHEN v.answered_at IS NOT NULL AND v.line_end IS NOT NULL THEN COALESCE(h.hold_s, 0) END,
  CASE WHEN v.answered_at IS NOT NULL AND v.line_end IS NOT NULL THEN COALESCE(w.wrap_s, 0) END,
  v.answered_at IS NOT NULL AND v.line_end IS NOT NULL AND COALESCE(w.wraps, 0) >= COALESCE(p.parts, 0),
  v.transfers
FROM visit v LEFT JOIN hold h USING (entry_id) LEFT JOIN wrap w USING (entry_id) LEFT JOIN parts p USING (entry_id)
-- A callback's turn in line is the bank calling out, not a caller waiting: the hotline's figures leave it out.
WHERE v.enqueued_at IS NOT NULL AND NOT v.callback_attempt`;

// One row per call. Who, which tier and which queue come from its last queue visit (the one
// that ended the call, so the survey after it belongs there), else from the IVR's identification.
// Contained: the IVR served the caller (self-service) and the call never reached a person: no
// queue, no callback request, no transfer out of the IVR. The IVR's own `transferred` (a dial
// out) has no entry_id; an agent's has one.
const insertContacts = (few: boolean) => `
INSERT INTO contact_facts (interaction_id, started_at, customer_id, tier, skill, rm_id, agent_id, queued, answered, self_service, contained, survey_score, reason_codes, repeated)
WITH ev AS MATERIALIZED (
  SELECT e.id, e.interaction_id, e.at, e.type, e.data
  FROM ${eventsOf(few, `e.type IN (${list(CONTACT_EVENTS)})`)}
),
contact AS (
  SELECT interaction_id,
    COALESCE(min(at) FILTER (WHERE type = 'started'), min(at)) AS started_at,
    (array_agg((data->>'customer_id')::int ORDER BY id DESC) FILTER (WHERE type = 'identified'))[1] AS ivr_customer,
    (array_agg(data->>'tier' ORDER BY id DESC) FILTER (WHERE type = 'identified'))[1] AS ivr_tier,
    bool_or(type = 'entered_queue') AS queued,
    bool_or(type = 'connected') AS answered,
    bool_or(type = 'self_service') AS self_service,
    bool_or(type = 'callback_requested' OR (type = 'transferred' AND data->>'entry_id' IS NULL)) AS left_ivr,
    (array_agg((data->>'score')::int ORDER BY id DESC) FILTER (WHERE type = 'survey_score'))[1] AS survey_score
  FROM ev GROUP BY interaction_id
  -- Calls to the hotline (they start in the IVR); a campaign's outbound calls have reports of their own.
  HAVING bool_or(type = 'started')
),
reasons AS (
  SELECT interaction_id, array_agg(DISTINCT code ORDER BY code) AS codes
  FROM ev CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(ev.data->'reason_codes') = 'array' THEN ev.data->'reason_codes' ELSE '[]'::jsonb END) AS code
  WHERE type = 'wrapup' GROUP BY interaction_id
),
last_visit AS (
  SELECT DISTINCT ON (f.interaction_id) f.interaction_id, f.customer_id, f.tier, f.skill, f.rm_id
  FROM queue_visit_facts f JOIN report_dirty d ON d.interaction_id = f.interaction_id
  ORDER BY f.interaction_id, f.entry_id DESC
),
last_answer AS (
  SELECT DISTINCT ON (f.interaction_id) f.interaction_id, f.agent_id
  FROM queue_visit_facts f JOIN report_dirty d ON d.interaction_id = f.interaction_id
  WHERE f.outcome = 'answered'
  ORDER BY f.interaction_id, f.entry_id DESC
)
SELECT c.interaction_id, c.started_at, COALESCE(lv.customer_id, c.ivr_customer), COALESCE(lv.tier, c.ivr_tier), lv.skill, lv.rm_id, la.agent_id,
  c.queued, c.answered, c.self_service, c.self_service AND NOT c.queued AND NOT c.left_ivr, c.survey_score, COALESCE(r.codes, '{}'), NULL
FROM contact c LEFT JOIN last_visit lv USING (interaction_id) LEFT JOIN last_answer la USING (interaction_id) LEFT JOIN reasons r USING (interaction_id)`;

// First-contact resolution needs the customer's next calls, so it is settled here, for the
// re-derived calls and for the same customers' calls up to 7 days before them (whose verdict a
// new call can change). A call of the last 7 days may still turn into a repeat: its verdict is
// provisional until the window has passed.
const UPDATE_REPEATS = `
UPDATE contact_facts c SET repeated = x.repeated
FROM (
  SELECT c.interaction_id, CASE WHEN cardinality(c.reason_codes) = 0 THEN NULL ELSE EXISTS (
      SELECT 1 FROM contact_facts n
      WHERE n.customer_id = c.customer_id AND n.started_at > c.started_at AND n.started_at <= c.started_at + interval '${FCR_WINDOW}'
        AND n.reason_codes && c.reason_codes) END AS repeated
  FROM contact_facts c
  JOIN (SELECT customer_id, min(started_at) - interval '${FCR_WINDOW}' AS lo, max(started_at) AS hi FROM report_touched GROUP BY customer_id) w
    ON c.customer_id = w.customer_id AND c.started_at >= w.lo AND c.started_at <= w.hi
) x
WHERE c.interaction_id = x.interaction_id AND c.repeated IS DISTINCT FROM x.repeated`;

export interface ProjectionRun {
  /** Interactions re-derived in this run. */
  interactions: number;
}

/** Brings the report facts up to date with the interaction log (see the top of this file). */
export async function project(db: Knex, opts: { lookupLimit?: number } = {}): Promise<ProjectionRun> {
  const few = (n: number) => n <= (opts.lookupLimit ?? LOOKUP_LIMIT);
  return db.transaction(async (trx) => {
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('switchboard.reports.projection'))`);
    // JIT compiles for longer than these statements run (the planner cannot guess how few rows a
    // catch-up touches), and the grouping sorts fit in memory.
    await trx.raw(`SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
    // Taken before this transaction writes anything (it has no xid of its own yet): every
    // transaction older than this has ended, so its events are visible to the statements below.
    const horizon = ((await trx.raw('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS h')).rows[0] as { h: string }).h;
    const mark = (await trx('report_watermark').where({ id: 1 }).first('horizon')) as { horizon: string | null } | undefined;
    const since = mark?.horizon ?? null;

    // The newest writer, read backwards off the index: when it is older than the last horizon,
    // nothing was logged since, and a report pays only these few index reads.
    const newest = ((await trx.raw('SELECT tx::text AS newest FROM interaction_events WHERE tx IS NOT NULL ORDER BY tx DESC LIMIT 1')).rows[0] as { newest: string } | undefined)?.newest ?? null;
    const fresh = since === null || (newest !== null && BigInt(newest) >= BigInt(since));

    let interactions = 0;
    if (fresh) {
      await trx.raw('CREATE TEMP TABLE report_dirty (interaction_id uuid PRIMARY KEY) ON COMMIT DROP');
      // Both bounds: a closed range the planner estimates as narrow even before the table's statistics know the new ids.
      const dirty = since === null
        ? await trx.raw('INSERT INTO report_dirty SELECT DISTINCT interaction_id FROM interaction_events')
        : await trx.raw('INSERT INTO report_dirty SELECT DISTINCT interaction_id FROM interaction_events WHERE tx >= ?::xid8 AND tx <= ?::xid8', [since, newest]);
      interactions = (dirty as { rowCount: number }).rowCount ?? 0;
    }

    if (interactions > 0) {
      await trx.raw('ANALYZE report_dirty');
      await trx.raw('CREATE TEMP TABLE report_touched (customer_id int, started_at timestamptz) ON COMMIT DROP');
      await trx.raw(`WITH gone AS (DELETE FROM contact_facts f USING report_dirty d WHERE f.interaction_id = d.interaction_id RETURNING f.customer_id, f.started_at)
        INSERT INTO report_touched SELECT customer_id, started_at FROM gone WHERE customer_id IS NOT NULL`);
      await trx.raw('DELETE FROM queue_visit_facts f USING report_dirty d WHERE f.interaction_id = d.interaction_id');
      await trx.raw(insertVisits(few(interactions)));
      await trx.raw(insertContacts(few(interactions)));
      await trx.raw(`INSERT INTO report_touched SELECT f.customer_id, f.started_at FROM contact_facts f JOIN report_dirty d ON d.interaction_id = f.interaction_id
        WHERE f.customer_id IS NOT NULL`);
      await trx.raw(UPDATE_REPEATS);
    }
    if (interactions > 0 || since !== horizon) {
      // An upsert: a reset bank (TRUNCATE) may have emptied the table.
      await trx.raw(`INSERT INTO report_watermark (id, horizon, projected_at) VALUES (1, ?::xid8, now())
        ON CONFLICT (id) DO UPDATE SET horizon = excluded.horizon, projected_at = excluded.projected_at`, [horizon]);
    }
    return { interactions };
  });
}
