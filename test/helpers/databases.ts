import { randomBytes } from 'node:crypto';
import knexPkg, { type Knex } from 'knex';

/** The PostgreSQL the integration tests use: CI's DATABASE_URL, or the local default. */
export const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/**
 * The seeded bank every test database is cloned from: one per test run (global setup names it in
 * the environment its workers inherit), so two runs on one PostgreSQL never drop each other's.
 */
export const templateDb = () => process.env.SB_TEST_TEMPLATE_DB ?? 'sb_test_template';

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (admin: Knex) => Promise<T>): Promise<T> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    return await fn(admin);
  } finally {
    await admin.destroy();
  }
}

/** A fresh database cloned from the migrated, seeded template: every test starts from the same bank. */
export async function cloneTemplate(): Promise<string> {
  const name = `sb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.raw(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`));
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
