import type { Knex } from 'knex';

// Cases (issue 18): the `complaints` table grows into the bank's case register (complaints,
// suggestions, service requests) so the seed rows, the IVR's lost-card cases and the cases agents
// open are one list the pop already reads. Each step of a case is a row of case_events (who,
// when); the follow-up and feedback contacts owed after a call or a resolution are tasks.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('complaints', (t) => {
    t.text('kind').notNullable().defaultTo('complaint'); // complaint | suggestion | service_request
    t.text('severity').notNullable().defaultTo('medium'); // low | medium | high | critical
    t.text('description');
    t.uuid('interaction_id').references('interactions.id').onDelete('SET NULL');
    t.jsonb('products').notNullable().defaultTo('[]');
    t.integer('owner_id').references('users.id').onDelete('SET NULL');
    t.integer('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('ack_due_at', { useTz: true });
    t.timestamp('risk_at', { useTz: true }); // when the case is at risk of missing sla_due_at
    t.timestamp('acknowledged_at', { useTz: true });
    t.timestamp('resolved_at', { useTz: true });
    t.text('result');
    t.integer('satisfaction'); // 1..5, from the feedback contact
    t.timestamp('escalated_at', { useTz: true });
    t.integer('reopened').notNullable().defaultTo(0);
    t.index(['interaction_id']);
    t.index(['owner_id', 'status']);
  });
  // The sweep looks only at active cases not yet escalated.
  await knex.raw(`CREATE INDEX complaints_at_risk ON complaints (risk_at) WHERE escalated_at IS NULL AND status IN ('open', 'assigned', 'in_progress')`);
  // The wallboard reads the escalated ones every tick (an alert each).
  await knex.raw(`CREATE INDEX complaints_escalated ON complaints (sla_due_at) WHERE escalated_at IS NOT NULL AND status IN ('open', 'assigned', 'in_progress')`);

  await knex.schema.createTable('case_events', (t) => {
    t.bigIncrements('id');
    t.integer('case_id').notNullable().references('complaints.id').onDelete('CASCADE');
    t.text('type').notNullable(); // opened | assigned | started | resolved | feedback_contacted | closed | reopened | escalated
    t.text('from_status');
    t.text('to_status');
    t.integer('actor_id').references('users.id').onDelete('SET NULL'); // null: the system (the SLA sweep)
    t.text('actor').notNullable(); // username, or "system"
    t.timestamp('at', { useTz: true }).notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.index(['case_id', 'id']);
  });

  await knex.schema.createTable('tasks', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // follow_up | feedback
    t.text('state').notNullable().defaultTo('open'); // open | done | cancelled
    t.integer('customer_id').references('customers.id').onDelete('CASCADE');
    t.integer('case_id').references('complaints.id').onDelete('CASCADE');
    t.uuid('interaction_id').references('interactions.id').onDelete('SET NULL');
    t.integer('assignee_id').references('users.id').onDelete('SET NULL');
    t.integer('created_by').references('users.id').onDelete('SET NULL');
    t.text('reason').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.integer('completed_by').references('users.id').onDelete('SET NULL');
    t.integer('satisfaction');
    t.text('note');
    t.index(['assignee_id', 'state', 'due_at']);
    t.index(['case_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tasks');
  await knex.schema.dropTable('case_events');
  await knex.raw('DROP INDEX complaints_escalated');
  await knex.raw('DROP INDEX complaints_at_risk');
  await knex.schema.alterTable('complaints', (t) => {
    t.dropIndex(['interaction_id']);
    t.dropIndex(['owner_id', 'status']);
    for (const c of ['kind', 'severity', 'description', 'interaction_id', 'products', 'owner_id', 'created_by', 'ack_due_at', 'risk_at', 'acknowledged_at', 'resolved_at', 'result', 'satisfaction', 'escalated_at', 'reopened']) t.dropColumn(c);
  });
}
