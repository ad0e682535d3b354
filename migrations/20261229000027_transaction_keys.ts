import type { Knex } from 'knex';

// The transactions feed (issue 19) upserts by the core-banking system's own transaction number,
// so a rerun of a file changes nothing. Rows from before (the seed's) have none.
export async function up(knex: Knex): Promise<void> {
  // Unique, not a partial index: the feed's upsert names it as its conflict target (NULLs never clash).
  await knex.schema.alterTable('transactions', (t) => { t.text('txn_no').unique(); });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transactions', (t) => { t.dropColumn('txn_no'); });
}
