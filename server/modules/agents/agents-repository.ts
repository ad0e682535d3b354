import type { Knex } from 'knex';

export type AgentState = 'offline' | 'available' | 'reserved' | 'on_call' | 'wrap_up' | 'away';

export interface AgentRow {
  user_id: number;
  state: AgentState;
  reason: string | null;
  state_since: Date;
  idle_since: Date | null;
  lease_until: Date | null;
  skills: Record<string, number>;
  languages: string[];
  phone: string | null;
  team: string | null;
  entry_id: string | null;
  /** Accepted calls in a row that failed to connect (Twilio unreachable); 0 once one connects. */
  connect_failures: number;
}

export async function findAgent(db: Knex, userId: number): Promise<AgentRow | undefined> {
  return db('agents').where({ user_id: userId }).first();
}

/** The agent row of a staff user, made on first use with a general skill. */
export async function ensureAgent(db: Knex, userId: number): Promise<AgentRow> {
  await db('agents').insert({ user_id: userId }).onConflict('user_id').ignore();
  return (await findAgent(db, userId))!;
}

/**
 * Moves an agent to `to` only from one of `from` (null = any state): a conditional UPDATE, so two
 * nodes racing over one agent cannot both win. Every change is also an agent_state_events row,
 * the source of time-in-state reports. Returns the agent as it was before, or undefined if not moved.
 */
export async function transition(
  trx: Knex, userId: number, to: AgentState,
  opts: { from?: readonly AgentState[] | null; reason?: string | null; entryId?: string | null; at: Date; onlyEntry?: string },
): Promise<AgentRow | undefined> {
  const q = trx('agents').where({ user_id: userId });
  if (opts.from) q.whereIn('state', opts.from);
  if (opts.onlyEntry !== undefined) q.where({ entry_id: opts.onlyEntry });
  const before = await q.clone().forUpdate().first();
  if (!before) return undefined;
  await trx('agents').where({ user_id: userId }).update({
    state: to,
    reason: opts.reason ?? null,
    state_since: opts.at,
    entry_id: opts.entryId === undefined ? before.entry_id : opts.entryId,
    ...(to === 'available' ? { idle_since: opts.at } : {}),
  });
  await trx('agent_state_events').insert({ agent_id: userId, state: to, reason: opts.reason ?? null, entry_id: opts.entryId ?? before.entry_id, at: opts.at });
  return before as AgentRow;
}

export async function renewLease(db: Knex, userId: number, until: Date): Promise<void> {
  await db('agents').where({ user_id: userId }).update({ lease_until: until });
}

/** Agents whose console stopped renewing its lease while they were taking calls. */
export async function lapsedAgents(db: Knex, now: Date): Promise<AgentRow[]> {
  return db('agents').whereNot('state', 'offline').where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now)).whereNot('state', 'on_call');
}

export interface AgentListRow extends AgentRow {
  username: string;
  display_name: string;
  role: string;
  rm_id: number | null;
}

export async function listAgents(db: Knex): Promise<AgentListRow[]> {
  return db('agents as a').join('users as u', 'u.id', 'a.user_id')
    .select('a.*', 'u.username', 'u.display_name', 'u.role', 'u.rm_id')
    .orderBy('u.username');
}

/** A LIKE pattern matching `s` anywhere, its own wildcards taken literally. */
const likeAnywhere = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/** Active staff who take calls, whose name or username contains `q` (all of them when q is empty), by name. */
export async function searchDirectory(db: Knex, q: string, limit: number): Promise<AgentListRow[]> {
  const query = db('agents as a').join('users as u', 'u.id', 'a.user_id').where('u.active', true)
    .select('a.*', 'u.username', 'u.display_name', 'u.role', 'u.rm_id')
    .orderBy([{ column: 'u.display_name' }, { column: 'u.id' }]).limit(limit);
  if (q) query.where((w) => w.whereILike('u.display_name', likeAnywhere(q)).orWhereILike('u.username', likeAnywhere(q)));
  return query;
}

/** A staff user and their agent row (with `create`: made if missing, so they can be set up before first login), locked. */
export async function findAgentUser(trx: Knex, userId: number, opts: { create: boolean }): Promise<(AgentRow & { display_name: string; role: string }) | undefined> {
  if (opts.create) {
    const user = await trx('users').where({ id: userId }).first('id');
    if (!user) return undefined;
    await trx('agents').insert({ user_id: userId }).onConflict('user_id').ignore();
  }
  return trx('agents as a').join('users as u', 'u.id', 'a.user_id').where('a.user_id', userId).forUpdate('a')
    .first('a.*', 'u.display_name', 'u.role');
}

export async function updateAgentConfig(trx: Knex, userId: number, change: { skills?: Record<string, number>; languages?: string[]; phone?: string | null; team?: string | null }): Promise<void> {
  const row: Record<string, unknown> = {};
  if (change.skills) row.skills = JSON.stringify(change.skills);
  if (change.languages) row.languages = change.languages;
  if (change.phone !== undefined) row.phone = change.phone;
  if (change.team !== undefined) row.team = change.team;
  await trx('agents').where({ user_id: userId }).update(row);
}

/** One more accepted call failed to connect: the count in a row so far. */
export async function countConnectFailure(trx: Knex, userId: number): Promise<number> {
  const [row] = await trx('agents').where({ user_id: userId }).increment('connect_failures', 1).returning('connect_failures');
  return (row as { connect_failures: number } | undefined)?.connect_failures ?? 0;
}

/** A call connected (or the agent was sent away for the failures): the count starts over. */
export async function resetConnectFailures(trx: Knex, userId: number): Promise<void> {
  await trx('agents').where({ user_id: userId }).where('connect_failures', '>', 0).update({ connect_failures: 0 });
}
