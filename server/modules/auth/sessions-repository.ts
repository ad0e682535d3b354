import type { Knex } from 'knex';
import type { Role } from '../users/users-schemas.js';

/** A live session and its user as they stand now: what every request and socket message acts on. */
export interface LiveSession {
  sid: string;
  sub: string;
  username: string;
  role: Role;
  rm_id: number | null;
}

export type RevokeReason = 'logout' | 'reused' | 'user_disabled';

const LIVE = `s.revoked_at IS NULL AND s.expires_at > now() AND s.idle_expires_at > now() AND u.active`;

/** Of these sessions, the live ones (not revoked or expired, user active), with the user's current role and RM id. */
export async function liveSessions(db: Knex, sids: string[]): Promise<LiveSession[]> {
  if (!sids.length) return [];
  const { rows } = await db.raw<{ rows: { sid: string; user_id: number; username: string; role: Role; rm_id: number | null }[] }>(`
    SELECT s.id AS sid, u.id AS user_id, u.username, u.role, u.rm_id
    FROM auth_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = ANY(?::uuid[]) AND ${LIVE}`, [sids]);
  return rows.map((r) => ({ sid: r.sid, sub: String(r.user_id), username: r.username, role: r.role, rm_id: r.rm_id }));
}

export async function insertSession(db: Knex, s: { id: string; user_id: number; method: 'password' | 'oidc'; ip: string | null; idleSeconds: number; maxSeconds: number }): Promise<void> {
  await db.raw(`
    INSERT INTO auth_sessions (id, user_id, method, ip, idle_expires_at, expires_at)
    VALUES (?, ?, ?, ?, now() + make_interval(secs => ?), now() + make_interval(secs => ?))`,
  [s.id, s.user_id, s.method, s.ip, Math.min(s.idleSeconds, s.maxSeconds), s.maxSeconds]);
}

export async function insertRefreshToken(db: Knex, sessionId: string, tokenHash: string): Promise<void> {
  await db('auth_refresh_tokens').insert({ session_id: sessionId, token_hash: tokenHash });
}

/**
 * Uses a refresh token up, in one statement: of two requests presenting the same token, exactly
 * one gets its session back. Undefined when the token is not current (unknown, or used already).
 */
export async function rotateRefreshToken(db: Knex, tokenHash: string): Promise<string | undefined> {
  const [row] = await db('auth_refresh_tokens').where({ token_hash: tokenHash }).whereNull('rotated_at').update({ rotated_at: db.fn.now() }).returning('session_id');
  return (row as { session_id: string } | undefined)?.session_id;
}

/** The session a refresh token ever belonged to (current or rotated), or undefined. */
export async function sessionOfToken(db: Knex, tokenHash: string): Promise<string | undefined> {
  const row = await db('auth_refresh_tokens').where({ token_hash: tokenHash }).first('session_id');
  return (row as { session_id: string } | undefined)?.session_id;
}

/** The session with its user, locked for a refresh, whatever its state. */
export async function sessionForRefresh(trx: Knex, sessionId: string) {
  const { rows } = await trx.raw<{ rows: { user_id: number; username: string; role: Role; rm_id: number | null; display_name: string; active: boolean; revoked: boolean; expired: boolean; expires_at: Date }[] }>(`
    SELECT u.id AS user_id, u.username, u.role, u.rm_id, u.display_name, u.active,
      s.revoked_at IS NOT NULL AS revoked, (s.expires_at <= now() OR s.idle_expires_at <= now()) AS expired, s.expires_at
    FROM auth_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = ? FOR UPDATE OF s`, [sessionId]);
  return rows[0];
}

/** Slides the session's idle expiry forward (never past its absolute expiry). */
export async function touchSession(trx: Knex, sessionId: string, idleSeconds: number): Promise<void> {
  await trx.raw(`UPDATE auth_sessions SET last_used_at = now(), idle_expires_at = least(expires_at, now() + make_interval(secs => ?)) WHERE id = ?`, [idleSeconds, sessionId]);
}

/** Ends sessions (idempotent: an ended one keeps its first reason). Returns the ones this ended. */
export async function revokeSessions(db: Knex, q: { ids: string[] } | { userId: number }, reason: RevokeReason): Promise<{ id: string; user_id: number }[]> {
  const query = db('auth_sessions').whereNull('revoked_at');
  if ('ids' in q) {
    if (!q.ids.length) return [];
    query.whereIn('id', q.ids);
  } else query.where({ user_id: q.userId });
  return query.update({ revoked_at: db.fn.now(), revoked_reason: reason }).returning(['id', 'user_id']);
}

/** Drops sessions (and their tokens) that ended or expired more than `keepSeconds` ago. */
export async function purgeSessions(db: Knex, keepSeconds: number): Promise<void> {
  await db.raw(`DELETE FROM auth_sessions WHERE least(expires_at, idle_expires_at, coalesce(revoked_at, 'infinity')) < now() - make_interval(secs => ?)`, [keepSeconds]);
}
