import type { Knex } from 'knex';

// The hotline: every phone call is an interaction with an append-only event timeline (LOG-01),
// the live state of each call (its IVR session), the replies already given to Twilio (so a
// retried webhook gets the same answer), phone-banking PINs and callback requests.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('interactions', (t) => {
    t.text('call_sid').unique(); // Twilio's CA… sid for phone interactions
    t.text('ani_masked'); // the caller's number, masked: the full number lives only on the call row
    t.text('dnis'); // the hotline number dialled
    t.text('language');
    t.text('outcome'); // self_service | agent | abandoned | callback | hangup_in_ivr | transferred | failed
    t.text('queue_skill');
    t.boolean('verified').notNullable().defaultTo(false);
    t.specificType('self_service', 'text[]').notNullable().defaultTo('{}');
    t.integer('survey_score');
    t.timestamp('queued_at', { useTz: true });
    t.timestamp('answered_at', { useTz: true });
  });

  await knex.schema.createTable('interaction_events', (t) => {
    t.bigIncrements('id');
    t.uuid('interaction_id').notNullable().references('interactions.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('type').notNullable(); // started | ivr_step | identified | verified | self_service | queued | left_queue | ended | survey_score …
    t.text('node'); // the IVR node, when the event came from the flow
    t.jsonb('data').notNullable().defaultTo('{}'); // never PIN digits, never full card or account numbers
    t.index(['interaction_id', 'id']);
  });
  await knex.raw(`CREATE FUNCTION interaction_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'interaction_events is append-only'; END $$`);
  await knex.raw(`CREATE TRIGGER interaction_events_no_update BEFORE UPDATE OR DELETE ON interaction_events
    FOR EACH ROW EXECUTE FUNCTION interaction_events_immutable()`);

  // Live state of a call. All of it is here, not in a process, so any node can take the next webhook.
  await knex.schema.createTable('calls', (t) => {
    t.text('sid').primary();
    t.uuid('interaction_id').notNullable().references('interactions.id');
    t.text('direction').notNullable();
    t.text('from_number').notNullable();
    t.text('to_number').notNullable();
    t.text('flow').notNullable();
    t.text('status').notNullable(); // the latest Twilio CallStatus accepted
    t.integer('status_seq').notNullable().defaultTo(-1); // SequenceNumber of that status callback
    t.jsonb('ivr_session').notNullable();
    t.integer('step').notNullable().defaultTo(0); // bumped per IVR turn; in action URLs, so a stale or replayed turn is recognised
    t.text('queue_sid');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
  });

  // What we answered to each webhook, so that Twilio's retry of the same request gets the same
  // TwiML and changes nothing. Keyed by Twilio's idempotency token, or a hash of URL + parameters.
  await knex.schema.createTable('webhook_replies', (t) => {
    t.bigIncrements('id');
    t.text('key').notNullable().unique();
    t.text('call_sid').notNullable();
    t.integer('status').notNullable();
    t.text('body').notNullable();
    t.boolean('turn').notNullable(); // TwiML that steers the call (not a callback's empty answer)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['call_sid', 'id']);
    t.index(['created_at']);
  });

  // Phone-banking PIN (not every customer enrols). A 6-digit PIN has only 10^6 values, so what
  // protects it is the lockout after 3 failures, enforced here in one row per customer.
  await knex.schema.createTable('phone_pins', (t) => {
    t.integer('customer_id').primary().references('customers.id').onDelete('CASCADE');
    t.text('pin_hash').notNullable(); // argon2id
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('locked_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // "Call me back" keeps the caller's place: `place_since` is when they joined the queue.
  await knex.schema.createTable('callback_requests', (t) => {
    t.bigIncrements('id');
    t.integer('customer_id').references('customers.id').onDelete('SET NULL');
    t.text('phone').notNullable();
    t.text('reason').notNullable();
    t.text('skill');
    t.uuid('interaction_id').references('interactions.id');
    t.timestamp('place_since', { useTz: true }).notNullable();
    t.text('status').notNullable().defaultTo('open'); // open | done | cancelled
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'place_since']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('callback_requests');
  await knex.schema.dropTable('phone_pins');
  await knex.schema.dropTable('webhook_replies');
  await knex.schema.dropTable('calls');
  await knex.raw('DROP TRIGGER IF EXISTS interaction_events_no_update ON interaction_events');
  await knex.raw('DROP FUNCTION IF EXISTS interaction_events_immutable()');
  await knex.schema.dropTable('interaction_events');
  await knex.schema.alterTable('interactions', (t) => {
    for (const c of ['call_sid', 'ani_masked', 'dnis', 'language', 'outcome', 'queue_skill', 'verified', 'self_service', 'survey_score', 'queued_at', 'answered_at']) t.dropColumn(c);
  });
}
