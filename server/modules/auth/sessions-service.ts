import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { User } from '../users/users-schemas.js';
import {
  insertRefreshToken, insertSession, liveSessions, purgeSessions, revokeSessions, rotateRefreshToken, sessionForRefresh, sessionOfToken, touchSession,
  type LiveSession, type RevokeReason,
} from './sessions-repository.js';

export type { LiveSession };

export interface SessionPolicy {
  idleSeconds: number;
  maxSeconds: number;
  /** How long a read of a session's state may be trusted (0: every check reads). */
  checkSeconds: number;
}

/** What a sign-in or a refresh hands the client: an access token for requests and sockets, a refresh token for the cookie. */
export interface Issued {
  sid: string;
  refreshToken: string;
  /** Seconds the refresh token (the session) can live at most from now: the cookie's Max-Age. */
  refreshMaxAge: number;
  user: Pick<User, 'id' | 'username' | 'role' | 'display_name' | 'rm_id'>;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
/** Ended sessions are kept this long (for the reuse check of their old tokens and for support), then purged. */
const KEEP_ENDED_SECONDS = 7 * 86400;

/**
 * Sessions: one per sign-in. The access token is short and names its session; the refresh token is
 * opaque, stored only as a hash, used once (each refresh hands out the next one), and a used one
 * presented again ends the whole session — whoever holds the other copy is locked out with the
 * thief. What a request may do is read from the session and user rows as they are now (cached
 * `checkSeconds` at most), never from the token: a disabled, deleted or demoted user and an ended
 * session lose access within seconds on every node.
 */
export function createSessionsService(deps: { db: Knex; policy: SessionPolicy }) {
  const { db, policy } = deps;
  const cache = new Map<string, { until: number; value: Promise<LiveSession | null> }>();
  const endedListeners: ((sessions: { id: string; user_id: number }[]) => void)[] = [];

  function remember(sid: string, value: Promise<LiveSession | null>) {
    // Bounded: a node with more live sessions than this just reads more often.
    if (cache.size > 50_000) cache.clear();
    cache.set(sid, { until: Date.now() + policy.checkSeconds * 1000, value });
  }

  async function end(q: { ids: string[] } | { userId: number }, reason: RevokeReason) {
    const ended = await revokeSessions(db, q, reason);
    for (const s of ended) cache.delete(s.id);
    if (ended.length) for (const l of endedListeners) l(ended);
    return ended;
  }

  async function issueFor(trx: Knex, sessionId: string, maxAge: number) {
    const refreshToken = randomBytes(32).toString('base64url');
    await insertRefreshToken(trx, sessionId, hash(refreshToken));
    return { refreshToken, refreshMaxAge: Math.max(0, Math.floor(maxAge)) };
  }

  return {
    /** A new session for a user who just proved who they are. */
    async start(user: Issued['user'], method: 'password' | 'oidc', ip: string | null): Promise<Issued> {
      const sid = randomUUID();
      return db.transaction(async (trx) => {
        await insertSession(trx, { id: sid, user_id: user.id, method, ip, idleSeconds: policy.idleSeconds, maxSeconds: policy.maxSeconds });
        return { sid, user, ...(await issueFor(trx, sid, policy.maxSeconds)) };
      });
    },

    /** Trades a refresh token for the next one (and the caller then mints an access token). Coded 401s otherwise. */
    async refresh(refreshToken: string, ip: string | null): Promise<Issued> {
      const tokenHash = hash(refreshToken);
      const outcome = await db.transaction(async (trx) => {
        const sid = await rotateRefreshToken(trx, tokenHash);
        if (!sid) return { kind: 'not_current' as const };
        const s = await sessionForRefresh(trx, sid);
        if (!s || s.revoked) return { kind: 'revoked' as const };
        if (!s.active) return { kind: 'disabled' as const, sid };
        if (s.expired) return { kind: 'expired' as const };
        await touchSession(trx, sid, policy.idleSeconds);
        const user = { id: s.user_id, username: s.username, role: s.role, display_name: s.display_name, rm_id: s.rm_id };
        return { kind: 'ok' as const, issued: { sid, user, ...(await issueFor(trx, sid, (new Date(s.expires_at).getTime() - Date.now()) / 1000)) } };
      });
      switch (outcome.kind) {
        case 'ok': return outcome.issued;
        case 'revoked': throw appError('SB_ERR_AUTH_SESSION_REVOKED');
        case 'expired': throw appError('SB_ERR_AUTH_REFRESH_EXPIRED');
        case 'disabled':
          await end({ ids: [outcome.sid] }, 'user_disabled');
          throw appError('SB_ERR_AUTH_SESSION_REVOKED');
        case 'not_current': {
          // Used already: the token was copied. End the session it belongs to, for both holders.
          const sid = await sessionOfToken(db, tokenHash);
          if (!sid) throw appError('SB_ERR_AUTH_REFRESH_INVALID');
          const ended = await end({ ids: [sid] }, 'reused');
          if (ended[0]) await recordAudit(db, { action: 'auth.session_reused', actor: null, ip, details: { session_id: sid, user_id: ended[0].user_id } });
          throw appError('SB_ERR_AUTH_REFRESH_REUSED');
        }
      }
    },

    /** Ends the session a refresh token (current or old) belongs to, or the one named; the ended session's id, if any. */
    async logout(by: { refreshToken?: string; sid?: string }): Promise<{ id: string; user_id: number } | undefined> {
      const sid = by.refreshToken ? (await sessionOfToken(db, hash(by.refreshToken))) ?? by.sid : by.sid;
      if (!sid) return undefined;
      return (await end({ ids: [sid] }, 'logout'))[0];
    },

    /** Ends every session of a user (disabled, or their role changed by an admin). */
    endUser: (userId: number, reason: RevokeReason) => end({ userId }, reason),

    /** The session and its user as they stand (cached `checkSeconds` at most), or null when it may not act. */
    current(sid: string): Promise<LiveSession | null> {
      const hit = cache.get(sid);
      if (hit && hit.until > Date.now()) return hit.value;
      // Callers asking while a read is under way share it, so a socket's messages keep their order.
      const value = liveSessions(db, [sid]).then((rows) => rows[0] ?? null);
      remember(sid, value);
      value.catch(() => cache.delete(sid));
      return value;
    },

    /** Reads these sessions afresh (the socket sweep): the live ones by id. */
    async check(sids: string[]): Promise<Map<string, LiveSession>> {
      const live = new Map((await liveSessions(db, sids)).map((s) => [s.sid, s]));
      for (const sid of sids) remember(sid, Promise.resolve(live.get(sid) ?? null));
      return live;
    },

    /** Called with the sessions this node ended (to close their sockets at once, on every node). */
    onEnded(listener: (sessions: { id: string; user_id: number }[]) => void) {
      endedListeners.push(listener);
    },

    purge: () => purgeSessions(db, KEEP_ENDED_SECONDS),
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
