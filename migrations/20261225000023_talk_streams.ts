import type { Knex } from 'knex';

// Talk analytics (issue 22): one row per media stream of an agent call, while it runs and after.
// `dead_air_since` is set while the line has been silent past the threshold: the supervisors'
// alert reads it, from whichever node holds the stream. `summary` is the stream's talk, silence
// and over-talk shares once it stopped (the same figures as the timeline's talk_analytics event).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('talk_streams', (t) => {
    t.text('stream_sid').primary();
    t.text('call_sid').notNullable();
    t.uuid('interaction_id').notNullable().references('interactions.id').onDelete('CASCADE');
    t.integer('agent_user_id').references('users.id').onDelete('SET NULL');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('stopped_at', { useTz: true });
    t.text('stopped_why'); // stop | closed | idle
    t.timestamp('dead_air_since', { useTz: true });
    t.jsonb('summary');
  });
  await knex.raw('CREATE INDEX talk_streams_dead_air ON talk_streams (dead_air_since) WHERE dead_air_since IS NOT NULL AND stopped_at IS NULL');
  await knex.raw('CREATE INDEX talk_streams_interaction ON talk_streams (interaction_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('talk_streams');
}
