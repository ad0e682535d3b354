import { createDb } from '../../server/db/knex.js';
import { seedSyntheticBank } from '../../server/db/synthetic-bank.js';
import { DEFAULT_TIER_MODEL } from '../../server/modules/tiers/tier-model.js';
import { createTiersService } from '../../server/modules/tiers/tiers-service.js';
import { TEMPLATE_DB, urlFor, withAdmin } from './databases.js';

/** Size of the bank every integration test starts from: big enough for real tiers, quick to clone. */
export const TEST_BANK_CUSTOMERS = 1500;

// Builds the template database once per run: migrated and seeded with the deterministic synthetic bank.
export default async function setup() {
  await withAdmin(async (admin) => {
    await admin.raw(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  const db = createDb({ DATABASE_URL: urlFor(TEMPLATE_DB), DATA_DIR: '' });
  try {
    await db.migrate.latest();
    await seedSyntheticBank(db, { customers: TEST_BANK_CUSTOMERS, tiers: createTiersService(DEFAULT_TIER_MODEL) });
  } finally {
    await db.destroy();
  }
}
