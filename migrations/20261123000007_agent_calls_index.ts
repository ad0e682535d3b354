import type { Knex } from 'knex';

// An agent's own recent calls (the console's "my calls" list) without scanning the whole log.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX interactions_agent_started ON interactions (agent_user_id, started_at DESC) WHERE agent_user_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX interactions_agent_started');
}
