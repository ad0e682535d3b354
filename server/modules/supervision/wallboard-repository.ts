import type { Knex } from 'knex';
import type { ServiceLevels } from '../routing/service-levels.js';

/** A VALUES list of tier targets (seconds) to join on: tiers not listed are held to STANDARD's. */
function targetsSql(db: Knex, levels: ServiceLevels) {
  const tiers = Object.entries(levels);
  return db.raw(`(VALUES ${tiers.map(() => '(?, ?)').join(', ')}) AS t(tier, seconds)`, tiers.flatMap(([tier, l]) => [tier, l.seconds]));
}

export interface QueueFigures {
  skill: string;
  tier: string;
  waiting: number;
  oldest_since: Date | null;
  arrived: number;
  answered: number;
  answered_within: number;
  abandoned: number;
  abandoned_after: number;
  asa_s: number | null;
  arrivals_15m: number;
  abandons_1h: number;
  waited_1h_s: number;
}

/**
 * Per queue (skill × tier): what waits now, the current interval's counts (by when each thing
 * happened: arrived, answered, abandoned), and what the staffing model reads from the recent past
 * (arrivals in the last 15 minutes, abandons and all waiting exposure in the last hour, from which
 * callers' patience is estimated). One statement over the entries touched since the earlier of the
 * interval's start and an hour ago, each found through its own index.
 */
export async function queueFigures(db: Knex, now: Date, intervalStart: Date, levels: ServiceLevels): Promise<QueueFigures[]> {
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const quarterAgo = new Date(now.getTime() - 900_000);
  const since = intervalStart < hourAgo ? intervalStart : hourAgo;
  const fallback = levels.STANDARD?.seconds ?? 30;
  const rows = await db.raw(`
    SELECT e.skill, e.tier,
      COUNT(*) FILTER (WHERE e.state = 'waiting' OR e.state = 'offered')::int AS waiting,
      MIN(e.enqueued_at) FILTER (WHERE e.state = 'waiting' OR e.state = 'offered') AS oldest_since,
      COUNT(*) FILTER (WHERE e.enqueued_at >= :start)::int AS arrived,
      COUNT(*) FILTER (WHERE e.answered_at >= :start)::int AS answered,
      COUNT(*) FILTER (WHERE e.answered_at >= :start AND e.answered_at - e.enqueued_at <= make_interval(secs => COALESCE(t.seconds, :fallback)))::int AS answered_within,
      COUNT(*) FILTER (WHERE e.state = 'abandoned' AND e.ended_at >= :start)::int AS abandoned,
      COUNT(*) FILTER (WHERE e.state = 'abandoned' AND e.ended_at >= :start AND e.ended_at - e.enqueued_at > make_interval(secs => COALESCE(t.seconds, :fallback)))::int AS abandoned_after,
      AVG(EXTRACT(EPOCH FROM e.answered_at - e.enqueued_at)) FILTER (WHERE e.answered_at >= :start)::float AS asa_s,
      COUNT(*) FILTER (WHERE e.enqueued_at > :quarter)::int AS arrivals_15m,
      COUNT(*) FILTER (WHERE e.state = 'abandoned' AND e.ended_at > :hour)::int AS abandons_1h,
      COALESCE(SUM(EXTRACT(EPOCH FROM LEAST(COALESCE(e.answered_at, e.ended_at, :now), :now) - GREATEST(e.enqueued_at, :hour)))
        FILTER (WHERE COALESCE(e.answered_at, e.ended_at, :now) > :hour), 0)::float AS waited_1h_s
    FROM queue_entries e LEFT JOIN ${targetsSql(db, levels).toQuery()} USING (tier)
    -- The hotline's queues: a campaign's calls are on the campaigns table, callbacks on the callbacks backlog.
    WHERE e.campaign IS NULL AND e.callback_id IS NULL AND (e.state IN ('waiting', 'offered') OR e.enqueued_at >= :since OR e.answered_at >= :since OR e.ended_at >= :since)
    GROUP BY e.skill, e.tier`, { start: intervalStart, quarter: quarterAgo, hour: hourAgo, now, since, fallback });
  return rows.rows as QueueFigures[];
}

