// npm run compliance:verify — re-walks the hash-chained compliance log of every dial decision and
// names any row that was edited or removed. Exit code 0: intact; 1: tampered; 2: could not check.
import { describeDatabase } from '../db/knex.js';
import { verifyCompliance } from '../modules/campaigns/compliance.js';
import { withDatabase } from './run-cli.js';

await withDatabase(async (db, config) => {
  try {
    const result = await verifyCompliance(db);
    if (result.ok) {
      console.log(`compliance log intact: ${result.rows} rows chained (${describeDatabase(config)})`);
    } else {
      console.error(`compliance log TAMPERED: ${result.problems.length} problem(s) in ${result.rows} rows (${describeDatabase(config)})`);
      for (const p of result.problems) console.error(`  row ${p.id ?? '-'}: ${p.problem}`);
    }
    return result.ok ? 0 : 1;
  } catch (err) {
    console.error(`compliance:verify could not read the log: ${(err as Error).message}`);
    return 2;
  }
});
