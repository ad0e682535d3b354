import type { Knex } from 'knex';

// Sessions through a shift (issue 15) and a login throttle strangers cannot turn against a user
// (issue 16). A session is one sign-in: short access tokens name it, and it lives on through
// refresh tokens, each used once. Every refresh token ever issued is kept (hashed) with its
// session until the session is purged, so one presented again after it was rotated is recognised
// as stolen and ends the whole session.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_sessions', (t) => {
    t.uuid('id').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE'); // a deleted user has no sessions
    t.text('method').notNullable(); // password | oidc
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('idle_expires_at', { useTz: true }).notNullable(); // slides forward on each refresh
    t.timestamp('expires_at', { useTz: true }).notNullable(); // never moves: the longest a sign-in lasts
    t.timestamp('revoked_at', { useTz: true });
    t.text('revoked_reason'); // logout | reused | user_disabled
    t.text('ip');
    t.index(['user_id']);
    t.index(['expires_at']);
  });
  await knex.schema.createTable('auth_refresh_tokens', (t) => {
    t.text('token_hash').primary(); // sha256 of the opaque token, hex: the token itself is never stored
    t.uuid('session_id').notNullable().references('auth_sessions.id').onDelete('CASCADE');
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('rotated_at', { useTz: true }); // used once: a second use is a reuse
    t.index(['session_id']);
  });
  // Failed sign-ins per (username, client address), counted in the statement that admits an
  // attempt: parallel guesses cannot all pass a check made before any of them failed.
  await knex.schema.createTable('login_throttle', (t) => {
    t.text('username').notNullable();
    t.text('ip').notNullable();
    t.timestamp('window_start', { useTz: true }).notNullable();
    t.integer('attempts').notNullable(); // admitted and not (yet) successful
    t.integer('refused').notNullable().defaultTo(0); // turned away by backoff or lock (for the burst alert)
    t.timestamp('last_at', { useTz: true }).notNullable(); // the last admitted attempt
    t.timestamp('seen_at', { useTz: true }).notNullable(); // the last attempt, admitted or not
    t.primary(['username', 'ip']);
    t.index(['seen_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_throttle');
  await knex.schema.dropTable('auth_refresh_tokens');
  await knex.schema.dropTable('auth_sessions');
}
