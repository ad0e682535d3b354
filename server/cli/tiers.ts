// npm run tiers:recompute  — rescore every customer and recut the tiers (the nightly batch)
// npm run tiers:report     — per tier: customers, share of customers, share of total contribution
import { describeDatabase } from '../db/knex.js';
import { loadTierModel } from '../modules/tiers/tier-model.js';
import { createTiersService } from '../modules/tiers/tiers-service.js';
import { withDatabase } from './run-cli.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);

await withDatabase(async (db, config) => {
  const tiers = createTiersService(loadTierModel(config.TIER_MODEL_FILE));
  const command = process.argv[2];
  if (command === 'recompute') {
    const started = Date.now();
    const r = await tiers.recomputeAll(db, 'bulk_recompute');
    console.log(`Rescored ${r.customers} customers in ${((Date.now() - started) / 1000).toFixed(1)} s; ${r.changed} tier changes recorded.`);
    console.log(`Tier edges (model ${tiers.model.version}): ${Object.entries(r.min_scores).map(([t, s]) => `${t} >= ${s.toFixed(2)}`).join(', ')}`);
  } else if (command !== 'report') {
    console.error(`unknown command ${command}: use recompute or report`);
    return 2;
  }
  console.log(`\nTier report (${describeDatabase(config)}, model ${tiers.model.version})`);
  console.log('tier       customers  of customers  of contribution');
  for (const r of await tiers.report(db)) {
    console.log(`${r.tier.padEnd(9)} ${String(r.customers).padStart(10)}  ${pct(r.share_of_customers)}       ${pct(r.share_of_contribution)}`);
  }
});
