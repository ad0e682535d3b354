import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import knexPkg, { type Knex } from 'knex';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import type { Config } from '../config.js';
import { damagedMessage, DataDirError, lockDataDir } from './data-dir.js';

export type Db = Knex;

// PostgreSQL returns bigint and numeric as strings to avoid precision loss. Our money columns are
// numeric(18,2) and ids fit in 2^53, so numbers are safe and keep both drivers' JSON identical.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// Dates (not timestamps) stay 'YYYY-MM-DD' strings: a birth date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export function describeDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): string {
  if (config.DATABASE_URL) {
    const url = new URL(config.DATABASE_URL);
    return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
  }
  return `embedded PGlite in ${path.resolve(config.DATA_DIR, 'pglite')}`;
}

/**
 * Migrations are loaded by our own import() rather than knex's, so that whichever TypeScript
 * loader runs us (tsx for the CLI and server, vite for the tests) also loads them, and so does
 * plain node from the build (dist/migrations/*.js).
 */
const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort(),
  // Named as in the source tree, so a database migrated from source and one from the build agree.
  getMigrationName: (file) => file.replace(/\.js$/, '.ts'),
  getMigration: async (file) => (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as Knex.Migration,
};

/** PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite (the same SQL, the same migrations). */
export function createDb(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>, options: { poolMax?: number } = {}): Db {
  const migrations = { migrationSource, tableName: 'knex_migrations' };
  if (config.DATABASE_URL) {
    return knexPkg.knex({
      client: 'pg',
      connection: config.DATABASE_URL,
      pool: { min: 0, max: options.poolMax ?? 10 },
      migrations,
    });
  }
  const dir = path.resolve(config.DATA_DIR, 'pglite');
  const lock = lockDataDir(config.DATA_DIR);
  mkdirSync(dir, { recursive: true });
  // The same value shapes as the pg driver above, so no code can tell the two databases apart.
  const parsers = {
    [pgliteTypes.INT8]: (v: string) => Number(v),
    [pgliteTypes.NUMERIC]: (v: string) => Number(v),
    [pgliteTypes.DATE]: (v: string) => v,
  };
  const pglite = new PGlite(dir, { parsers });
  // A damaged data dir fails PGlite's start (RuntimeError: Aborted()): say what it is and what to do.
  const opened = pglite.waitReady.catch((err: unknown) => { throw new DataDirError(damagedMessage(config.DATA_DIR, err)); });
  opened.catch(() => undefined);
  const db = knexPkg.knex({
    client: ClientPgLite as unknown as typeof knexPkg.Client,
    dialect: 'postgres',
    connection: (() => ({ pglite })) as unknown as Knex.StaticConnectionConfig,
    migrations,
  });
  embeddedOpened.set(db, opened);
  // Closing the database gives the data dir back.
  const destroy = db.destroy.bind(db);
  Object.defineProperty(db, 'destroy', {
    configurable: true,
    value: async (callback?: () => void) => {
      try {
        await destroy();
        if (!pglite.closed) await pglite.close().catch(() => undefined);
      } finally {
        lock.release();
      }
      callback?.();
    },
  });
  return db;
}

const embeddedOpened = new WeakMap<Db, Promise<unknown>>();

/** Resolves once the database answers; an embedded one that cannot start rejects with a DataDirError. */
export async function checkDb(db: Db): Promise<void> {
  await embeddedOpened.get(db);
  await db.raw('SELECT 1');
}

/**
 * The database, checked: a damaged embedded data dir is a DataDirError with what to do, not a
 * WebAssembly crash later. `migrate`: bring the schema up to date first (CLIs on an empty data dir).
 */
export async function openDb(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>, options: { poolMax?: number; migrate?: boolean } = {}): Promise<Db> {
  const db = createDb(config, options);
  try {
    await checkDb(db);
    if (options.migrate) await db.migrate.latest();
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return db;
}

