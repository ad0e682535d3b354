import type { Knex } from 'knex';

// What the customer did (transactions), what went wrong (complaints/cases) and every contact
// with the bank (interactions, append-only events; the call flow fills them from the hotline issue on).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('transactions', (t) => {
    t.bigIncrements('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('account_ref').notNullable(); // account_no or card last4: masked in the API
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.decimal('amount', 18, 2).notNullable(); // positive = credit to the customer, negative = debit
    t.text('currency').notNullable().defaultTo('CNY');
    t.text('channel').notNullable(); // branch | atm | mobile | online | pos | counter | phone
    t.text('description').notNullable();
    t.text('counterparty');
    t.index(['customer_id', 'occurred_at']);
  });

  await knex.schema.createTable('complaints', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('case_no').notNullable().unique();
    t.text('category').notNullable(); // service | fees | card | loan | wealth_missale | ebanking | other
    t.text('summary').notNullable();
    t.text('status').notNullable().defaultTo('open'); // open | in_progress | resolved | closed
    t.text('channel').notNullable().defaultTo('phone');
    t.timestamp('opened_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sla_due_at', { useTz: true }).notNullable();
    t.timestamp('closed_at', { useTz: true });
    t.index(['customer_id', 'status']);
  });

  await knex.schema.createTable('interactions', (t) => {
    t.uuid('id').primary();
    t.integer('customer_id').references('customers.id').onDelete('SET NULL');
    t.text('channel').notNullable(); // phone_ivr | phone_agent | outbound | sms | email | web | mobile | atm | branch
    t.text('direction').notNullable(); // inbound | outbound
    t.text('tier_at_time');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true });
    t.text('summary');
    t.text('disposition');
    t.index(['customer_id', 'started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('interactions');
  await knex.schema.dropTable('complaints');
  await knex.schema.dropTable('transactions');
}
