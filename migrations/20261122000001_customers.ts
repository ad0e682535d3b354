import type { Knex } from 'knex';

// Relationship managers, customers and their phone numbers. A customer is the key of everything
// (UCV-01): accounts, cards and calls hang off the customer, never the other way round.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('relationship_managers', (t) => {
    t.increments('id');
    t.text('employee_no').notNullable().unique();
    t.text('name').notNullable();
    t.text('phone').notNullable(); // E.164 direct line, used for warm transfers
    t.text('email');
    t.text('branch').notNullable();
    t.text('team').notNullable(); // e.g. private-banking, wealth, retail
    t.specificType('languages', 'text[]').notNullable().defaultTo('{zh}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('customers', (t) => {
    t.increments('id');
    t.text('customer_no').notNullable().unique();
    t.text('customer_type').notNullable().defaultTo('individual'); // individual | corporate (VAL-13)
    t.text('name_zh');
    t.text('name_en');
    t.text('gender').notNullable(); // F | M | U
    t.date('birth_date');
    t.text('id_type').notNullable(); // resident_id | passport | hk_macau_permit
    t.text('id_number').notNullable(); // stored in full for back-office matching; the API only ever masks it
    t.text('language').notNullable().defaultTo('zh'); // zh | en: IVR and agent language
    t.text('region').notNullable();
    t.text('occupation');
    t.text('income_band'); // <100k | 100k-300k | 300k-1m | 1m-5m | >5m (CNY per year)
    t.smallint('risk_tolerance').notNullable().defaultTo(1); // R1 (conservative) .. R5 (aggressive)
    t.text('credit_rating'); // AAA .. C, from the credit system
    t.boolean('churn_risk').notNullable().defaultTo(false);
    t.boolean('marketing_consent').notNullable().defaultTo(false);
    t.boolean('do_not_call').notNullable().defaultTo(false);
    t.text('timezone').notNullable().defaultTo('Asia/Shanghai');
    t.text('preferred_contact').notNullable().defaultTo('phone'); // phone | sms | email | wechat
    t.text('email');
    t.date('customer_since').notNullable();
    t.integer('rm_id').references('relationship_managers.id').onDelete('SET NULL');
    // Current value: derived from holdings by the scoring model; history in tier_history.
    t.decimal('score', 18, 2).notNullable().defaultTo(0);
    t.text('tier').notNullable().defaultTo('STANDARD');
    t.jsonb('score_breakdown').notNullable().defaultTo('{}');
    t.timestamp('score_computed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['rm_id']);
    t.index(['tier']);
  });
  // Agent search by name: prefix match on either script, case-insensitive for English.
  await knex.raw('CREATE INDEX customers_name_en_idx ON customers (lower(name_en) text_pattern_ops)');
  await knex.raw('CREATE INDEX customers_name_zh_idx ON customers (name_zh text_pattern_ops)');

  await knex.schema.createTable('customer_phones', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('phone').notNullable(); // E.164; deliberately not unique: families share a home line
    t.text('kind').notNullable().defaultTo('mobile'); // mobile | home | work
    t.boolean('is_primary').notNullable().defaultTo(false);
    t.unique(['customer_id', 'phone']);
    t.index(['phone']); // caller-ID lookup on every inbound call
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('customer_phones');
  await knex.schema.dropTable('customers');
  await knex.schema.dropTable('relationship_managers');
}
