// npm run user:set -- --username U [--disable | --enable] [--role agent|supervisor|rm|admin]
// Disabling ends the user's sessions at once; running servers close their sockets and refuse their
// tokens within SESSION_CHECK_SECONDS (they read the user's row, whoever changed it).
import { parseArgs } from 'node:util';
import type { Role } from '../modules/users/users-schemas.js';
import { setUser } from '../modules/auth/accounts.js';
import { withDatabase } from './run-cli.js';

const USAGE = 'usage: npm run user:set -- --username U [--disable | --enable] [--role agent|supervisor|rm|admin]';
let values;
try {
  ({ values } = parseArgs({ options: { username: { type: 'string' }, disable: { type: 'boolean' }, enable: { type: 'boolean' }, role: { type: 'string' } } }));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (!values.username || (values.disable && values.enable) || (!values.disable && !values.enable && !values.role)) {
  console.error(USAGE);
  process.exit(2);
}

await withDatabase(async (db) => {
  const user = await setUser(db, values.username!, {
    ...(values.disable ? { active: false } : values.enable ? { active: true } : {}),
    ...(values.role ? { role: values.role as Role } : {}),
  });
  console.log(`${user.username}: ${user.role}, ${user.active ? 'active' : 'disabled (signed out everywhere)'}`);
});
