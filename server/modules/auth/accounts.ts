import type { Knex } from 'knex';
import { changeUser } from '../users/users-service.js';
import type { User } from '../users/users-schemas.js';
import { revokeSessions } from './sessions-repository.js';

/**
 * Disables, re-enables or changes the role of a user (`npm run user:set`). Disabling ends every
 * session of theirs at once; running nodes close their sockets within SESSION_CHECK_SECONDS, as
 * they do for any change to a user row, and a new role applies within that too. It lives with the
 * sessions, which it ends, so that users know nothing of sign-in.
 */
export async function setUser(db: Knex, username: string, change: { active?: boolean; role?: User['role'] }): Promise<User> {
  return db.transaction(async (trx) => {
    const user = await changeUser(trx, username, change);
    if (change.active === false) await revokeSessions(trx, { userId: user.id }, 'user_disabled');
    return user;
  });
}
