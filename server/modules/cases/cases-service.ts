import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { recordAudit } from '../audit/audit-repository.js';
import { appendEvents } from '../interactions/interactions-repository.js';
import type { EntryRow } from '../routing/routing-repository.js';
import type { Condition } from '../supervision/alerts-repository.js';
import type { CaseSla } from './case-sla.js';
import {
  activeCaseOf, callOfCase, cancelCaseTasks, caseReport, claimAtRisk, complaintOnInteraction, customerExists, escalatedCases, findCase, findStaff, findTask, inboundCalls, insertCase, insertCaseEvents, insertTask,
  listCaseEvents, listCases, listTasks, nextOwner, taskCallOf, updateCase, updateTask, type CaseReportRow, type CaseRow, type TaskRow,
} from './cases-repository.js';
import {
  ACTIVE_STATUSES, type Case, type CaseCreate, type CaseReport, type CaseReportQuery, type CaseStatus, type CasesQuery, type CaseTransition, type Task, type TaskComplete,
} from './cases-schemas.js';

export interface CasesDeps {
  db: Knex;
  sla: CaseSla;
  /** Working hours a follow-up or feedback task is due within. */
  taskHours: number;
  /** A customer's cases changed: the pop of a call in progress is refreshed. */
  changed: (customerId: number) => void;
  log: FastifyBaseLogger;
  now?: () => Date;
  /** A caller with an active case: to its owner, to the complaints skill, or routed like anyone (CASE_CALLER_ROUTING). */
  callerRouting?: 'off' | 'owner' | 'skill';
  /** CASE_SKILL: the complaints skill. */
  caseSkill?: string;
  /** RM_SKILL: the queue an RM's callback call falls back to when the RM is not free. */
  rmSkill?: string;
  /** Places a call to the customer on the outbound path (a callback offered first to `target_agent_id`), in the caller's transaction. */
  placeCall?: (trx: Knex, c: { customer_id: number; skill: string; reason: string; target_agent_id: number }, actor: Actor, ip?: string) => Promise<string>;
}

type Actor = Pick<TokenClaims, 'sub' | 'username' | 'role'>;
const SUPERVISING = new Set(['supervisor', 'admin']);
const OWNER_ROLES = new Set(['agent', 'supervisor', 'rm']);
const SWEEP_BATCH = 200;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Which step each action takes, from which states. `assign` keeps a case in progress in progress (a new owner). */
const STEPS: Record<CaseTransition['action'], { from: readonly CaseStatus[]; event: string }> = {
  assign: { from: ['open', 'assigned', 'in_progress'], event: 'assigned' },
  start: { from: ['assigned'], event: 'started' },
  resolve: { from: ['in_progress'], event: 'resolved' },
  close: { from: ['feedback_contacted'], event: 'closed' },
  reopen: { from: ['resolved', 'feedback_contacted', 'closed'], event: 'reopened' },
};

export { toTask };

export function toCase(r: CaseRow, now: Date): Case {
  const active = ACTIVE_STATUSES.includes(r.status);
  return {
    id: String(r.id), case_no: r.case_no, customer_id: r.customer_id, kind: r.kind, category: r.category, severity: r.severity, status: r.status,
    summary: r.summary, description: r.description, channel: r.channel, interaction_id: r.interaction_id, products: r.products ?? [],
    owner_id: r.owner_id, owner: r.owner, opened_at: iso(r.opened_at)!, ack_due_at: iso(r.ack_due_at), sla_due_at: iso(r.sla_due_at)!,
    acknowledged_at: iso(r.acknowledged_at), resolved_at: iso(r.resolved_at), result: r.result, satisfaction: r.satisfaction,
    escalated_at: iso(r.escalated_at), reopened: r.reopened, closed_at: iso(r.closed_at),
    at_risk: active && (r.escalated_at !== null || new Date(r.sla_due_at) < now),
  };
}

