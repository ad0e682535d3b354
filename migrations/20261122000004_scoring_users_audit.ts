import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Every tier change with its time (DATA-04: tiers are dynamic; the pop shows the trend).
  await knex.schema.createTable('tier_history', (t) => {
    t.bigIncrements('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('from_tier'); // null for the first assessment
    t.text('to_tier').notNullable();
    t.decimal('score', 18, 2).notNullable();
    t.text('model_version').notNullable();
    t.text('reason').notNullable(); // holdings_update | bulk_recompute | seed
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['customer_id', 'changed_at']);
  });

  // Tiers are cut by score percentile. A bulk run fixes the score at each cut-off; a single
  // customer's recompute compares against the latest cut-offs, so it needs no full-table scan.
  await knex.schema.createTable('tier_cutoffs', (t) => {
    t.increments('id');
    t.text('model_version').notNullable();
    t.jsonb('min_scores').notNullable(); // { "PRIVATE": 123456.78, "DIAMOND": ..., "GOLD": ... }
    t.integer('population').notNullable();
    t.timestamp('computed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('username').notNullable().unique();
    t.text('password_hash').notNullable(); // argon2id
    t.text('role').notNullable(); // agent | supervisor | rm | admin
    t.text('display_name').notNullable();
    t.integer('rm_id').references('relationship_managers.id').onDelete('SET NULL'); // for role rm
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Append-only: who did what to which customer, and why (SEC-01, SYS-10).
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('actor_user_id'); // no FK: a cascade would have to rewrite append-only rows
    t.text('actor_username'); // kept even when the user is gone; the attempted name for failed logins
    t.text('actor_role');
    t.text('action').notNullable(); // customer.view | customer.search | customer.holdings_update | auth.login | auth.login_failed
    t.integer('customer_id');
    t.text('purpose'); // call | search | callback | review | feed
    t.text('call_sid');
    t.text('ip');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.index(['customer_id', 'at']);
    t.index(['action', 'actor_username', 'at']);
    t.index(['action', 'ip', 'at']);
  });
  // Make the audit log append-only at the database level, not just by convention.
  // (One statement per raw(): PGlite's extended protocol refuses multi-statement strings.)
  await knex.raw(`CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
  await knex.raw(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log');
  await knex.raw('DROP FUNCTION IF EXISTS audit_log_immutable()');
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('users');
  await knex.schema.dropTable('tier_cutoffs');
  await knex.schema.dropTable('tier_history');
}
