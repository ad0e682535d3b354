// npm run db:migrate | db:rollback [-- --all]
import { describeDatabase } from '../db/knex.js';
import { withDatabase } from './run-cli.js';

await withDatabase(async (db, config) => {
  const command = process.argv[2] ?? 'latest';
  if (command === 'latest') {
    const [batch, names] = await db.migrate.latest();
    console.log(names.length ? `Applied batch ${batch}: ${names.join(', ')}` : 'Already up to date');
  } else if (command === 'rollback') {
    const [batch, names] = await db.migrate.rollback(undefined, process.argv.includes('--all'));
    console.log(names.length ? `Rolled back batch ${batch}: ${names.join(', ')}` : 'Nothing to roll back');
  } else {
    console.error(`unknown command ${command}: use latest or rollback`);
    return 2;
  }
  console.log(`(${describeDatabase(config)})`);
}, { migrate: false });
