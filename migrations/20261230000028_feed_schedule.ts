import type { Knex } from 'knex';

// Scheduled feeds (issue 19, FEED_SCHEDULE): each kind's run of a day is claimed once, whichever
// node sees its time first; the run itself is a job (BullMQ, or in process in the demo).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('feed_schedule_runs', (t) => {
    t.text('kind').notNullable();
    t.date('day').notNullable(); // the bank's date
    t.text('file').notNullable();
    t.timestamp('claimed_at', { useTz: true }).notNullable();
    t.integer('run_id').references('feed_runs.id').onDelete('SET NULL');
    t.primary(['kind', 'day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('feed_schedule_runs');
}
