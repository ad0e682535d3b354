// npm run user:add -- --username U --password P --role agent|supervisor|rm|admin [--name "Display Name"] [--rm-id N]
// Writes the database directly, so beside a running embedded demo it refuses (naming the demo's
// process) instead of opening the same files: stop the demo, add the user, start it again.
import { parseArgs } from 'node:util';
import type { Role } from '../modules/users/users-schemas.js';
import { createUser } from '../modules/users/users-service.js';
import { withDatabase } from './run-cli.js';

let values;
try {
  ({ values } = parseArgs({
    options: { username: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, 'rm-id': { type: 'string' } },
  }));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (!values.username || !values.password || !values.role) {
  console.error('usage: npm run user:add -- --username U --password P --role agent|supervisor|rm|admin [--name "Display Name"] [--rm-id N]');
  process.exit(2);
}

await withDatabase(async (db) => {
  const user = await createUser(db, {
    username: values.username!,
    password: values.password!,
    role: values.role as Role,
    display_name: values.name,
    rm_id: values['rm-id'] ? Number(values['rm-id']) : undefined,
  });
  console.log(`Created ${user.role} ${user.username} (id ${user.id})`);
});
