import type { Config } from '../config.js';
import { loadTierModel } from '../modules/tiers/tier-model.js';
import { createTiersService } from '../modules/tiers/tiers-service.js';
import type { Db } from './knex.js';
import { seedSyntheticBank } from './synthetic-bank.js';
import { generateHistory } from './synthetic-history.js';

/**
 * The embedded database is the demo: give it a bank the first time. A real PostgreSQL is never
 * filled with synthetic customers behind anyone's back (use `npm run db:seed` for that).
 */
export async function ensureDemoBank(db: Db, config: Config, log: (message: string) => void): Promise<void> {
  if (config.DATABASE_URL || config.SEED_CUSTOMERS === 0) return;
  const row = await db('customers').count('* as n').first();
  if (Number(row?.n ?? 0) > 0) return;
  log(`Seeding a synthetic bank of ${config.SEED_CUSTOMERS} customers (first start only)…`);
  await seedSyntheticBank(db, { customers: config.SEED_CUSTOMERS, tiers: createTiersService(loadTierModel(config.TIER_MODEL_FILE)), log });
  if (config.SEED_HISTORY_DAYS > 0) {
    log(`Adding ${config.SEED_HISTORY_DAYS} days of hotline history for the reports…`);
    await generateHistory(db, { days: config.SEED_HISTORY_DAYS, log });
  }
}
