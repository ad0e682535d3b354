import type { Knex } from 'knex';

// Outbound campaigns (CS-02, MKT-*, CARE-*): a campaign, its call list (one entry per customer),
// every dial attempt, the do-not-call register, and the compliance log: one hash-chained,
// append-only row per dial decision, so an edited or removed row is detectable.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('campaigns', (t) => {
    t.increments('id');
    t.text('name').notNullable();
    t.text('purpose').notNullable(); // marketing | care | complaint_follow_up | survey | retention
    t.text('state').notNullable().defaultTo('draft'); // draft | scheduled | running | paused | completed | cancelled
    t.text('dialing_mode').notNullable(); // preview | progressive | predictive
    t.text('script').notNullable().defaultTo('');
    t.jsonb('offer'); // { code, title, terms } shown on the agent's pop
    t.text('caller_id').notNullable(); // E.164 the customer sees
    t.text('skill').notNullable(); // agents with this skill work the campaign
    t.float('calls_per_second').notNullable().defaultTo(1);
    t.float('max_abandon_rate').notNullable().defaultTo(0.03);
    t.text('window_start').notNullable().defaultTo('09:00'); // in the customer's own time zone
    t.text('window_end').notNullable().defaultTo('20:00');
    t.integer('max_attempts').notNullable().defaultTo(3);
    t.jsonb('retry_delays').notNullable(); // outcome -> seconds before the next attempt
    t.integer('ring_seconds').notNullable().defaultTo(25); // never below 15 before "no answer"
    t.text('machine_action').notNullable().defaultTo('hangup'); // voicemail | hangup
    t.text('voicemail_text');
    t.timestamp('starts_at', { useTz: true });
    t.timestamp('ends_at', { useTz: true });
    t.integer('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('campaign_entries', (t) => {
    t.bigIncrements('id');
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('phone').notNullable(); // E.164 to dial
    t.text('timezone').notNullable(); // the customer's, for the calling window
    t.text('state').notNullable().defaultTo('pending'); // pending | dialing | done | excluded
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_outcome'); // human | machine | busy | no_answer | failed | abandoned | lost | blocked
    t.text('disposition'); // the agent's: interested | sale | callback | not_interested | wrong_number | do_not_call
    t.timestamp('callback_at', { useTz: true });
    t.text('excluded_reason'); // do_not_call | no_consent | recent_contact | max_attempts | campaign_ended …
    t.integer('source_line'); // the CSV line it came from
    t.uuid('interaction_id'); // the latest call's
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['campaign_id', 'customer_id']); // deduplicated by customer
  });
  await knex.raw(`CREATE INDEX campaign_entries_due ON campaign_entries (campaign_id, next_attempt_at) WHERE state = 'pending'`);
  // A do-not-call request closes the customer's pending entries on every list at once.
  await knex.raw(`CREATE INDEX campaign_entries_pending_phone ON campaign_entries (phone) WHERE state = 'pending'`);
  await knex.raw(`CREATE INDEX campaign_entries_pending_customer ON campaign_entries (customer_id) WHERE state = 'pending'`);

  await knex.schema.createTable('dial_attempts', (t) => {
    t.bigIncrements('id');
    t.integer('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    t.bigInteger('entry_id').notNullable().references('campaign_entries.id').onDelete('CASCADE');
    t.integer('customer_id').notNullable();
    // Which counted attempt of the entry this is (1, 2, …). A dial the check refused, a preview skipped
    // or a dial cancelled by a pause does not count, so its number is used again by the next one.
    t.integer('attempt').notNullable();
    // preview (an agent is looking at the customer) | queued (a dial job exists) | blocked (the compliance
    // check said no) | dialing (REST sent) | answered | ended
    t.text('state').notNullable().defaultTo('queued');
    t.boolean('overdial').notNullable().defaultTo(false); // predictive: dialled beyond the free agents
    t.integer('agent_id'); // preview: the agent who asked for it; otherwise who took it
    t.text('call_sid').unique();
    t.timestamp('queued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('dialed_at', { useTz: true });
    t.timestamp('answered_at', { useTz: true });
    t.text('answered_by'); // Twilio's AnsweredBy: human | machine_start | …
    t.timestamp('ended_at', { useTz: true });
    t.text('outcome'); // human | machine | busy | no_answer | failed | abandoned | lost | blocked | canceled
    t.bigInteger('queue_entry_id');
    t.index(['entry_id']);
    t.index(['campaign_id', 'dialed_at']);
    t.index(['campaign_id', 'queued_at']); // the rate limiter's latest slot
    t.index(['customer_id', 'dialed_at']);
  });
  await knex.raw(`CREATE INDEX dial_attempts_live ON dial_attempts (campaign_id, state) WHERE state IN ('queued', 'dialing', 'answered')`);

  await knex.schema.createTable('do_not_call', (t) => {
    t.text('phone').primary(); // E.164
    t.integer('customer_id').references('customers.id').onDelete('SET NULL');
    t.text('source').notNullable(); // customer_request | import | regulator
    t.integer('campaign_id');
    t.integer('added_by');
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('compliance_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.integer('campaign_id').notNullable();
    t.bigInteger('entry_id').notNullable();
    t.bigInteger('attempt_id').notNullable();
    t.integer('customer_id').notNullable();
    t.text('phone_masked').notNullable();
    t.text('decision').notNullable(); // allow | deny
    t.specificType('reasons', 'text[]').notNullable(); // why not, when denied
    t.jsonb('checks').notNullable(); // every check's inputs and verdict
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable();
  });
  await knex.raw(`CREATE TRIGGER compliance_log_no_update BEFORE UPDATE OR DELETE ON compliance_log
    FOR EACH ROW EXECUTE FUNCTION interaction_events_immutable()`);
  // The chain's head: the last row's id and hash, so cutting rows off the end is detected too.
  await knex.schema.createTable('compliance_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('last_id').notNullable();
    t.text('last_hash').notNullable();
  });
  // The head only moves forward: cutting the tail needs this trigger (and the log's) turned off first.
  await knex.raw(`CREATE FUNCTION compliance_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.last_id <= OLD.last_id THEN RAISE EXCEPTION 'compliance_head only moves forward'; END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER compliance_head_forward BEFORE UPDATE OR DELETE ON compliance_head FOR EACH ROW EXECUTE FUNCTION compliance_head_forward()`);

  await knex.schema.alterTable('interactions', (t) => {
    t.integer('campaign_id');
  });
  // A campaign call's pop carries the campaign: its script, offer and the dispositions allowed.
  await knex.schema.alterTable('queue_entries', (t) => {
    t.jsonb('campaign');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('queue_entries', (t) => t.dropColumn('campaign'));
  await knex.schema.alterTable('interactions', (t) => t.dropColumn('campaign_id'));
  await knex.schema.dropTable('compliance_head');
  await knex.raw('DROP FUNCTION IF EXISTS compliance_head_forward()');
  await knex.raw('DROP TRIGGER IF EXISTS compliance_log_no_update ON compliance_log');
  await knex.schema.dropTable('compliance_log');
  await knex.schema.dropTable('do_not_call');
  await knex.schema.dropTable('dial_attempts');
  await knex.schema.dropTable('campaign_entries');
  await knex.schema.dropTable('campaigns');
}
