import type { Knex } from 'knex';

// Recorded calls (issue 21): one row per Twilio recording of a call (the caller's leg, dual
// channel, from the moment an agent joins), its status as the callbacks and our own pause/resume
// leave it, and when retention deleted it. An interaction under legal hold keeps its recordings
// whatever the retention says.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recordings', (t) => {
    t.text('sid').primary(); // Twilio's RE… sid
    t.uuid('interaction_id').notNullable().references('interactions.id').onDelete('CASCADE');
    t.text('call_sid').notNullable();
    t.text('status').notNullable(); // in-progress | paused | completed | absent | deleted
    t.text('paused_why'); // while paused: agent | secure_input (the caller keying a PIN or card number)
    t.integer('channels');
    t.integer('duration_s');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true });
    t.text('deleted_why'); // retention | ...
    t.index(['interaction_id']);
    t.index(['call_sid']);
  });
  // The retention job reads completed, undeleted recordings oldest first.
  await knex.raw(`CREATE INDEX recordings_retention ON recordings (completed_at) WHERE deleted_at IS NULL AND status IN ('completed', 'absent')`);
  await knex.schema.alterTable('interactions', (t) => {
    t.boolean('legal_hold').notNullable().defaultTo(false);
    t.text('legal_hold_reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('interactions', (t) => {
    t.dropColumn('legal_hold');
    t.dropColumn('legal_hold_reason');
  });
  await knex.schema.dropTable('recordings');
}
