// npm run db:migrate | db:rollback [-- --all]
import { loadConfig } from '../config.js';
import { createDb, describeDatabase } from '../db/knex.js';

const config = loadConfig();
const db = createDb(config);
const command = process.argv[2] ?? 'latest';
try {
  if (command === 'latest') {
    const [batch, names] = await db.migrate.latest();
    console.log(names.length ? `Applied batch ${batch}: ${names.join(', ')}` : 'Already up to date');
  } else if (command === 'rollback') {
    const [batch, names] = await db.migrate.rollback(undefined, process.argv.includes('--all'));
    console.log(names.length ? `Rolled back batch ${batch}: ${names.join(', ')}` : 'Nothing to roll back');
  } else {
    throw new Error(`unknown command ${command}: use latest or rollback`);
  }
  console.log(`(${describeDatabase(config)})`);
} finally {
  await db.destroy();
}
