import type { Knex } from 'knex';
import { ACTIVE_STATUSES, type CaseStatus } from './cases-schemas.js';

export interface CaseRow {
  id: number; case_no: string; customer_id: number; kind: string; category: string; severity: string; status: CaseStatus;
  summary: string; description: string | null; channel: string; interaction_id: string | null; products: string[];
  owner_id: number | null; owner: string | null; created_by: number | null; opened_at: Date; ack_due_at: Date | null; sla_due_at: Date; risk_at: Date | null;
  acknowledged_at: Date | null; resolved_at: Date | null; result: string | null; satisfaction: number | null;
  escalated_at: Date | null; reopened: number; closed_at: Date | null;
}

export interface NewCase {
  customer_id: number; kind: string; category: string; severity: string; summary: string; description: string | null; channel: string;
  interaction_id: string | null; products: string[]; created_by: number | null; opened_at: Date; ack_due_at: Date; sla_due_at: Date; risk_at: Date;
}

export interface CaseEventRow { case_id: number; type: string; from_status: string | null; to_status: string | null; actor_id: number | null; actor: string; at: Date; data?: Record<string, unknown> }

export type TaskKind = 'follow_up' | 'feedback' | 'callback' | 'visit' | 'retention';

export interface TaskRow {
  id: string; kind: TaskKind; state: 'open' | 'done' | 'cancelled'; customer_id: number | null; case_id: number | null; case_no: string | null;
  interaction_id: string | null; assignee_id: number | null; created_by: number | null; reason: string; due_at: Date; created_at: Date;
  completed_at: Date | null; completed_by: number | null; satisfaction: number | null; note: string | null;
  purpose: string | null; duration_min: number | null; reminded_at: Date | null; callback_id: string | null; contact_interaction_id: string | null;
}

const caseColumns = (db: Knex) => db('complaints as c').leftJoin('users as u', 'u.id', 'c.owner_id').select('c.*', 'u.display_name as owner');

export async function customerExists(trx: Knex, id: number): Promise<boolean> {
  return Boolean(await trx('customers').where({ id }).first('id'));
}

/** The call a case is raised on: whose it is, and which agent took it. */
export async function callOfCase(trx: Knex, interactionId: string): Promise<{ id: string; customer_id: number | null; agent_user_id: number | null } | undefined> {
  return trx('interactions').where({ id: interactionId }).first('id', 'customer_id', 'agent_user_id');
}

export async function insertCase(trx: Knex, c: NewCase): Promise<number> {
  // The number is made from the row's own id: unique without a second sequence.
  const [row] = await trx('complaints').insert({ ...c, products: JSON.stringify(c.products), case_no: trx.raw(`'tmp-' || gen_random_uuid()`), status: 'open' }).returning('id');
  const id = Number((row as { id: number }).id);
  await trx('complaints').where({ id }).update({ case_no: `CS-${c.opened_at.toISOString().slice(0, 4)}-${String(id).padStart(6, '0')}` });
  return id;
}

export async function findCase(db: Knex, id: number, lock = false): Promise<CaseRow | undefined> {
  if (lock) await db('complaints').where({ id }).forUpdate().first('id');
  return (await caseColumns(db).where('c.id', id).first()) as CaseRow | undefined;
}

export async function updateCase(trx: Knex, id: number, change: Partial<Omit<CaseRow, 'id' | 'owner'>>): Promise<void> {
  await trx('complaints').where({ id }).update(change);
}

export async function listCases(db: Knex, q: { status?: string; customer_id?: number; owner_id?: number; at_risk?: boolean; limit: number }, now: Date): Promise<CaseRow[]> {
  const rows = caseColumns(db).orderBy('c.sla_due_at').orderBy('c.id').limit(q.limit);
  if (q.status === 'active') rows.whereIn('c.status', ACTIVE_STATUSES);
  else if (q.status) rows.where('c.status', q.status);
  if (q.customer_id !== undefined) rows.where('c.customer_id', q.customer_id);
  if (q.owner_id !== undefined) rows.where('c.owner_id', q.owner_id);
  if (q.at_risk !== undefined) {
    const risky = (b: Knex.QueryBuilder) => b.whereIn('c.status', ACTIVE_STATUSES).andWhere((w) => w.whereNotNull('c.escalated_at').orWhere('c.sla_due_at', '<', now));
    if (q.at_risk) rows.where(risky);
    else rows.whereNot(risky);
  }
  return (await rows) as CaseRow[];
}

/** A complaint opened on this call (the wrap-up's complaint_logged needs one). */
export async function complaintOnInteraction(trx: Knex, interactionId: string): Promise<{ id: number; case_no: string } | undefined> {
  return trx('complaints').where({ interaction_id: interactionId, kind: 'complaint' }).orderBy('id').first('id', 'case_no');
}

/**
 * Active cases at risk and not yet escalated: past their at-risk point, or unacknowledged past
 * their acknowledge target. Locked and skipped by other nodes, so each is escalated once.
 */
