import type { Knex } from 'knex';

// PIN life cycle and agent configuration (issue 19).
// - phone_pins: why a PIN is locked (the screen-pop shows it with its time) and who last changed it.
// - pin_foreign_failures: wrong PINs typed after identifying by account number from a number that
//   is not one of that customer's phones. They are counted per calling number (and per customer, as
//   a backstop against many numbers), never in the customer's own lock count, so a stranger who
//   knows an account number cannot lock its owner out.
// - agents.team: the team an agent belongs to, set by an admin or supervisor.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('phone_pins', (t) => {
    t.text('lock_cause'); // failures | admin — null while unlocked
    t.text('source'); // feed | cli | seed: where the hash came from
  });
  await knex.schema.createTable('pin_foreign_failures', (t) => {
    t.bigIncrements('id');
    t.text('ani').notNullable();
    t.integer('customer_id').notNullable().references('customers.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['ani', 'at']);
    t.index(['customer_id', 'at']);
  });
  await knex.schema.alterTable('agents', (t) => {
    t.text('team');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.dropColumn('team');
  });
  await knex.schema.dropTable('pin_foreign_failures');
  await knex.schema.alterTable('phone_pins', (t) => {
    t.dropColumn('source');
    t.dropColumn('lock_cause');
  });
}
