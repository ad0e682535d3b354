import type { Knex } from 'knex';
import type { Role, User } from './users-schemas.js';

const USER_COLUMNS = ['id', 'username', 'role', 'display_name', 'rm_id', 'active'] as const;

/** A new user, or undefined when the username is taken. */
export async function insertUser(db: Knex, row: { username: string; password_hash: string; role: Role; display_name: string; rm_id: number | null }): Promise<User | undefined> {
  const rows = await db('users').insert(row).onConflict('username').ignore().returning(USER_COLUMNS);
  return rows[0] as User | undefined;
}

/** The active user with this name, with the password hash to check against. */
export async function findActiveWithHash(db: Knex, username: string): Promise<(User & { password_hash: string }) | undefined> {
  return db('users').where({ username, active: true }).first([...USER_COLUMNS, 'password_hash']);
}

export async function findActiveUser(db: Knex, username: string): Promise<User | undefined> {
  return (await db('users').where({ username, active: true }).first([...USER_COLUMNS])) as User | undefined;
}

/** A user by id, active or not (what a sign-out is recorded against). */
export async function findUserById(db: Knex, id: number): Promise<User | undefined> {
  return (await db('users').where({ id }).first([...USER_COLUMNS])) as User | undefined;
}

export async function updateUser(db: Knex, username: string, change: { active?: boolean; role?: Role }): Promise<User | undefined> {
  const [user] = await db('users').where({ username }).update({ ...change }).returning([...USER_COLUMNS]);
  return user as User | undefined;
}