const toTask = (t: TaskRow): Task => ({
  id: String(t.id), kind: t.kind, state: t.state, customer_id: t.customer_id, case_id: t.case_id === null ? null : String(t.case_id), case_no: t.case_no,
  interaction_id: t.interaction_id, assignee_id: t.assignee_id, reason: t.reason, due_at: iso(t.due_at)!, created_at: iso(t.created_at)!,
  completed_at: iso(t.completed_at), satisfaction: t.satisfaction, purpose: t.purpose ?? null,
  callback_id: t.callback_id === null || t.callback_id === undefined ? null : String(t.callback_id), contact_interaction_id: t.contact_interaction_id ?? null,
});

/** The tasks done by calling the customer, and the callback states that mean a call for one is still under way. */
const CALLED_KINDS = new Set(['feedback', 'callback']);
const CALL_UNDER_WAY = new Set(['scheduled', 'queued', 'dialing']);

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);
function figures(r: Omit<CaseReportRow, 'key'>) {
  return {
    calls: r.calls, cases: r.cases, complaints: r.complaints,
    complaints_per_1000_calls: r.calls === 0 ? null : Math.round((10_000 * r.complaints) / r.calls) / 10,
    resolved: r.resolved, sla_met_percent: pct(r.resolved_within_sla, r.resolved),
    avg_hours_to_resolve: r.resolved === 0 ? null : Math.round((10 * r.resolve_hours_total) / r.resolved) / 10,
    reopen_percent: pct(r.reopened, r.resolved),
  };
}

/**
 * Cases: complaints, suggestions and service requests raised on a call (or by another system),
 * worked through open → assigned → in progress → resolved → feedback contacted → closed against
 * an SLA in the bank's working hours. Every step is a case event (who, when); a step from the
 * wrong state is refused (409) and nothing changes. A case at risk of its SLA is escalated once,
 * to a supervisor, and stays on the wallboard as an alert until it is resolved.
 */
