import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexPkg from 'knex';
import type { Config } from '../config.js';
import { openDb, type Db } from './knex.js';

/**
 * Runs `fn` on a private database of its own, migrated and empty, dropped afterwards (also when
 * `fn` fails or the process is interrupted; a kill -9 leaves an `sb_scratch_*` behind): a new
 * database on the configured PostgreSQL server, or without one an embedded PGlite in a temporary
 * directory. The configured database itself is never touched.
 */
export async function withScratchDatabase<T>(config: Pick<Config, 'DATABASE_URL'>, fn: (db: Db) => Promise<T>): Promise<T> {
  if (!config.DATABASE_URL) {
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-scratch-'));
    try {
      const db = await openDb({ DATABASE_URL: undefined, DATA_DIR: dir }, { migrate: true });
      try { return await fn(db); } finally { await db.destroy(); }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const name = `sb_scratch_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knexPkg.knex({ client: 'pg', connection: config.DATABASE_URL, pool: { min: 0, max: 2 } });
  // Ctrl-C (or a stop) while it runs: the database goes too, not left behind on the bank's server.
  const interrupted = () => { void admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined).finally(() => process.exit(130)); };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
    const url = new URL(config.DATABASE_URL);
    url.pathname = `/${name}`;
    try {
      const db = await openDb({ DATABASE_URL: url.toString(), DATA_DIR: '' }, { migrate: true });
      try { return await fn(db); } finally { await db.destroy(); }
    } finally {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await admin.destroy();
  }
}
