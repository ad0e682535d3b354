// npm run user:add -- --username U --password P --role agent|supervisor|rm|admin [--name "Display Name"] [--rm-id N]
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDb } from '../db/knex.js';
import { AppError } from '../errors.js';
import type { Role } from '../modules/users/users-schemas.js';
import { createUser } from '../modules/users/users-service.js';

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

const db = createDb(loadConfig());
try {
  await db.migrate.latest();
  const user = await createUser(db, {
    username: values.username,
    password: values.password,
    role: values.role as Role,
    display_name: values.name,
    rm_id: values['rm-id'] ? Number(values['rm-id']) : undefined,
  });
  console.log(`Created ${user.role} ${user.username} (id ${user.id})`);
} catch (err) {
  if (!(err instanceof AppError)) throw err;
  console.error(`${err.code}: ${err.message}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
