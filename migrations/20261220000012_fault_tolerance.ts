import type { Knex } from 'knex';

// Nothing lost under faults: an agent's accepted calls that failed to connect in a row (Twilio
// unreachable), so the agent goes away before draining the queue; and when an open call was last
// looked up in Twilio's call resource, so the settle sweep asks about each call at a bounded rate.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.integer('connect_failures').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('calls', (t) => {
    t.timestamp('settle_checked_at', { useTz: true });
  });
  // The settle sweep's scan: open calls only.
  await knex.raw("CREATE INDEX calls_open_idx ON calls (created_at) WHERE ended_at IS NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS calls_open_idx');
  await knex.schema.alterTable('calls', (t) => t.dropColumn('settle_checked_at'));
  await knex.schema.alterTable('agents', (t) => t.dropColumn('connect_failures'));
}
