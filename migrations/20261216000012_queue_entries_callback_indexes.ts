import type { Knex } from 'knex';

// A backlog of callbacks in line must not slow the matcher. Every pass asks for the callbacks whose
// customer is being rung (state 'dialing', a state none of the partial indexes covers) and each
// promotion looks up a callback's live entry by callback_id: without these both scanned the whole
// table, history included, so every pass grew with every entry ever queued.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX queue_entries_dialing ON queue_entries (id) WHERE state = 'dialing'`);
  await knex.raw('CREATE INDEX queue_entries_callback ON queue_entries (callback_id, id) WHERE callback_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX queue_entries_callback');
  await knex.raw('DROP INDEX queue_entries_dialing');
}
