// npm run demo:reset — deletes the embedded demo database (DATA_DIR/pglite) so the next `npm start`
// migrates and seeds a fresh demo bank. For a damaged data dir, or to start the demo over.
// Refuses while a process holds the data dir, and on PostgreSQL (DATABASE_URL) altogether.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { DataDirError, lockDataDir } from '../db/data-dir.js';

try {
  const config = loadConfig(process.env, {}, { telephony: false });
  if (config.DATABASE_URL) throw new ConfigError('DATABASE_URL is set: demo:reset only deletes the embedded demo database, never a PostgreSQL one');
  const dir = path.resolve(config.DATA_DIR, 'pglite');
  const lock = lockDataDir(config.DATA_DIR);
  try {
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      console.log(`Deleted the demo database in ${dir}; the next npm start seeds a fresh demo bank.`);
    } else {
      console.log(`No demo database in ${dir}: nothing to reset.`);
    }
  } finally {
    lock.release();
  }
} catch (err) {
  if (!(err instanceof ConfigError || err instanceof DataDirError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