export function createCasesService(deps: CasesDeps) {
  const { db, sla } = deps;
  const clock = deps.now ?? (() => new Date());

  async function detail(executor: Knex, id: number, now: Date) {
    const r = await findCase(executor, id);
    if (!r) throw appError('SB_ERR_CASE_NOT_FOUND');
    const events = (await listCaseEvents(executor, id)).map((e) => ({ ...e, at: iso(e.at)!, data: e.data ?? {} }));
    const tasks = (await listTasks(executor, { case_id: id, state: 'open', limit: 50 })).concat(await listTasks(executor, { case_id: id, state: 'done', limit: 50 })).map(toTask);
    return { ...toCase(r, now), events, tasks };
  }

  async function taskFor(trx: Knex, t: { kind: 'follow_up' | 'feedback'; customer_id: number | null; case_id: number | null; interaction_id: string | null; assignee_id: number | null; created_by: number | null; reason: string; due_at?: Date }, now: Date) {
    return insertTask(trx, { ...t, due_at: t.due_at ?? sla.after(now, Math.round(deps.taskHours * 60)), created_at: now });
  }

  return {
    /**
     * Opens a case. An agent opens it on their own call (its interaction, which must be theirs
     * and this customer's); supervisors and other systems may open one without a call.
     */
    async open(c: CaseCreate, actor: Actor, ip?: string) {
      const now = clock();
      const id = await db.transaction(async (trx) => {
        if (!(await customerExists(trx, c.customer_id))) throw appError('SB_ERR_CUSTOMER_NOT_FOUND');
        if (c.interaction_id) {
          const i = await callOfCase(trx, c.interaction_id);
          if (!i) throw appError('SB_ERR_INTERACTION_NOT_FOUND');
          if (i.customer_id !== null && i.customer_id !== c.customer_id) throw appError('SB_ERR_CASE_INTERACTION_INVALID');
          if (!SUPERVISING.has(actor.role) && i.agent_user_id !== Number(actor.sub)) throw appError('SB_ERR_CASE_INTERACTION_INVALID');
        } else if (actor.role === 'agent') {
          throw appError('SB_ERR_CASE_INTERACTION_INVALID', 'An agent opens a case from their call: give its interaction_id');
        }
        const caseId = await insertCase(trx, {
          customer_id: c.customer_id, kind: c.kind, category: c.category, severity: c.severity, summary: c.summary, description: c.description ?? null,
          channel: c.interaction_id ? 'phone' : 'api', interaction_id: c.interaction_id ?? null, products: c.products, created_by: Number(actor.sub), opened_at: now,
          ...sla.deadlines(c.kind, c.category, now),
        });
        const row = (await findCase(trx, caseId))!;
        await insertCaseEvents(trx, [{ case_id: caseId, type: 'opened', from_status: null, to_status: 'open', actor_id: Number(actor.sub), actor: actor.username, at: now, data: { kind: c.kind, category: c.category, severity: c.severity, sla_due_at: iso(row.sla_due_at) } }]);
        if (c.interaction_id) {
          await appendEvents(trx, c.interaction_id, [{ type: 'case_opened', data: { case_id: caseId, case_no: row.case_no, kind: c.kind, category: c.category, by: actor.username }, at: now }]);
        }
        await recordAudit(trx, { actor: actor as TokenClaims, action: 'case.open', customer_id: c.customer_id, ip, details: { case_id: caseId, kind: c.kind, category: c.category } });
        return caseId;
      });
      deps.changed(c.customer_id);
      return detail(db, id, now);
    },

    /** One case with its events and tasks: supervisors any, others the cases they own or opened (audited). */
    async get(id: number, actor: Actor, ip?: string) {
      const now = clock();
      const d = await detail(db, id, now);
      const me = Number(actor.sub);
      if (!SUPERVISING.has(actor.role) && d.owner_id !== me && (await findCase(db, id))?.created_by !== me) {
        throw appError('SB_ERR_AUTH_FORBIDDEN', 'Only its owner, whoever opened it, or a supervisor may read a case');
      }
      await recordAudit(db, { actor: actor as TokenClaims, action: 'case.view', customer_id: d.customer_id, ip, details: { case_id: id } });
      return d;
    },

    async list(q: CasesQuery) {
      const now = clock();
      return { cases: (await listCases(db, q, now)).map((r) => toCase(r, now)) };
    },

    /** One step of a case's lifecycle; refused (409) from the wrong state, nothing changed. */
    async transition(id: number, t: CaseTransition, actor: Actor, ip?: string) {
      const now = clock();
      const step = STEPS[t.action];
      const customerId = await db.transaction(async (trx) => {
        const r = await findCase(trx, id, true);
        if (!r) throw appError('SB_ERR_CASE_NOT_FOUND');
        const me = Number(actor.sub);
        const selfAssign = t.action === 'assign' && (t.owner_id === undefined || t.owner_id === me) && r.owner_id === null;
        if (!SUPERVISING.has(actor.role) && r.owner_id !== me && !selfAssign) throw appError('SB_ERR_AUTH_FORBIDDEN', 'Only the case owner or a supervisor may change this case');
        if (!step.from.includes(r.status)) {
          throw appError('SB_ERR_CASE_TRANSITION_INVALID', `A ${r.status} case cannot ${t.action} (only from ${step.from.join(', ')})`, { status: r.status, action: t.action });
        }
        const change: Partial<CaseRow> = {};
        let to: CaseStatus = r.status;
        const data: Record<string, unknown> = {};
        switch (t.action) {
          case 'assign': {
            const ownerId = t.owner_id ?? me;
            const owner = await findStaff(trx, ownerId);
            if (!owner || !owner.active || !OWNER_ROLES.has(owner.role)) throw appError('SB_ERR_CASE_OWNER_INVALID');
            to = r.status === 'open' ? 'assigned' : r.status;
            Object.assign(change, { owner_id: ownerId, acknowledged_at: r.acknowledged_at ?? now });
            Object.assign(data, { owner_id: ownerId, owner: owner.username, from_owner_id: r.owner_id });
            break;
          }
          case 'start':
            to = 'in_progress';
            break;
          case 'resolve': {
            if (!t.result?.trim()) throw appError('SB_ERR_CASE_RESULT_REQUIRED');
            to = 'resolved';
            Object.assign(change, { resolved_at: now, result: t.result });
            // The mandatory result-feedback contact: the owner calls the customer back.
            const taskId = await taskFor(trx, { kind: 'feedback', customer_id: r.customer_id, case_id: r.id, interaction_id: r.interaction_id, assignee_id: r.owner_id ?? me, created_by: me, reason: 'case_feedback' }, now);
            Object.assign(data, { feedback_task_id: taskId, within_sla: now <= new Date(r.sla_due_at) });
            break;
          }
          case 'close':
            to = 'closed';
            change.closed_at = now;
            break;
          case 'reopen': {
            to = r.owner_id === null ? 'open' : 'in_progress';
            // A reopened case is worked to a fresh target; the feedback it owed waits for the new result.
            const { ack_due_at, sla_due_at, risk_at } = sla.deadlines(r.kind, r.category, now);
            Object.assign(change, { reopened: r.reopened + 1, sla_due_at, risk_at, ack_due_at, escalated_at: null, resolved_at: null, closed_at: null });
            await cancelCaseTasks(trx, r.id, 'feedback', now);
            Object.assign(data, { note: t.note ?? null, sla_due_at: sla_due_at.toISOString() });
            break;
          }
        }
        await updateCase(trx, r.id, { ...change, status: to });
        await insertCaseEvents(trx, [{ case_id: r.id, type: step.event, from_status: r.status, to_status: to, actor_id: me, actor: actor.username, at: now, data }]);
        await recordAudit(trx, { actor: actor as TokenClaims, action: 'case.transition', customer_id: r.customer_id, ip, details: { case_id: r.id, action: t.action, from: r.status, to } });
        return r.customer_id;
      });
      deps.changed(customerId);
      return detail(db, id, now);
    },

    listTasks: async (q: { mine: boolean; state: string; case_id?: string; limit: number }, actor: Actor) => {
      const everyone = !q.mine && SUPERVISING.has(actor.role);
      const rows = await listTasks(db, { state: q.state, limit: q.limit, case_id: q.case_id ? Number(q.case_id) : undefined, assignee_id: everyone ? undefined : Number(actor.sub) });
      return { tasks: rows.map(toTask) };
    },

    /**
     * Completes a task. The feedback contact of a resolved case records the customer's
     * satisfaction and moves the case to feedback contacted; a score of 1-2 opens a follow-up.
     */
    async completeTask(id: string, body: TaskComplete, actor: Actor, ip?: string) {
      const now = clock();
      const me = Number(actor.sub);
      const customerId = await db.transaction(async (trx) => {
        const task = await findTask(trx, id, true);
        if (!task) throw appError('SB_ERR_TASK_NOT_FOUND');
        if (!SUPERVISING.has(actor.role) && task.assignee_id !== me) throw appError('SB_ERR_AUTH_FORBIDDEN', 'This task is assigned to someone else');
        if (task.state !== 'open') throw appError('SB_ERR_TASK_STATE_INVALID');
        if (task.kind === 'feedback' && body.satisfaction === undefined) throw appError('SB_ERR_TASK_SATISFACTION_REQUIRED');
        // Done by calling the customer: the call of it that reached them is kept with the task.
        const called = task.callback_id ? await taskCallOf(trx, String(task.callback_id)) : undefined;
        await updateTask(trx, id, { state: 'done', completed_at: now, completed_by: me, satisfaction: body.satisfaction ?? null, note: body.note ?? null, contact_interaction_id: called?.interaction_id ?? null });
        if (task.kind === 'feedback' && task.case_id !== null) {
          const r = (await findCase(trx, task.case_id, true))!;
          if (r.status !== 'resolved') throw appError('SB_ERR_CASE_TRANSITION_INVALID', `A ${r.status} case takes no feedback contact`);
          await updateCase(trx, r.id, { status: 'feedback_contacted', satisfaction: body.satisfaction! });
          const data: Record<string, unknown> = { task_id: id, satisfaction: body.satisfaction, contact_interaction_id: called?.interaction_id ?? null };
          if (body.satisfaction! <= 2) {
            data.follow_up_task_id = await taskFor(trx, { kind: 'follow_up', customer_id: r.customer_id, case_id: r.id, interaction_id: r.interaction_id, assignee_id: r.owner_id ?? me, created_by: me, reason: 'low_satisfaction' }, now);
          }
          await insertCaseEvents(trx, [{ case_id: r.id, type: 'feedback_contacted', from_status: 'resolved', to_status: 'feedback_contacted', actor_id: me, actor: actor.username, at: now, data }]);
        }
        await recordAudit(trx, { actor: actor as TokenClaims, action: 'task.complete', customer_id: task.customer_id, ip, details: { task_id: id, kind: task.kind, satisfaction: body.satisfaction ?? null } });
        return task.customer_id;
      });
      if (customerId !== null) deps.changed(customerId);
      return toTask((await findTask(db, id))!);
    },

    /**
     * Does a feedback (or an RM's callback) task by calling the customer on the outbound path: a
     * callback offered first to whoever asked (the owner, the RM), through the skill's queue if they
     * are not free. One call at a time per task; on the case's events. Audited as a callback.
     */
    async callTask(id: string, actor: Actor, ip?: string) {
      const now = clock();
      const me = Number(actor.sub);
      const callbackId = await db.transaction(async (trx) => {
        const task = await findTask(trx, id, true);
        if (!task) throw appError('SB_ERR_TASK_NOT_FOUND');
        if (!SUPERVISING.has(actor.role) && task.assignee_id !== me) throw appError('SB_ERR_AUTH_FORBIDDEN', 'This task is assigned to someone else');
        if (task.state !== 'open' || !CALLED_KINDS.has(task.kind) || task.customer_id === null || !deps.placeCall) throw appError('SB_ERR_TASK_CALL_INVALID');
        if (task.callback_id) {
          const prior = await taskCallOf(trx, String(task.callback_id));
          if (prior && CALL_UNDER_WAY.has(prior.state)) throw appError('SB_ERR_TASK_CALL_INVALID', 'A call placed for this task is still under way');
        }
        const skill = task.kind === 'feedback' ? (deps.caseSkill ?? 'complaints') : (deps.rmSkill ?? 'private_banking');
        const cb = await deps.placeCall(trx, { customer_id: task.customer_id, skill, reason: task.kind === 'feedback' ? 'case_feedback' : 'rm_callback', target_agent_id: me }, actor, ip);
        await updateTask(trx, id, { callback_id: cb });
        if (task.case_id !== null) {
          const r = (await findCase(trx, task.case_id))!;
          await insertCaseEvents(trx, [{ case_id: r.id, type: 'feedback_call', from_status: r.status, to_status: r.status, actor_id: me, actor: actor.username, at: now, data: { task_id: id, callback_id: cb } }]);
        }
        return cb;
      });
      return { callback_id: callbackId, task: toTask((await findTask(db, id))!) };
    },

    /**
     * Where a caller with an active case goes (CASE_CALLER_ROUTING): offered first to the case's
     * owner (routing hands them on to the queue they chose if the owner is not free within the
     * offer time), or to the complaints skill. Callbacks and calls already meant for someone keep their way.
     */
    async routeCaller<T extends { customer_id: number | null; skill: string; interaction_id: string; target_agent_id?: number | null; callback_id?: string | null }>(trx: Knex, c: T): Promise<T> {
      const mode = deps.callerRouting ?? 'off';
      if (mode === 'off' || c.customer_id === null || c.target_agent_id || c.callback_id) return c;
      const k = await activeCaseOf(trx, c.customer_id);
      if (!k) return c;
      const caseSkill = deps.caseSkill ?? 'complaints';
      const routed = mode === 'owner' && k.owner_id !== null && k.owner_takes_calls ? { ...c, target_agent_id: k.owner_id }
        : mode === 'skill' && c.skill !== caseSkill ? { ...c, skill: caseSkill } : null;
      if (!routed) return c;
      await appendEvents(trx, c.interaction_id, [{ type: 'routed_by_case', data: { case_id: k.id, case_no: k.case_no, rule: mode, ...(mode === 'owner' ? { owner_id: k.owner_id } : { skill: caseSkill, from_skill: c.skill }) }, at: clock() }]);
      return routed;
    },

    /** Case figures for supervisors: complaint rate per 1,000 calls, SLA met %, time to resolve, reopen rate, by category, tier or team. */
    async report(q: CaseReportQuery): Promise<CaseReport> {
      const from = new Date(q.from);
      const to = new Date(q.to);
      if (!(from < to)) throw appError('SB_ERR_REQUEST_INVALID', 'from must be before to');
      const rows = await caseReport(db, { from, to, by: q.by });
      const sum = (k: keyof Omit<CaseReportRow, 'key'>) => rows.reduce((n, r) => n + r[k], 0);
      const total = figures({
        calls: await inboundCalls(db, from, to), cases: sum('cases'), complaints: sum('complaints'), resolved: sum('resolved'),
        resolved_within_sla: sum('resolved_within_sla'), resolve_hours_total: sum('resolve_hours_total'), reopened: sum('reopened'),
      });
      return { from: from.toISOString(), to: to.toISOString(), by: q.by, total, rows: rows.map((r) => ({ key: r.key, ...figures(r) })) };
    },

    /** The wrap-up's `complaint_logged`: the complaint must have been opened on this call. */
    async requireComplaint(trx: Knex, entry: EntryRow): Promise<void> {
      if (!(await complaintOnInteraction(trx, entry.interaction_id))) throw appError('SB_ERR_CASE_REQUIRED');
    },

    /** The wrap-up's `follow_up`: a task for the agent, due at their time or within the task hours (on the call's timeline). */
    async followUp(trx: Knex, entry: EntryRow, agent: { sub: string }, w: { reason_codes: string[]; follow_up_at?: string }): Promise<string> {
      const now = clock();
      const c = await complaintOnInteraction(trx, entry.interaction_id);
      const due = w.follow_up_at ? new Date(w.follow_up_at) : undefined;
      if (due && due <= now) throw appError('SB_ERR_REQUEST_INVALID', 'follow_up_at must be in the future');
      const taskId = await taskFor(trx, {
        kind: 'follow_up', customer_id: entry.customer_id, case_id: c?.id ?? null, interaction_id: entry.interaction_id, assignee_id: Number(agent.sub), created_by: Number(agent.sub),
        reason: w.reason_codes[0] ?? 'call_follow_up', due_at: due,
      }, now);
      await appendEvents(trx, entry.interaction_id, [{ type: 'follow_up_task', data: { task_id: taskId, agent_id: Number(agent.sub) }, at: now }]);
      return taskId;
    },

    /** Escalates each case newly at risk, once: to a supervisor, with an event saying why. */
    async sweep(): Promise<void> {
      const now = clock();
      const changed = await db.transaction(async (trx) => {
        const rows = await claimAtRisk(trx, now, SWEEP_BATCH);
        for (const r of rows) {
          const next = await nextOwner(trx, r.owner_id);
          const why = r.risk_at !== null && new Date(r.risk_at) <= now ? 'resolve_at_risk' : 'not_acknowledged';
          const to: CaseStatus = next && r.status === 'open' ? 'assigned' : r.status;
          await updateCase(trx, r.id, { escalated_at: now, status: to, ...(next ? { owner_id: next.id } : {}) });
          await insertCaseEvents(trx, [{
            case_id: r.id, type: 'escalated', from_status: r.status, to_status: to, actor_id: null, actor: 'system', at: now,
            data: { reason: why, from_owner_id: r.owner_id, owner_id: next?.id ?? r.owner_id, owner: next?.username ?? null, sla_due_at: iso(r.sla_due_at) },
          }]);
        }
        return rows;
      });
      for (const r of changed) deps.log.warn({ case_id: r.id, case_no: r.case_no }, 'case at risk of its SLA: escalated');
      for (const customerId of new Set(changed.map((r) => r.customer_id))) deps.changed(customerId);
    },

    /** The wallboard's alert conditions: one for each active case that was escalated. */
    async riskConditions(): Promise<Condition[]> {
      const now = clock();
      return (await escalatedCases(db, 500)).map((r) => {
        const late = new Date(r.sla_due_at) < now;
        return {
          kind: 'case_at_risk' as const, subject: `case:${r.id}`, severity: late ? ('critical' as const) : ('warning' as const),
          message: `${r.case_no} (${r.category}) ${late ? 'past' : 'at risk of'} its SLA (${iso(r.sla_due_at)}); escalated to ${r.owner ?? 'nobody'}`,
          data: { case_id: String(r.id), case_no: r.case_no, category: r.category, kind: r.kind, sla_due_at: iso(r.sla_due_at), late, owner_id: r.owner_id, owner: r.owner },
        };
      });
    },
  };
}

export type CasesService = ReturnType<typeof createCasesService>;