/** Per skill: mean handle time (talk + hold + wrap-up) of calls finished in the last hour, and the agents on it. */
export async function skillFigures(db: Knex, now: Date) {
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const [handle, staffed] = await Promise.all([
    db('queue_entries as e').join('interactions as i', 'i.id', 'e.interaction_id')
      .whereNotNull('e.answered_at').where('e.ended_at', '>', hourAgo).groupBy('e.skill')
      .select('e.skill', db.raw('AVG(EXTRACT(EPOCH FROM (COALESCE(i.wrapped_up_at, e.ended_at) - e.answered_at)))::float AS handle_s')),
    db.raw(`SELECT s.skill,
        COUNT(*) FILTER (WHERE a.state NOT IN ('offline', 'away'))::int AS staffed,
        COUNT(*) FILTER (WHERE a.state = 'available')::int AS available
      FROM agents a CROSS JOIN LATERAL jsonb_object_keys(a.skills) AS s(skill)
      WHERE a.state <> 'offline' AND a.lease_until > ?
      GROUP BY s.skill`, [now]),
  ]);
  return {
    handle: new Map((handle as { skill: string; handle_s: number }[]).map((r) => [r.skill, r.handle_s])),
    staffed: new Map((staffed.rows as { skill: string; staffed: number; available: number }[]).map((r) => [r.skill, r])),
  };
}

export interface AgentBoardRow {
  user_id: number;
  display_name: string;
  state: string;
  reason: string | null;
  state_since: Date;
  entry_id: string | null;
  skill: string | null;
  tier: string | null;
  entry_state: string | null;
  held: boolean | null;
  answered_at: Date | null;
  enqueued_at: Date | null;
  handled_today: number;
}

/** Agents signed in, or signed in earlier today: their state, current call and calls answered since local midnight. */
export async function agentBoard(db: Knex, todayStart: Date): Promise<AgentBoardRow[]> {
  const rows = await db.raw(`
    SELECT a.user_id, u.display_name, a.state, a.reason, a.state_since, a.entry_id::text AS entry_id,
      e.skill, e.tier, e.state AS entry_state, e.held, e.answered_at, e.enqueued_at,
      (SELECT COUNT(*) FROM queue_entries q WHERE q.agent_id = a.user_id AND q.answered_at >= :today)::int AS handled_today
    FROM agents a JOIN users u ON u.id = a.user_id
    LEFT JOIN queue_entries e ON e.id = a.entry_id
    WHERE a.state <> 'offline' OR a.state_since >= :today
    ORDER BY u.display_name, a.user_id`, { today: todayStart });
  return rows.rows as AgentBoardRow[];
}

/** The calls at the head of the queues, in priority order, with the caller's name for a masked label. */
export async function waitingHead(db: Knex, limit: number) {
  return db('queue_entries as e').leftJoin('customers as c', 'c.id', 'e.customer_id')
    // Callers on the line: a callback not dialled yet waits on the callbacks backlog.
    .whereIn('e.state', ['waiting', 'offered']).whereNotNull('e.call_sid').orderBy([{ column: 'e.priority_at' }, { column: 'e.id' }]).limit(limit)
    .select('e.id', 'e.skill', 'e.tier', 'e.language', 'e.state', 'e.enqueued_at', db.raw('COALESCE(c.name_zh, c.name_en) AS name')) as Promise<{
      id: string; skill: string; tier: string; language: string; state: string; enqueued_at: Date; name: string | null;
    }[]>;
}

/** Campaign names by id, for the campaigns' progress rows. */
export async function campaignNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = (await db('campaigns').whereIn('id', ids).select('id', 'name')) as { id: number; name: string }[];
  return new Map(rows.map((r) => [r.id, r.name]));
}
