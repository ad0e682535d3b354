import type { Knex } from 'knex';

// Relationship-manager work and the feedback call (issue 18): the tasks table carries an RM's
// callback, visit and retention tasks beside follow-ups and feedback contacts. A task booked for a
// time holds the RM for `duration_min` (the conflict check), is reminded once before it is due,
// and a task done by calling the customer keeps the callback it placed and the call that reached them.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.text('purpose'); // what the RM is to do (a callback's or visit's purpose)
    t.integer('duration_min'); // minutes the assignee is taken by it from due_at (callbacks, visits); null: no slot
    t.timestamp('reminded_at', { useTz: true });
    t.bigInteger('callback_id').references('callback_requests.id').onDelete('SET NULL'); // the call placed to do it
    t.uuid('contact_interaction_id').references('interactions.id').onDelete('SET NULL'); // the call it was done on
  });
  // The reminder sweep reads open slotted tasks by due time.
  await knex.raw(`CREATE INDEX tasks_to_remind ON tasks (due_at) WHERE state = 'open' AND reminded_at IS NULL AND duration_min IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_to_remind');
  await knex.schema.alterTable('tasks', (t) => {
    for (const c of ['purpose', 'duration_min', 'reminded_at', 'callback_id', 'contact_interaction_id']) t.dropColumn(c);
  });
}
