import type { Knex } from 'knex';

// Supervision: the alert log (one open row per condition and subject, so that every node may
// evaluate the same thresholds and only one of them raises the alert), and the indexes the
// wallboard's per-second view of the current interval and of each agent's day reads.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alerts', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // private_wait | service_level | abandon_rate | agent_away | staffing_gap
    t.text('subject').notNullable(); // what it is about: a queue (skill:tier), a skill, an agent, a queue entry
    t.text('severity').notNullable(); // warning | critical
    t.text('message').notNullable();
    t.jsonb('data').notNullable().defaultTo('{}'); // the measured value and the threshold when raised
    t.timestamp('raised_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('cleared_at', { useTz: true });
    t.index(['raised_at']);
  });
  await knex.raw('CREATE UNIQUE INDEX alerts_open ON alerts (kind, subject) WHERE cleared_at IS NULL');
  // A supervisor's leg in a call's conference (listen, whisper or barge), so a second request switches its mode.
  await knex.schema.createTable('monitor_legs', (t) => {
    t.bigIncrements('id');
    t.bigInteger('entry_id').notNullable();
    t.integer('supervisor_id').notNullable();
    t.text('call_sid').notNullable();
    t.text('mode').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
    t.index(['entry_id', 'supervisor_id']);
  });
  await knex.raw('CREATE INDEX queue_entries_enqueued ON queue_entries (enqueued_at)');
  await knex.raw('CREATE INDEX queue_entries_answered ON queue_entries (answered_at) WHERE answered_at IS NOT NULL');
  await knex.raw('CREATE INDEX queue_entries_ended ON queue_entries (ended_at) WHERE ended_at IS NOT NULL');
  await knex.raw('CREATE INDEX queue_entries_agent_answered ON queue_entries (agent_id, answered_at) WHERE answered_at IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  for (const i of ['queue_entries_enqueued', 'queue_entries_answered', 'queue_entries_ended', 'queue_entries_agent_answered']) await knex.raw(`DROP INDEX ${i}`);
  await knex.schema.dropTable('monitor_legs');
  await knex.schema.dropTable('alerts');
}
