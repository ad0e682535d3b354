// Entry point: `npm start`. Validates config, builds the app, seeds the demo bank into an empty
// embedded database, listens, and shuts down cleanly on SIGINT/SIGTERM.
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { describeDatabase } from './db/knex.js';
import { DEMO_PASSWORD, DEMO_USERS, seedSyntheticBank } from './db/synthetic-bank.js';
import { loadTierModel } from './modules/tiers/tier-model.js';
import { createTiersService } from './modules/tiers/tiers-service.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

const app = await buildApp(config);

// The embedded database is the demo: give it a bank the first time. A real PostgreSQL is never
// filled with synthetic customers behind anyone's back (use `npm run db:seed` for that).
if (!config.DATABASE_URL && config.SEED_CUSTOMERS > 0) {
  const row = await app.db('customers').count('* as n').first();
  if (Number(row?.n ?? 0) === 0) {
    app.log.info(`Seeding a synthetic bank of ${config.SEED_CUSTOMERS} customers (first start only)…`);
    const tiers = createTiersService(loadTierModel(config.TIER_MODEL_FILE));
    await seedSyntheticBank(app.db, { customers: config.SEED_CUSTOMERS, tiers, log: (m) => app.log.info(m) });
  }
}

const shutdown = async (signal: string) => {
  app.log.info(`${signal}: closing`);
  await app.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.PORT, host: config.HOST });
const url = config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
console.warn(`
Switchboard is up at ${url}
  API docs:  ${url}/docs
  Database:  ${describeDatabase(config)}
  Demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}
`);
