// npm run feed -- <kind> <file>   — run a feed file (relationship_managers | customers | phones | holdings | transactions | pins; .csv or .jsonl)
// Prints the run's counts and its first refused rows; the run is logged like one started by API.
import { createReadStream } from 'node:fs';
import { loadTierModel } from '../modules/tiers/tier-model.js';
import { createTiersService } from '../modules/tiers/tiers-service.js';
import { createFeedsService } from '../modules/feeds/feeds-service.js';
import { createPinsService } from '../modules/pins/pins-service.js';
import { FEED_KINDS, type FeedKind } from '../modules/feeds/feeds-schemas.js';
import { withDatabase } from './run-cli.js';

await withDatabase(async (db, config) => {
  const [kind, file] = process.argv.slice(2);
  if (!FEED_KINDS.includes(kind as FeedKind) || !file) {
    console.error(`usage: npm run feed -- <${FEED_KINDS.join('|')}> <file.csv|file.jsonl>`);
    return 2;
  }
  const feeds = createFeedsService({ db, tiers: createTiersService(loadTierModel(config.TIER_MODEL_FILE)), pins: createPinsService({ db }) });
  const run = await feeds.run(kind as FeedKind, createReadStream(file), { format: file.endsWith('.jsonl') ? 'jsonl' : 'csv', source: `cli:${file}`, startedBy: null });
  console.log(`feed run ${run.id} (${run.kind}): ${run.rows} rows in ${((run.duration_ms ?? 0) / 1000).toFixed(1)} s — added ${run.added}, changed ${run.changed}, unchanged ${run.unchanged}, rejected ${run.rejected}, tiers changed ${run.rescored}`);
  for (const e of run.errors ?? []) console.log(`  line ${e.line}: ${e.code} ${e.message}`);
  return run.rejected > 0 ? 3 : 0;
});
