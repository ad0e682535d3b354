import type { Knex } from 'knex';

// Routing: agents with presence (a lease their console renews), the append-only history of their
// states (time-in-state reports), and one queue entry per visit of a call to a queue, which the
// matcher claims together with an agent in one transaction (SKIP LOCKED), so any number of nodes
// can route at once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agents', (t) => {
    t.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('state').notNullable().defaultTo('offline'); // offline | available | reserved | on_call | wrap_up | away
    t.text('reason'); // away: break | training | missed_offer | rejected_offer | supervisor …
    t.timestamp('state_since', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('idle_since', { useTz: true }); // when the agent last became available: longest idle goes first
    t.timestamp('lease_until', { useTz: true }); // presence: renewed by the console's heartbeat
    t.jsonb('skills').notNullable().defaultTo('{"general":1}'); // skill -> level 1..5
    t.specificType('languages', 'text[]').notNullable().defaultTo('{zh}');
    t.text('phone'); // E.164 to ring for the agent leg; null = the browser (Twilio Client identity)
    t.bigInteger('entry_id'); // the queue entry offered to or handled by the agent
  });
  await knex.raw(`CREATE INDEX agents_available ON agents (idle_since) WHERE state = 'available'`);

  await knex.schema.createTable('agent_state_events', (t) => {
    t.bigIncrements('id');
    t.integer('agent_id').notNullable();
    t.text('state').notNullable();
    t.text('reason');
    t.bigInteger('entry_id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['agent_id', 'at']);
  });
  await knex.raw(`CREATE TRIGGER agent_state_events_no_update BEFORE UPDATE OR DELETE ON agent_state_events
    FOR EACH ROW EXECUTE FUNCTION interaction_events_immutable()`);

  await knex.schema.createTable('queue_entries', (t) => {
    t.bigIncrements('id');
    t.uuid('interaction_id').notNullable().references('interactions.id');
    t.text('call_sid').notNullable();
    t.text('skill').notNullable();
    t.text('language').notNullable();
    t.text('tier').notNullable();
    t.integer('customer_id');
    t.integer('rm_id'); // the caller's relationship manager
    t.integer('target_agent_id'); // a transfer to one named agent
    t.timestamp('enqueued_at', { useTz: true }).notNullable();
    // The sort key: arrival time moved earlier by the tier's head start (and a supervisor's boost).
    // Ordering by it is priority with linear aging: see routing-policy.ts.
    t.timestamp('priority_at', { useTz: true }).notNullable();
    t.text('state').notNullable().defaultTo('waiting'); // waiting | offered | connecting | connected | ended | abandoned | callback | transferred
    t.integer('agent_id');
    t.timestamp('offer_expires_at', { useTz: true });
    t.integer('offers').notNullable().defaultTo(0);
    t.specificType('declined_by', 'integer[]').notNullable().defaultTo('{}');
    t.text('conference_sid');
    t.text('agent_call_sid');
    t.integer('consult_agent_id'); // a warm transfer in progress: the agent being consulted
    t.text('consult_call_sid');
    t.boolean('held').notNullable().defaultTo(false);
    t.jsonb('profile'); // the screen-pop, fetched while the caller was still in the IVR
    t.jsonb('ivr').notNullable().defaultTo('{}'); // what the IVR learned: path, verified, self-service, reason
    t.integer('estimated_wait_s'); // what the queueing model predicted at arrival, kept to compare with the real wait
    t.timestamp('answered_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.index(['call_sid']);
    t.index(['skill', 'enqueued_at']);
  });
  await knex.raw(`CREATE INDEX queue_entries_waiting ON queue_entries (priority_at) WHERE state = 'waiting'`);
  await knex.raw(`CREATE INDEX queue_entries_live ON queue_entries (state) WHERE state IN ('offered', 'connecting', 'connected')`);

  await knex.schema.alterTable('interactions', (t) => {
    t.integer('agent_user_id'); // the last agent who handled the call
    t.specificType('reason_codes', 'text[]').notNullable().defaultTo('{}');
    t.specificType('products_discussed', 'text[]').notNullable().defaultTo('{}');
    t.text('notes');
    t.timestamp('wrapped_up_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('interactions', (t) => {
    for (const c of ['agent_user_id', 'reason_codes', 'products_discussed', 'notes', 'wrapped_up_at']) t.dropColumn(c);
  });
  await knex.schema.dropTable('queue_entries');
  await knex.raw('DROP TRIGGER IF EXISTS agent_state_events_no_update ON agent_state_events');
  await knex.schema.dropTable('agent_state_events');
  await knex.schema.dropTable('agents');
}
