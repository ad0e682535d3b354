import type { Knex } from 'knex';

// What /metrics reads from the shared database at scrape time: the same on every node.

/** Calls waiting in a queue now, by skill and tier. */
export async function waitingBySkillAndTier(db: Knex): Promise<{ skill: string; tier: string; n: number }[]> {
  return db('queue_entries').where({ state: 'waiting' }).groupBy('skill', 'tier').select('skill', 'tier', db.raw('COUNT(*)::int AS n'));
}

/** Agents by state (offline, available, reserved, on_call, wrap_up, away). */
export async function agentsByState(db: Knex): Promise<{ state: string; n: number }[]> {
  return db('agents').groupBy('state').select('state', db.raw('COUNT(*)::int AS n'));
}
