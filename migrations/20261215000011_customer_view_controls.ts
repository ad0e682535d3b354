import type { Knex } from 'knex';

// Controls on reading customers (SEC-01): an optional organisation unit (branch, team) on staff
// and customers, which scopes what staff may read where the bank sets one; and per-user counts of
// profile reads in fixed windows, incremented atomically, for the rate limit and its alert.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('org_unit'); // null: the whole bank
  });
  await knex.schema.alterTable('customers', (t) => {
    t.text('org_unit'); // null: served by every unit
    t.index(['org_unit']);
  });
  await knex.schema.createTable('profile_view_counts', (t) => {
    t.integer('user_id').notNullable();
    t.integer('window_seconds').notNullable(); // 60 | 3600
    t.timestamp('window_start', { useTz: true }).notNullable();
    t.integer('views').notNullable();
    t.primary(['user_id', 'window_seconds', 'window_start']);
    t.index(['window_start']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('profile_view_counts');
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['org_unit']);
    t.dropColumn('org_unit');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('org_unit');
  });
}
