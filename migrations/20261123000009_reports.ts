import type { Knex } from 'knex';

// Reports read a projection of the interaction timeline, never the summary columns, so that every
// figure can be recomputed from interaction_events (append-only) and reconciles with it exactly.
//
// Two grains, because the measures have two grains:
// - queue_visit_facts: one row per queue entry (a call's visit to a queue; a blind transfer makes a
//   second visit of the same call). Offered, answered, abandoned, waits, service level, handle time
//   and transfers are counted per visit, in the interval the visit began.
// - contact_facts: one row per interaction (a call). IVR containment, the survey and first-contact
//   resolution are properties of the whole call, counted in the interval the call began.
// Both are rebuilt per interaction by reports-projection.ts: whatever it derived before for an
// interaction is replaced, so re-running it is harmless and the SQL there is the one definition.
//
// The watermark is a transaction-id horizon, not the last event id: ids are taken when a row is
// inserted but become visible when its transaction commits, so an event with a lower id can appear
// after one with a higher id has been projected. Every event now records the id of the
// transaction that wrote it (tx); all transactions older than a snapshot's xmin have ended, so
// "re-derive every interaction with an event from a transaction at or after the last horizon"
// misses nothing that commits late.
export async function up(knex: Knex): Promise<void> {
  // Added without a default first, then given one: no table rewrite; older rows keep NULL and are
  // covered by the first projection, which reads everything.
  await knex.raw('ALTER TABLE interaction_events ADD COLUMN tx xid8');
  await knex.raw('ALTER TABLE interaction_events ALTER COLUMN tx SET DEFAULT pg_current_xact_id()');
  await knex.raw('CREATE INDEX interaction_events_tx ON interaction_events (tx)');
  // Agent-state reports read a time range across all agents.
  await knex.raw('CREATE INDEX agent_state_events_at ON agent_state_events (at)');

  await knex.schema.createTable('queue_visit_facts', (t) => {
    t.bigInteger('entry_id').primary();
    t.uuid('interaction_id').notNullable();
    t.timestamp('enqueued_at', { useTz: true }).notNullable(); // the entered_queue event
    t.text('skill').notNullable();
    t.text('tier').notNullable();
    t.integer('customer_id');
    t.integer('rm_id'); // the caller's relationship manager (relationship_managers.id)
    t.integer('agent_id'); // the agent who answered (users.id)
    t.timestamp('answered_at', { useTz: true });
    t.integer('waited_s'); // until answered, abandoned or left for a callback, as the routing events recorded it
    t.text('outcome').notNullable(); // waiting | answered | abandoned | callback | failed
    t.double('talk_s'); // answered and the line has ended: connected -> line end, minus hold
    t.double('hold_s');
    t.double('wrap_s'); // every handling agent's line end -> their wrap-up
    t.boolean('handled').notNullable(); // talk, hold and all wrap-ups are complete: counts in handle time
    t.integer('transfers').notNullable(); // transferred events of this visit (blind or consult)
    t.index(['enqueued_at']);
    t.index(['interaction_id']);
  });

  await knex.schema.createTable('contact_facts', (t) => {
    t.uuid('interaction_id').primary();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.integer('customer_id');
    t.text('tier'); // of the last queue visit, else as identified by the IVR
    t.text('skill'); // the last queue visited
    t.integer('rm_id');
    t.integer('agent_id'); // the agent who answered the last answered visit
    t.boolean('queued').notNullable();
    t.boolean('answered').notNullable();
    t.boolean('self_service').notNullable();
    t.boolean('contained').notNullable(); // self-service in the IVR and never a queue, callback or transfer out
    t.integer('survey_score');
    t.specificType('reason_codes', 'text[]').notNullable(); // every wrap-up's reason codes
    // First-contact resolution: null when it cannot be judged (no reason codes or no known
    // customer); true when the same customer called again within 7 days on a shared reason.
    t.boolean('repeated');
    t.index(['started_at']);
    t.index(['customer_id', 'started_at']);
  });

  await knex.schema.createTable('report_watermark', (t) => {
    t.integer('id').primary(); // always 1: one row
    t.specificType('horizon', 'xid8'); // null: nothing projected yet
    t.timestamp('projected_at', { useTz: true });
  });
  await knex('report_watermark').insert({ id: 1, horizon: null, projected_at: null });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('report_watermark');
  await knex.schema.dropTable('contact_facts');
  await knex.schema.dropTable('queue_visit_facts');
  await knex.raw('DROP INDEX agent_state_events_at');
  await knex.raw('DROP INDEX interaction_events_tx');
  await knex.raw('ALTER TABLE interaction_events DROP COLUMN tx');
}