export async function claimAtRisk(trx: Knex, now: Date, limit: number): Promise<CaseRow[]> {
  const { rows } = await trx.raw<{ rows: CaseRow[] }>(`SELECT * FROM complaints
    WHERE escalated_at IS NULL AND status IN ('open', 'assigned', 'in_progress')
      AND (risk_at <= ? OR (status = 'open' AND ack_due_at <= ?))
    ORDER BY risk_at LIMIT ? FOR UPDATE SKIP LOCKED`, [now, now, limit]);
  return rows;
}

/** Active cases that were escalated (at risk): the wallboard keeps an alert open for each. */
export async function escalatedCases(db: Knex, limit: number): Promise<Pick<CaseRow, 'id' | 'case_no' | 'category' | 'kind' | 'sla_due_at' | 'owner_id' | 'owner' | 'escalated_at'>[]> {
  return caseColumns(db).clearSelect().select('c.id', 'c.case_no', 'c.category', 'c.kind', 'c.sla_due_at', 'c.owner_id', 'u.display_name as owner', 'c.escalated_at')
    .whereIn('c.status', ACTIVE_STATUSES).whereNotNull('c.escalated_at').orderBy('c.sla_due_at').limit(limit);
}

/** The next owner of an escalated case: a supervisor of the owner's unit, else the bank's first. */
export async function nextOwner(trx: Knex, ownerId: number | null): Promise<{ id: number; username: string } | undefined> {
  const unit = ownerId === null ? null : ((await trx('users').where({ id: ownerId }).first('org_unit'))?.org_unit as string | null | undefined) ?? null;
  const q = trx('users').where({ role: 'supervisor', active: true }).whereNot('id', ownerId ?? 0);
  if (unit !== null) q.orderByRaw('(org_unit = ?) DESC NULLS LAST', [unit]);
  return q.orderBy('id').first('id', 'username');
}

export async function findStaff(db: Knex, id: number): Promise<{ id: number; username: string; role: string; active: boolean } | undefined> {
  return db('users').where({ id }).first('id', 'username', 'role', 'active');
}

export async function insertCaseEvents(trx: Knex, events: CaseEventRow[]): Promise<void> {
  if (events.length) await trx('case_events').insert(events.map((e) => ({ ...e, data: JSON.stringify(e.data ?? {}) })));
}

export async function listCaseEvents(db: Knex, caseId: number) {
  return db('case_events').where({ case_id: caseId }).orderBy('id').select('type', 'from_status', 'to_status', 'actor', 'at', 'data');
}

export type NewTask = Omit<TaskRow, 'id' | 'state' | 'case_no' | 'completed_at' | 'completed_by' | 'satisfaction' | 'note' | 'purpose' | 'duration_min' | 'reminded_at' | 'callback_id' | 'contact_interaction_id'>
  & Partial<Pick<TaskRow, 'purpose' | 'duration_min' | 'note'>>;

export async function insertTask(trx: Knex, t: NewTask): Promise<string> {
  const [row] = await trx('tasks').insert({ ...t, state: 'open' }).returning('id');
  return String((row as { id: string }).id);
}

const taskColumns = (db: Knex) => db('tasks as t').leftJoin('complaints as c', 'c.id', 't.case_id').select('t.*', 'c.case_no');

export async function findTask(db: Knex, id: string, lock = false): Promise<TaskRow | undefined> {
  if (lock) await db('tasks').where({ id }).forUpdate().first('id');
  return (await taskColumns(db).where('t.id', id).first()) as TaskRow | undefined;
}

export async function listTasks(db: Knex, q: { assignee_id?: number; state: string; case_id?: number; limit: number }): Promise<TaskRow[]> {
  const rows = taskColumns(db).where('t.state', q.state).orderBy('t.due_at').orderBy('t.id').limit(q.limit);
  if (q.assignee_id !== undefined) rows.where('t.assignee_id', q.assignee_id);
  if (q.case_id !== undefined) rows.where('t.case_id', q.case_id);
  return (await rows) as TaskRow[];
}

export async function updateTask(trx: Knex, id: string, change: Partial<Pick<TaskRow, 'state' | 'completed_at' | 'completed_by' | 'satisfaction' | 'note' | 'callback_id' | 'contact_interaction_id' | 'reminded_at'>>): Promise<void> {
  await trx('tasks').where({ id }).update(change);
}

/** Cancels the open tasks of a case of one kind (a reopened case owes no feedback yet). */
export async function cancelCaseTasks(trx: Knex, caseId: number, kind: string, now: Date): Promise<void> {
  await trx('tasks').where({ case_id: caseId, kind, state: 'open' }).update({ state: 'cancelled', completed_at: now });
}

