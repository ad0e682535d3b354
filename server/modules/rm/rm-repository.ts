import type { Knex } from 'knex';
import { ACTIVE_STATUSES } from '../cases/cases-schemas.js';

/** The customer's relationship manager and the RM logins that work their book (active users of role rm). */
export async function rmOf(db: Knex, customerId: number): Promise<{ rm_id: number | null; users: { id: number; username: string }[] } | undefined> {
  const c = await db('customers').where({ id: customerId }).first('id', 'rm_id');
  if (!c) return undefined;
  if (c.rm_id === null) return { rm_id: null, users: [] };
  const users = await db('users').where({ rm_id: c.rm_id, role: 'rm', active: true }).orderBy('id').select('id', 'username');
  return { rm_id: c.rm_id as number, users: users.map((u) => ({ id: Number(u.id), username: u.username as string })) };
}

/** Who a call was with and who took it: what a task booked from the call is for. */
export async function interactionOf(db: Knex, id: string): Promise<{ id: string; customer_id: number | null; agent_user_id: number | null } | undefined> {
  return db('interactions').where({ id }).first('id', 'customer_id', 'agent_user_id');
}

/** Serialises task booking per assignee: two bookings for one RM cannot both miss each other's slot. */
export async function lockAssignee(trx: Knex, userId: number): Promise<void> {
  await trx('users').where({ id: userId }).forUpdate().first('id');
}

/** An open task of the assignee's whose slot overlaps [start, end): the first by due time. */
export async function clashingTask(db: Knex, assigneeId: number, start: Date, end: Date): Promise<{ id: string; kind: string; due_at: Date; duration_min: number } | undefined> {
  return db('tasks').where({ assignee_id: assigneeId, state: 'open' }).whereNotNull('duration_min')
    .where('due_at', '<', end).whereRaw("due_at + duration_min * interval '1 minute' > ?", [start])
    .orderBy('due_at').first('id', 'kind', 'due_at', 'duration_min');
}

/** Open slotted tasks due within `ahead` of now and not yet reminded, locked so each node reminds each once. */
export async function claimReminders(trx: Knex, until: Date, limit: number): Promise<{ id: string; assignee_id: number | null }[]> {
  const { rows } = await trx.raw<{ rows: { id: string; assignee_id: number | null }[] }>(`SELECT id, assignee_id FROM tasks
    WHERE state = 'open' AND reminded_at IS NULL AND duration_min IS NOT NULL AND due_at <= ?
    ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED`, [until, limit]);
  return rows;
}

export async function markReminded(trx: Knex, ids: string[], at: Date): Promise<void> {
  if (ids.length) await trx('tasks').whereIn('id', ids).update({ reminded_at: at });
}

/** Active cases of the RM's clients, soonest SLA first. */
export async function clientCases(db: Knex, rmId: number, limit: number) {
  return db('complaints as c').join('customers as cu', 'cu.id', 'c.customer_id').leftJoin('users as u', 'u.id', 'c.owner_id')
    .where('cu.rm_id', rmId).whereIn('c.status', ACTIVE_STATUSES).orderBy('c.sla_due_at').orderBy('c.id').limit(limit)
    .select('c.id', 'c.case_no', 'c.customer_id', 'c.kind', 'c.category', 'c.status', 'c.summary', 'c.sla_due_at', 'c.escalated_at', 'u.display_name as owner', 'cu.name_zh', 'cu.name_en');
}

/** The names the worklist shows beside each client's tasks. */
export async function clientNames(db: Knex, ids: number[]): Promise<Map<number, { name_zh: string | null; name_en: string | null; tier: string }>> {
  const rows = ids.length ? await db('customers').whereIn('id', ids).select('id', 'name_zh', 'name_en', 'tier') : [];
  return new Map(rows.map((r) => [Number(r.id), { name_zh: r.name_zh as string | null, name_en: r.name_en as string | null, tier: r.tier as string }]));
}

/** A call just wrapped up: its customer's RM, and what the call was about. */
export async function callForRm(db: Knex, interactionId: string) {
  return db('interactions as i').join('customers as cu', 'cu.id', 'i.customer_id').where('i.id', interactionId).whereNotNull('cu.rm_id')
    .first('i.id', 'i.customer_id', 'i.direction', 'i.queue_skill', 'cu.rm_id', 'cu.name_zh', 'cu.name_en', 'cu.tier');
}
