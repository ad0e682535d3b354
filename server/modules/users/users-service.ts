import argon2 from 'argon2';
import type { Knex } from 'knex';
import { Value } from 'typebox/value';
import { appError } from '../../errors.js';
import * as repo from './users-repository.js';
import { NewUserSchema, type NewUser, type User } from './users-schemas.js';

// Compared against when the username does not exist, so a login takes as long for an unknown user
// as for a wrong password and does not reveal which usernames exist.
const decoyHash = argon2.hash('switchboard-decoy-password', { type: argon2.argon2id });

/** The one way a user is made: by the CLI (`npm run user:add`), the seed and tests alike. */
export async function createUser(db: Knex, input: NewUser): Promise<User> {
  const errors = [...Value.Errors(NewUserSchema, input)];
  if (errors.length) {
    throw appError('SB_ERR_REQUEST_INVALID', errors.map((e) => `${e.instancePath.slice(1) || 'user'} ${e.message}`).join('; '));
  }
  const password_hash = await argon2.hash(input.password, { type: argon2.argon2id });
  const user = await repo.insertUser(db, { username: input.username, password_hash, role: input.role, display_name: input.display_name ?? input.username, rm_id: input.rm_id ?? null });
  if (!user) throw appError('SB_ERR_USER_EXISTS', `A user named ${input.username} already exists`);
  return user;
}

/** The active user with this name and password, or undefined. */
export async function verifyCredentials(db: Knex, username: string, password: string): Promise<User | undefined> {
  const row = await repo.findActiveWithHash(db, username);
  const ok = await argon2.verify(row?.password_hash ?? (await decoyHash), password).catch(() => false);
  if (!row || !ok) return undefined;
  const { password_hash: _hash, ...user } = row;
  return user as User;
}

/** The active user with this name, or undefined (single sign-on: the provider vouched for the name). */
export async function findActiveUser(db: Knex, username: string): Promise<User | undefined> {
  return repo.findActiveUser(db, username);
}

/** A user by id, active or not. */
export async function findUser(db: Knex, id: number): Promise<User | undefined> {
  return repo.findUserById(db, id);
}

/** Changes whether a user is active, or their role (auth's setUser also ends a disabled user's sessions). */
export async function changeUser(db: Knex, username: string, change: { active?: boolean; role?: User['role'] }): Promise<User> {
  if (change.role !== undefined && !Value.Check(NewUserSchema.properties.role, change.role)) throw appError('SB_ERR_REQUEST_INVALID', `role must be one of agent, supervisor, rm, admin`);
  const user = await repo.updateUser(db, username, change);
  if (!user) throw appError('SB_ERR_REQUEST_INVALID', `No user named ${username}`);
  return user;
}