/** The callback placed to do a task: its state, and the latest of its calls that a person answered. */
export async function taskCallOf(db: Knex, callbackId: string): Promise<{ state: string; interaction_id: string | null } | undefined> {
  const r = await db('callback_requests').where({ id: callbackId }).first('state');
  if (!r) return undefined;
  const i = await db('interactions').where({ callback_id: callbackId }).whereNotNull('answered_at').orderBy('started_at', 'desc').first('id');
  return { state: r.state as string, interaction_id: (i?.id as string | undefined) ?? null };
}

/**
 * A caller's case to route on: their active case worked soonest, with its owner when the owner
 * takes calls (has an agent's place: agents and RMs, not a supervisor it escalated to).
 */
export async function activeCaseOf(db: Knex, customerId: number): Promise<{ id: number; case_no: string; owner_id: number | null; owner_takes_calls: boolean } | undefined> {
  const r = await db('complaints as c').leftJoin('agents as a', 'a.user_id', 'c.owner_id')
    .where('c.customer_id', customerId).whereIn('c.status', ACTIVE_STATUSES)
    .orderByRaw('(c.owner_id IS NOT NULL) DESC').orderBy('c.sla_due_at').orderBy('c.id')
    .first('c.id', 'c.case_no', 'c.owner_id', db.raw('(a.user_id IS NOT NULL) AS owner_takes_calls'));
  return r ? { id: Number(r.id), case_no: r.case_no as string, owner_id: (r.owner_id as number | null) ?? null, owner_takes_calls: Boolean(r.owner_takes_calls) } : undefined;
}

export interface CaseReportRow {
  key: string; calls: number; cases: number; complaints: number; resolved: number; resolved_within_sla: number; resolve_hours_total: number; reopened: number;
}

/**
 * Case figures for cases opened in [from, to), grouped by the case's category, the customer's tier
 * or the team of the agent who opened it, read from the case events (each resolution says whether
 * it was within the SLA; the first one counts), beside the hotline's inbound calls of the same
 * period: all of them per category, the callers of that tier per tier, those the team answered per team.
 */
export async function caseReport(db: Knex, q: { from: Date; to: Date; by: 'category' | 'tier' | 'team' }): Promise<CaseReportRow[]> {
  const caseKey = { category: 'c.category', tier: "COALESCE(cu.tier, 'STANDARD')", team: "COALESCE(a.team, 'none')" }[q.by];
  const callKey = { category: "'*'", tier: "COALESCE(i.tier_at_time, 'STANDARD')", team: "COALESCE(a.team, 'none')" }[q.by];
  const { rows } = await db.raw<{ rows: Record<string, string | number | null>[] }>(`
    WITH cs AS (
      SELECT ${caseKey} AS key, c.kind, c.opened_at, c.reopened, fr.at AS resolved_at, fr.within_sla
      FROM complaints c
      LEFT JOIN customers cu ON cu.id = c.customer_id
      LEFT JOIN agents a ON a.user_id = c.created_by
      LEFT JOIN LATERAL (
        SELECT e.at, (e.data->>'within_sla')::boolean AS within_sla FROM case_events e
        WHERE e.case_id = c.id AND e.type = 'resolved' ORDER BY e.id LIMIT 1
      ) fr ON true
      WHERE c.opened_at >= ? AND c.opened_at < ?
    ), calls AS (
      SELECT ${callKey} AS key, count(*) AS calls FROM interactions i
      LEFT JOIN agents a ON a.user_id = i.agent_user_id
      WHERE i.channel = 'phone' AND i.direction = 'inbound' AND i.started_at >= ? AND i.started_at < ?
      GROUP BY 1
    ), agg AS (
      SELECT key, count(*) AS cases, count(*) FILTER (WHERE kind = 'complaint') AS complaints,
        count(resolved_at) AS resolved, count(*) FILTER (WHERE within_sla) AS resolved_within_sla,
        COALESCE(sum(EXTRACT(EPOCH FROM resolved_at - opened_at) / 3600), 0) AS resolve_hours_total,
        count(*) FILTER (WHERE reopened > 0) AS reopened
      FROM cs GROUP BY key
    )
    SELECT agg.*, COALESCE(${q.by === 'category' ? '(SELECT sum(calls) FROM calls)' : 'calls.calls'}, 0) AS calls
    FROM agg LEFT JOIN calls ON calls.key = agg.key ORDER BY agg.key`, [q.from, q.to, q.from, q.to]);
  return rows.map((r) => ({
    key: String(r.key), calls: Number(r.calls), cases: Number(r.cases), complaints: Number(r.complaints), resolved: Number(r.resolved),
    resolved_within_sla: Number(r.resolved_within_sla), resolve_hours_total: Number(r.resolve_hours_total), reopened: Number(r.reopened),
  }));
}

/** Inbound hotline calls in [from, to): the report's overall denominator. */
export async function inboundCalls(db: Knex, from: Date, to: Date): Promise<number> {
  const r = await db('interactions').where({ channel: 'phone', direction: 'inbound' }).where('started_at', '>=', from).where('started_at', '<', to).count<{ n: string }[]>('* as n').first();
  return Number(r?.n ?? 0);
}
