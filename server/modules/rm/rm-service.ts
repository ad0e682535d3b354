import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import type { TokenClaims } from '../../plugins/auth.js';
import type { Notice } from '../../lib/realtime-notices.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findTask, insertTask, listTasks } from '../cases/cases-repository.js';
import { toTask } from '../cases/cases-service.js';
import { appendEvents } from '../interactions/interactions-repository.js';
import type { EntryRow } from '../routing/routing-repository.js';
import { findUser } from '../users/users-service.js';
import { callForRm, claimReminders, clashingTask, clientCases, clientNames, interactionOf, lockAssignee, markReminded, rmOf } from './rm-repository.js';
import { CLIENT_CALLED_EVENT, TASK_ASSIGNED_EVENT, TASK_REMINDER_EVENT, type ClientCalledNotice, type RmTaskCreate } from './rm-schemas.js';

export interface RmDeps {
  db: Knex;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  /** Minutes an RM's callback and visit tasks hold them from their due time (RM_CALLBACK_MINUTES, RM_VISIT_MINUTES). */
  slotMinutes: { callback: number; visit: number };
  /** RM_REMIND_MINUTES: how long before a booked task its RM is reminded. */
  remindMinutes: number;
  now?: () => Date;
}

type Actor = Pick<TokenClaims, 'sub' | 'username' | 'role'>;
const SUPERVISING = new Set(['supervisor', 'admin']);
const REMIND_BATCH = 200;
const WORKLIST_LIMIT = 200;
const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * Relationship managers' work: a notice on their console each time one of their clients' calls
 * is wrapped up (who took it, why they called, how it ended), and a worklist: the callback, visit
 * and retention tasks agents book for them from a call (each callback or visit holds the RM for
 * a slot, and a clash with another of their tasks is refused), reminded once before they are due,
 * with the active cases of their clients beside them.
 */
