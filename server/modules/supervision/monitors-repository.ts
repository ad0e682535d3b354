import type { Knex } from 'knex';

/** The supervisors listening to, whispering on or barged into a call now (their monitor legs still up). */
export async function liveMonitors(db: Knex, entryId: string): Promise<number[]> {
  return db('monitor_legs').where({ entry_id: entryId }).whereNull('ended_at').distinct().pluck('supervisor_id');
}
