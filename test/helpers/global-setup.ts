import { createDb } from '../../server/db/knex.js';
import { seedSyntheticBank } from '../../server/db/synthetic-bank.js';
import { DEFAULT_TIER_MODEL } from '../../server/modules/tiers/tier-model.js';
import { createTiersService } from '../../server/modules/tiers/tiers-service.js';
import { templateDb, urlFor, withAdmin } from './databases.js';

/** Size of the bank every integration test starts from: big enough for real tiers, quick to clone. */
export const TEST_BANK_CUSTOMERS = 1500;

// Builds this run's template database: migrated and seeded with the deterministic synthetic bank.
// Dropped at the end of the run (and a run killed before that leaves one behind, named by its pid).
export default async function setup() {
  process.env.SB_TEST_TEMPLATE_DB = `sb_test_template_${process.pid}`;
  const template = templateDb();
  await withAdmin(async (admin) => {
    await admin.raw(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${template}`);
  });
  const db = createDb({ DATABASE_URL: urlFor(template), DATA_DIR: '' });
  try {
    await db.migrate.latest();
    await seedSyntheticBank(db, { customers: TEST_BANK_CUSTOMERS, tiers: createTiersService(DEFAULT_TIER_MODEL) });
  } finally {
    await db.destroy();
  }
  return async () => {
    await withAdmin((admin) => admin.raw(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
  };
}
