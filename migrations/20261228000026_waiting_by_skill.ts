import type { Knex } from 'knex';

// A matcher pass reads only the waiting calls its free agents could take (routing-repository.ts
// waitingPage: their skills, their RM ids, transfers to them). With one index of all waiting calls
// by priority, a free agent whom no call fits still walked the whole queue to find none (7 ms at
// 20,000 waiting). By skill, by RM and by transfer target, the planner finds such an agent's few
// calls (or none) directly, and still walks the priority index when the agents reach most calls.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX queue_entries_waiting_skill ON queue_entries (skill, priority_at, id) WHERE state = 'waiting'`);
  await knex.raw(`CREATE INDEX queue_entries_waiting_rm ON queue_entries (rm_id, priority_at) WHERE state = 'waiting' AND rm_id IS NOT NULL`);
  await knex.raw(`CREATE INDEX queue_entries_waiting_target ON queue_entries (target_agent_id, priority_at) WHERE state = 'waiting' AND target_agent_id IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  for (const i of ['queue_entries_waiting_target', 'queue_entries_waiting_rm', 'queue_entries_waiting_skill']) await knex.raw(`DROP INDEX ${i}`);
}
