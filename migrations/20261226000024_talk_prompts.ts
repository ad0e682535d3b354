import type { Knex } from 'knex';

// Live transcript assist (issue 22): each prompt a call's words raised, once per call (a rule
// matched again later in the call is not raised again). The words themselves are on the timeline.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('talk_prompts', (t) => {
    t.uuid('interaction_id').notNullable().references('interactions.id').onDelete('CASCADE');
    t.text('rule').notNullable();
    t.timestamp('raised_at', { useTz: true }).notNullable();
    t.primary(['interaction_id', 'rule']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('talk_prompts');
}
