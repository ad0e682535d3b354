import type { Knex } from 'knex';

// Data out (issue 19): the bank's warehouse reads the interaction and case logs by cursor (and in
// daily files), and CRMs subscribe to call events by signed webhook.
//
// The cursor is (tx, id): the writing transaction's id, then the row's. Ids are taken at insert but
// become visible at commit, so "id > last seen" would skip a row whose transaction commits late;
// every transaction older than a snapshot's xmin has ended, so rows below it in (tx, id) order are
// final and a reader paging through them never sees a gap or a row twice (the reports projection's
// watermark, migrations/20261123000009_reports.ts).
export async function up(knex: Knex): Promise<void> {
  // Rows from before the reports migration have no tx: they come first (tx 0). Filling them in means
  // stepping past the log's append-only trigger for this one statement.
  await knex.raw('ALTER TABLE interaction_events DISABLE TRIGGER interaction_events_no_update');
  await knex.raw("UPDATE interaction_events SET tx = '0'::xid8 WHERE tx IS NULL");
  await knex.raw('ALTER TABLE interaction_events ENABLE TRIGGER interaction_events_no_update');
  await knex.raw('ALTER TABLE interaction_events ALTER COLUMN tx SET NOT NULL');
  await knex.raw('CREATE INDEX interaction_events_tx_id ON interaction_events (tx, id)');
  await knex.raw('DROP INDEX interaction_events_tx');

  await knex.raw("ALTER TABLE case_events ADD COLUMN tx xid8 NOT NULL DEFAULT '0'::xid8");
  await knex.raw('ALTER TABLE case_events ALTER COLUMN tx SET DEFAULT pg_current_xact_id()');
  await knex.raw('CREATE INDEX case_events_tx_id ON case_events (tx, id)');

  await knex.schema.createTable('webhook_subscriptions', (t) => {
    t.increments('id');
    t.text('url').notNullable();
    // Signs each delivery (HMAC-SHA256); shown to the admin once, when the subscription is made.
    t.text('secret').notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.text('description');
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.integer('subscription_id').notNullable().references('webhook_subscriptions.id').onDelete('CASCADE');
    t.bigInteger('event_id').notNullable(); // interaction_events.id
    t.text('event').notNullable(); // call.offered | call.answered | call.ended | call.wrapped_up
    t.jsonb('payload').notNullable();
    t.text('state').notNullable().defaultTo('pending'); // pending | delivered | dead
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.integer('last_status'); // the receiver's HTTP status; null: no answer
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('delivered_at', { useTz: true });
    t.unique(['subscription_id', 'event_id']);
  });
  await knex.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'");
  await knex.raw("CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (subscription_id, id) WHERE state = 'dead'");
  // The call events waiting to be fanned out to the subscriptions: queued by a trigger in the very
  // transaction that writes the event (a transactional outbox), so none is missed and none waits on
  // the cursor's watermark, which any long transaction on the server holds back. The types are the
  // ones data-out-service.ts CTI_EVENTS names.
  await knex.schema.createTable('data_out_outbox', (t) => {
    t.bigInteger('event_id').primary();
  });
  await knex.raw(`CREATE FUNCTION data_out_outbox_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO data_out_outbox (event_id) VALUES (NEW.id); RETURN NULL; END $$`);
  await knex.raw(`CREATE TRIGGER interaction_events_outbox AFTER INSERT ON interaction_events FOR EACH ROW
    WHEN (NEW.type IN ('offered', 'connected', 'agent_call_ended', 'wrapup')) EXECUTE FUNCTION data_out_outbox_add()`);
  // Where each daily export file ended, per log and day.
  await knex.schema.createTable('data_out_marks', (t) => {
    t.text('name').primary();
    t.specificType('tx', 'xid8').notNullable();
    t.bigInteger('event_id').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('data_out_marks');
  await knex.raw('DROP TRIGGER interaction_events_outbox ON interaction_events');
  await knex.raw('DROP FUNCTION data_out_outbox_add()');
  await knex.schema.dropTable('data_out_outbox');
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('webhook_subscriptions');
  await knex.raw('DROP INDEX case_events_tx_id');
  await knex.raw('ALTER TABLE case_events DROP COLUMN tx');
  await knex.raw('CREATE INDEX interaction_events_tx ON interaction_events (tx)');
  await knex.raw('DROP INDEX interaction_events_tx_id');
  await knex.raw('ALTER TABLE interaction_events ALTER COLUMN tx DROP NOT NULL');
}
