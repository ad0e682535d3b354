import { ConfigError, loadConfig, type Config } from '../config.js';
import { DataDirError } from '../db/data-dir.js';
import { openDb, type Db } from '../db/knex.js';
import { AppError } from '../errors.js';

/**
 * Runs a CLI command on the configured database: opened (an embedded one locked for this process,
 * refused with the holder named when a server has it), migrated first when asked (so a command on
 * an empty data dir works), always closed. Known failures print their message and exit 1.
 */
export async function withDatabase(run: (db: Db, config: Config) => Promise<number | void>, opts: { migrate?: boolean } = {}): Promise<void> {
  let db: Db | undefined;
  try {
    const config = loadConfig(process.env, {}, { telephony: false });
    db = await openDb(config, { migrate: opts.migrate ?? true });
    process.exitCode = (await run(db, config)) ?? 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirError) console.error(err.message);
    else if (err instanceof AppError) console.error(`${err.code}: ${err.message}`);
    else throw err;
    process.exitCode = 1;
  } finally {
    await db?.destroy();
  }
}
