import type { Knex } from 'knex';

// Callbacks that happen (virtual hold). A callback request keeps the caller's place in line: when it
// is due it becomes a queue entry with no call yet (call_sid is null until the customer is dialled),
// ordered with live callers by the same priority time, offered to an agent like a call, and dialled
// through the outbound path campaigns use. Queue entries also note when they were first offered
// (the handle time an agent spends on a call starts there) and the flow's priority boost.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('callback_requests', (t) => {
    t.text('state').notNullable().defaultTo('scheduled'); // scheduled | queued | dialing | connected | completed | failed | cancelled
    t.text('source').notNullable().defaultTo('ivr'); // ivr | agent | api
    t.text('tier').notNullable().defaultTo('STANDARD');
    t.text('language').notNullable().defaultTo('zh');
    t.text('from_number'); // the bank's number the customer is called from: the hotline they rang
    t.text('timezone').notNullable().defaultTo('Asia/Shanghai'); // the customer's, for the calling window
    t.integer('priority').notNullable().defaultTo(0); // the flow's boost, in seconds of head start
    t.jsonb('ivr').notNullable().defaultTo('{}'); // what the IVR learned on the call that asked (for the pop)
    t.timestamp('due_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()); // not served before
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_outcome'); // busy | no_answer | machine | failed | unreachable
    t.integer('requested_by').references('users.id').onDelete('SET NULL'); // the agent who booked it
    t.integer('target_agent_id'); // "call back to me": that agent first, then the skill
    t.bigInteger('entry_id'); // the queue entry of the attempt in progress
    t.timestamp('dialed_at', { useTz: true }); // when the attempt in progress was dialled
    t.timestamp('closed_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`UPDATE callback_requests SET state = CASE status WHEN 'done' THEN 'completed' WHEN 'cancelled' THEN 'cancelled' ELSE 'scheduled' END`);
  await knex.schema.alterTable('callback_requests', (t) => {
    t.dropIndex(['status', 'place_since']);
    t.dropColumn('status');
  });
  await knex.raw(`CREATE INDEX callback_requests_due ON callback_requests (due_at) WHERE state = 'scheduled'`);
  await knex.raw(`CREATE INDEX callback_requests_open ON callback_requests (skill, tier) WHERE state IN ('scheduled', 'queued', 'dialing')`);

  await knex.schema.alterTable('queue_entries', (t) => {
    t.text('call_sid').nullable().alter(); // null: a callback not dialled yet
    t.bigInteger('callback_id'); // the callback request this entry serves
    t.integer('priority').notNullable().defaultTo(0);
    t.timestamp('offered_at', { useTz: true });
    t.jsonb('callback'); // a callback's pop: when and why it was asked, by whom, which attempt
  });
  await knex.raw(`CREATE UNIQUE INDEX queue_entries_live_callback ON queue_entries (callback_id) WHERE callback_id IS NOT NULL AND state IN ('waiting', 'offered', 'connecting', 'connected')`);
  await knex.schema.alterTable('interactions', (t) => {
    t.bigInteger('callback_id'); // a callback's attempt: the request it served
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('interactions', (t) => t.dropColumn('callback_id'));
  await knex.raw('DROP INDEX IF EXISTS queue_entries_live_callback');
  await knex.raw(`DELETE FROM queue_entries WHERE call_sid IS NULL`);
  await knex.schema.alterTable('queue_entries', (t) => {
    for (const c of ['callback_id', 'priority', 'offered_at', 'callback']) t.dropColumn(c);
    t.text('call_sid').notNullable().alter();
  });
  await knex.raw('DROP INDEX IF EXISTS callback_requests_due');
  await knex.raw('DROP INDEX IF EXISTS callback_requests_open');
  await knex.schema.alterTable('callback_requests', (t) => {
    t.text('status').notNullable().defaultTo('open');
  });
  await knex.raw(`UPDATE callback_requests SET status = CASE state WHEN 'completed' THEN 'done' WHEN 'cancelled' THEN 'cancelled' ELSE 'open' END`);
  await knex.schema.alterTable('callback_requests', (t) => {
    for (const c of ['state', 'source', 'tier', 'language', 'from_number', 'timezone', 'priority', 'ivr', 'due_at', 'attempts', 'last_outcome', 'requested_by', 'target_agent_id', 'entry_id', 'dialed_at', 'closed_at', 'updated_at']) t.dropColumn(c);
    t.index(['status', 'place_since']);
  });
}
