import type { Knex } from 'knex';

// Product holdings per line, as the core-banking feed reports them. Each row carries `as_of`, the
// time the source system last confirmed it, so the screen-pop can say how fresh it is (DATA-01).
export async function up(knex: Knex): Promise<void> {
  const asOf = (t: Knex.CreateTableBuilder) => t.timestamp('as_of', { useTz: true }).notNullable().defaultTo(knex.fn.now());

  await knex.schema.createTable('deposit_accounts', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('account_no').notNullable().unique(); // masked in the API
    t.text('product').notNullable(); // current | savings | payroll
    t.text('currency').notNullable().defaultTo('CNY');
    t.decimal('balance', 18, 2).notNullable();
    t.decimal('avg_daily_balance_90d', 18, 2).notNullable(); // the score uses the period average, never a snapshot (DATA-04)
    t.text('status').notNullable().defaultTo('active'); // active | dormant | frozen | closed
    t.date('opened_on').notNullable();
    asOf(t);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('time_deposits', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('deposit_no').notNullable().unique();
    t.text('currency').notNullable().defaultTo('CNY');
    t.decimal('principal', 18, 2).notNullable();
    t.decimal('rate_pct', 6, 3).notNullable();
    t.integer('term_months').notNullable();
    t.date('start_date').notNullable();
    t.date('maturity_date').notNullable();
    t.text('status').notNullable().defaultTo('active'); // active | matured | withdrawn
    asOf(t);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('loans', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('loan_no').notNullable().unique();
    t.text('kind').notNullable(); // mortgage | consumer | auto | business
    t.decimal('principal', 18, 2).notNullable();
    t.decimal('outstanding', 18, 2).notNullable();
    t.decimal('rate_pct', 6, 3).notNullable();
    t.decimal('interest_income_12m', 18, 2).notNullable().defaultTo(0);
    t.date('start_date').notNullable();
    t.date('maturity_date').notNullable();
    t.integer('days_overdue').notNullable().defaultTo(0);
    t.text('status').notNullable().defaultTo('active'); // active | overdue | closed
    asOf(t);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('cards', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('kind').notNullable(); // debit | credit
    t.text('product').notNullable(); // e.g. "Platinum Credit"
    // The full PAN never reaches this database (it lives in the card vault); only a mask and last 4.
    t.text('pan_masked').notNullable();
    t.text('last4').notNullable();
    t.text('status').notNullable().defaultTo('active'); // active | frozen | lost | closed
    t.decimal('credit_limit', 18, 2);
    t.decimal('balance', 18, 2).notNullable().defaultTo(0);
    t.decimal('spend_12m', 18, 2).notNullable().defaultTo(0);
    t.decimal('fee_income_12m', 18, 2).notNullable().defaultTo(0);
    t.date('expires_on').notNullable();
    asOf(t);
    t.index(['customer_id']);
    t.index(['last4']);
  });

  // Funds, insurance and wealth-management products: the intermediary (fee) business.
  await knex.schema.createTable('investment_holdings', (t) => {
    t.increments('id');
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.text('line').notNullable(); // fund | insurance | wealth
    t.text('product_code').notNullable();
    t.text('product_name').notNullable();
    t.smallint('risk_level').notNullable(); // R1..R5, comparable with customers.risk_tolerance
    t.decimal('market_value', 18, 2).notNullable();
    t.decimal('fee_income_12m', 18, 2).notNullable().defaultTo(0);
    t.date('purchased_on').notNullable();
    asOf(t);
    t.index(['customer_id']);
  });

  await knex.schema.createTable('ebanking_activity', (t) => {
    t.integer('customer_id').primary().references('customers.id').onDelete('CASCADE');
    t.boolean('mobile_enrolled').notNullable().defaultTo(false);
    t.boolean('online_enrolled').notNullable().defaultTo(false);
    t.integer('logins_90d').notNullable().defaultTo(0);
    t.integer('transactions_90d').notNullable().defaultTo(0);
    t.decimal('settlement_volume_90d', 18, 2).notNullable().defaultTo(0); // payments and transfers
    t.timestamp('last_login_at', { useTz: true });
    asOf(t);
  });

  await knex.schema.createTable('international_business', (t) => {
    t.integer('customer_id').primary().references('customers.id').onDelete('CASCADE');
    t.decimal('fx_volume_12m', 18, 2).notNullable().defaultTo(0); // CNY equivalent
    t.integer('remittances_12m').notNullable().defaultTo(0);
    t.decimal('remittance_fees_12m', 18, 2).notNullable().defaultTo(0);
    t.decimal('trade_finance_volume_12m', 18, 2).notNullable().defaultTo(0);
    asOf(t);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['international_business', 'ebanking_activity', 'investment_holdings', 'cards', 'loans', 'time_deposits', 'deposit_accounts']) {
    await knex.schema.dropTable(table);
  }
}
