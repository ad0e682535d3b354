import type { Knex } from 'knex';

/** Who reads: role, book and organisation unit from the users table (the current row, not the token). */
export interface ViewerScope { role: string; rm_id: number | null; org_unit: string | null }
export interface CustomerScope { id: number; rm_id: number | null; org_unit: string | null }

export async function viewerScope(db: Knex, userId: number): Promise<ViewerScope | undefined> {
  return db('users').where({ id: userId }).first('role', 'rm_id', 'org_unit');
}

export async function customerScope(db: Knex, customerId: number): Promise<CustomerScope | undefined> {
  return db('customers').where({ id: customerId }).first('id', 'rm_id', 'org_unit');
}

/**
 * Limits a query on customers (aliased `alias`) to what the viewer may read: an RM their own book,
 * staff of a unit that unit's customers and those of no unit. Nothing when the bank sets neither.
 */
export function scopeCustomers(query: Knex.QueryBuilder, scope: ViewerScope, alias = 'c'): Knex.QueryBuilder {
  if (scope.role === 'rm') query.where(`${alias}.rm_id`, scope.rm_id ?? -1);
  if (scope.org_unit) query.where((w) => w.whereNull(`${alias}.org_unit`).orWhere(`${alias}.org_unit`, scope.org_unit));
  return query;
}

/** The viewer handled, was consulted on, was sent, or monitors this call with this customer: live, or ended after `since`. */
export async function servedOnCall(db: Knex, q: { userId: number; customerId: number; callSid: string; since: Date }): Promise<boolean> {
  const row = await db('queue_entries as e')
    .where({ 'e.call_sid': q.callSid, 'e.customer_id': q.customerId })
    .where((w) => w.whereNull('e.ended_at').orWhere('e.ended_at', '>', q.since))
    .where((w) => w.where('e.agent_id', q.userId).orWhere('e.consult_agent_id', q.userId).orWhere('e.target_agent_id', q.userId)
      .orWhereExists(db('monitor_legs as m').whereRaw('m.entry_id = e.id').where('m.supervisor_id', q.userId)))
    .first(db.raw('1 AS ok'));
  return Boolean(row);
}

/** The viewer holds (or held since `since`) a campaign preview of this customer: the call they are about to place. */
export async function previewedBy(db: Knex, q: { userId: number; customerId: number; since: Date }): Promise<boolean> {
  const row = await db('dial_attempts').where({ agent_id: q.userId, customer_id: q.customerId })
    .where((w) => w.where('state', 'preview').orWhereNull('ended_at').orWhere('ended_at', '>', q.since)).first(db.raw('1 AS ok'));
  return Boolean(row);
}

/** An audited search or caller-ID lookup by this viewer since `since` returned this customer. */
export async function foundBySearch(db: Knex, q: { userId: number; customerId: number; since: Date }): Promise<boolean> {
  const row = await db('audit_log')
    .where('actor_user_id', q.userId).where('at', '>', q.since)
    .where((w) => w
      .where((s) => s.where('action', 'customer.search').whereRaw(`details->'results' @> ?::jsonb`, [JSON.stringify([q.customerId])]))
      .orWhere((l) => l.whereIn('action', ['customer.lookup', 'customer.view']).where('customer_id', q.customerId).whereRaw(`details \\? 'candidates'`)))
    .first(db.raw('1 AS ok'));
  return Boolean(row);
}

/** The customer asked to be called back and the request is still open. */
export async function openCallback(db: Knex, customerId: number): Promise<boolean> {
  return Boolean(await db('callback_requests').where({ customer_id: customerId }).whereIn('state', ['scheduled', 'queued', 'dialing']).first(db.raw('1 AS ok')));
}

/** The viewer read this customer's interactions (an audited review) since `since`. */
export async function reviewedInteractions(db: Knex, q: { userId: number; customerId: number; since: Date }): Promise<boolean> {
  return Boolean(await db('audit_log').where({ actor_user_id: q.userId, action: 'customer.interactions_view', customer_id: q.customerId }).where('at', '>', q.since).first(db.raw('1 AS ok')));
}

/**
 * Counts one profile read in the viewer's current minute and hour, atomically (one statement,
 * whatever the number of nodes or parallel requests): the counts after this read.
 */
export async function countView(db: Knex, userId: number): Promise<{ minute: number; hour: number }> {
  const { rows } = await db.raw<{ rows: { window_seconds: number; views: number }[] }>(`
    INSERT INTO profile_view_counts (user_id, window_seconds, window_start, views)
    VALUES (?, 60, date_trunc('minute', now()), 1), (?, 3600, date_trunc('hour', now()), 1)
    ON CONFLICT (user_id, window_seconds, window_start) DO UPDATE SET views = profile_view_counts.views + 1
    RETURNING window_seconds, views`, [userId, userId]);
  const of = (w: number) => Number(rows.find((r) => Number(r.window_seconds) === w)?.views ?? 0);
  return { minute: of(60), hour: of(3600) };
}

export async function purgeViewCounts(db: Knex, before: Date): Promise<void> {
  await db('profile_view_counts').where('window_start', '<', before).delete();
}

/** Users who went past a read limit, or had reads refused for an unverifiable purpose, since `since`. */
export async function viewAnomalies(db: Knex, q: { since: Date; perMinute: number; perHour: number }) {
  const { rows } = await db.raw<{ rows: { user_id: number; username: string; over_limit: number; refused: number }[] }>(`
    SELECT u.id AS user_id, u.username,
      coalesce((SELECT max(views) FROM profile_view_counts v WHERE v.user_id = u.id AND v.window_start + make_interval(secs => v.window_seconds) > ?
        AND ((v.window_seconds = 60 AND v.views > ?) OR (v.window_seconds = 3600 AND v.views > ?))), 0) AS over_limit,
      (SELECT count(*) FROM audit_log a WHERE a.actor_user_id = u.id AND a.action = 'customer.view_refused' AND a.at > ?
        AND a.details->>'reason' <> 'throttled') AS refused
    FROM users u
    WHERE u.id IN (SELECT user_id FROM profile_view_counts WHERE window_start > ?
      UNION SELECT actor_user_id FROM audit_log WHERE action = 'customer.view_refused' AND at > ?)`,
  [q.since, q.perMinute, q.perHour, q.since, new Date(q.since.getTime() - 3_600_000), q.since]);
  return rows.map((r) => ({ user_id: Number(r.user_id), username: r.username, over_limit: Number(r.over_limit), refused: Number(r.refused) }));
}