export function createRmService(deps: RmDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());

  return {
    /**
     * Books a task for the customer's RM: an agent from their own call (the call's customer), an RM
     * for their own client, a supervisor for anyone's. Refused when the customer has no RM who signs
     * in (422), the time is past (400) or clashes with another of the RM's tasks (409). Audited.
     */
    async createTask(b: RmTaskCreate, actor: Actor, ip?: string) {
      const now = clock();
      const me = Number(actor.sub);
      const due = new Date(b.due_at);
      if (due <= now) throw appError('SB_ERR_TASK_TIME_INVALID');
      const { id, assignee } = await db.transaction(async (trx) => {
        let customerId = b.customer_id;
        if (b.interaction_id) {
          const i = await interactionOf(trx, b.interaction_id);
          if (!i) throw appError('SB_ERR_INTERACTION_NOT_FOUND');
          if (i.customer_id === null || (customerId !== undefined && customerId !== i.customer_id)) throw appError('SB_ERR_CASE_INTERACTION_INVALID', 'The call is not with this customer (or with no known customer)');
          if (!SUPERVISING.has(actor.role) && actor.role !== 'rm' && i.agent_user_id !== me) throw appError('SB_ERR_CASE_INTERACTION_INVALID');
          customerId = i.customer_id;
        } else if (actor.role === 'agent') {
          throw appError('SB_ERR_CASE_INTERACTION_INVALID', 'An agent books a task from their call: give its interaction_id');
        }
        if (customerId === undefined) throw appError('SB_ERR_REQUEST_INVALID', 'Give interaction_id or customer_id');
        const rm = await rmOf(trx, customerId);
        if (!rm) throw appError('SB_ERR_CUSTOMER_NOT_FOUND');
        if (actor.role === 'rm' && !rm.users.some((u) => u.id === me)) throw appError('SB_ERR_RM_CLIENT_INVALID');
        // The RM themself when they book; else the first login of the customer's RM.
        const rmUser = rm.users.find((u) => u.id === me) ?? rm.users[0];
        if (!rmUser) throw appError('SB_ERR_RM_NONE');
        const duration = b.kind === 'retention' ? null : deps.slotMinutes[b.kind];
        await lockAssignee(trx, rmUser.id);
        if (duration !== null) {
          const clash = await clashingTask(trx, rmUser.id, due, new Date(due.getTime() + duration * 60_000));
          if (clash) {
            throw appError('SB_ERR_TASK_CONFLICT', `${rmUser.username} has a ${clash.kind} task at ${iso(clash.due_at)} (${clash.duration_min} min)`, {
              task_id: String(clash.id), kind: clash.kind, due_at: iso(clash.due_at), duration_min: clash.duration_min,
            });
          }
        }
        const taskId = await insertTask(trx, {
          kind: b.kind, customer_id: customerId, case_id: null, interaction_id: b.interaction_id ?? null, assignee_id: rmUser.id, created_by: me,
          reason: b.reason ?? b.kind, due_at: due, created_at: now, purpose: b.purpose, duration_min: duration,
        });
        if (b.interaction_id) await appendEvents(trx, b.interaction_id, [{ type: 'rm_task_booked', data: { task_id: taskId, kind: b.kind, due_at: iso(due), rm_user_id: rmUser.id, by: actor.username }, at: now }]);
        await recordAudit(trx, { actor: actor as TokenClaims, action: 'task.create', customer_id: customerId, ip, details: { task_id: taskId, kind: b.kind, assignee_id: rmUser.id } });
        return { id: taskId, assignee: rmUser.id };
      });
      const task = toTask((await findTask(db, id))!);
      if (assignee !== me) deps.notify([{ agentId: assignee, event: TASK_ASSIGNED_EVENT, payload: { task } }]);
      return task;
    },

    /** The RM's worklist: their open tasks (with the client's name) and their clients' active cases. Audited as a view of those clients. */
    async worklist(actor: Actor, ip?: string) {
      const now = clock();
      const me = Number(actor.sub);
      const user = await findUser(db, me);
      const tasks = await listTasks(db, { assignee_id: me, state: 'open', limit: WORKLIST_LIMIT });
      const names = await clientNames(db, [...new Set(tasks.map((t) => t.customer_id).filter((c): c is number => c !== null))]);
      const cases = user?.rm_id ? await clientCases(db, user.rm_id, WORKLIST_LIMIT) : [];
      const customers = [...new Set([...names.keys(), ...cases.map((c) => Number(c.customer_id))])];
      if (customers.length) await recordAudit(db, { actor: actor as TokenClaims, action: 'rm.worklist', ip, details: { customer_ids: customers } });
      return {
        tasks: tasks.map((t) => {
          const n = t.customer_id === null ? undefined : names.get(t.customer_id);
          return { ...toTask(t), customer_name: n ? (n.name_zh ?? n.name_en) : null, tier: n?.tier ?? null };
        }),
        cases: cases.map((c) => ({
          id: String(c.id), case_no: c.case_no as string, customer_id: Number(c.customer_id), kind: c.kind as string, category: c.category as string, status: c.status as string,
          summary: c.summary as string, sla_due_at: iso(c.sla_due_at), at_risk: c.escalated_at !== null || new Date(c.sla_due_at) < now, owner: (c.owner as string | null) ?? null,
          customer_name: (c.name_zh as string | null) ?? (c.name_en as string | null) ?? null,
        })),
      };
    },

    /**
     * A call was wrapped up (inside the wrap-up's transaction): its customer's RMs are told, once
     * it is committed, who called, why and how it ended. Not the RM who took the call themself.
     */
    async clientCalled(trx: Knex & { executionPromise?: Promise<unknown> }, entry: EntryRow, w: { disposition: string; reason_codes: string[] }, agent: { sub: string; username: string }): Promise<void> {
      const call = await callForRm(trx, entry.interaction_id);
      if (!call) return;
      const users = (await rmOf(trx, Number(call.customer_id)))?.users.filter((u) => u.id !== Number(agent.sub)) ?? [];
      if (users.length === 0) return;
      const payload: ClientCalledNotice = {
        interaction_id: entry.interaction_id, customer_id: Number(call.customer_id), customer_name: (call.name_zh as string | null) ?? (call.name_en as string | null) ?? null, tier: call.tier as string,
        direction: call.direction as string, skill: entry.skill, intent: (entry.ivr as { intent?: string } | null)?.intent ?? null,
        reason_codes: w.reason_codes, disposition: w.disposition, agent: agent.username, at: clock().toISOString(),
      };
      const notices = users.map((u) => ({ agentId: u.id, event: CLIENT_CALLED_EVENT, payload }));
      // After the commit: a wrap-up refused (and rolled back) tells nobody.
      if (trx.executionPromise) trx.executionPromise.then(() => deps.notify(notices), () => undefined);
      else deps.notify(notices);
    },

    /** Reminds each assignee once of their booked tasks due within RM_REMIND_MINUTES. What every node does each sweep. */
    async sweep(): Promise<void> {
      const now = clock();
      const due = await db.transaction(async (trx) => {
        const rows = await claimReminders(trx, new Date(now.getTime() + deps.remindMinutes * 60_000), REMIND_BATCH);
        await markReminded(trx, rows.map((r) => r.id), now);
        return rows;
      });
      const notices: Notice[] = [];
      for (const r of due) {
        if (r.assignee_id === null) continue;
        notices.push({ agentId: r.assignee_id, event: TASK_REMINDER_EVENT, payload: { task: toTask((await findTask(db, String(r.id)))!) } });
      }
      deps.notify(notices);
    },
  };
}

export type RmService = ReturnType<typeof createRmService>;
