import type { Knex } from 'knex';

// Batch feeds (issue 19): one row per run of a feed file, with its counts, and the rows it refused
// (by line, with a code) so an admin can download them and fix the source. The refused row's
// content is not kept: it may carry names, phones or ID numbers.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('feed_runs', (t) => {
    t.increments('id');
    t.text('kind').notNullable(); // customers | phones | holdings
    t.text('source').notNullable(); // api | inbox:<path> | cli:<file>
    t.text('format').notNullable(); // csv | jsonl
    t.text('status').notNullable().defaultTo('running'); // running | done | failed
    t.integer('started_by').references('users.id').onDelete('SET NULL');
    t.integer('rows').notNullable().defaultTo(0);
    t.integer('added').notNullable().defaultTo(0);
    t.integer('changed').notNullable().defaultTo(0);
    t.integer('unchanged').notNullable().defaultTo(0);
    t.integer('rejected').notNullable().defaultTo(0);
    t.integer('rescored').notNullable().defaultTo(0);
    t.integer('duration_ms');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['started_at']);
  });
  await knex.schema.createTable('feed_run_errors', (t) => {
    t.bigIncrements('id');
    t.integer('run_id').notNullable().references('feed_runs.id').onDelete('CASCADE');
    t.integer('line').notNullable();
    t.text('code').notNullable();
    t.text('message').notNullable();
    t.index(['run_id', 'line']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('feed_run_errors');
  await knex.schema.dropTable('feed_runs');
}
