import type { Knex } from 'knex';
import type { LoginBurst } from '../supervision/alerts.js';

export interface ThrottlePolicy {
  /** Failures of one (username, address) pair in a window before the pair is locked for the rest of it. */
  maxFailures: number;
  windowSeconds: number;
  /** After this many failures each try waits `backoffSeconds`, doubling per failure. */
  backoffAfter: number;
  backoffSeconds: number;
}

export type Admission = { admitted: true } | { admitted: false; locked: boolean; retryAfterSeconds: number };

/**
 * The login throttle, per (username, client address) pair: a stranger's guesses at a name lock
 * that name only for the stranger's address, so a floor of agents behind one NAT, or the user at
 * their own desk, keep signing in while somebody elsewhere hammers the account.
 *
 * An attempt is admitted and counted in one statement, before the password is checked: parallel
 * guesses each take a number, and only the first `maxFailures` (fewer, with the backoff) are ever
 * evaluated. A success clears the pair.
 */
export function createLoginThrottle(db: Knex, p: ThrottlePolicy) {
  return {
    async admit(username: string, ip: string): Promise<Admission> {
      const fresh = `t.window_start <= now() - make_interval(secs => :window)`;
      const waitUntil = `CASE WHEN t.attempts >= :after THEN t.last_at + make_interval(secs => :base * power(2, t.attempts - :after)) ELSE CAST('-infinity' AS timestamptz) END`;
      const admit = `(${fresh} OR (t.attempts < :max AND now() >= ${waitUntil}))`;
      const { rows } = await db.raw<{ rows: { attempts: number; window_start: Date; last_at: Date; admitted: boolean; now: Date }[] }>(`
        INSERT INTO login_throttle AS t (username, ip, window_start, attempts, refused, last_at, seen_at)
        VALUES (:username, :ip, now(), 1, 0, now(), now())
        ON CONFLICT (username, ip) DO UPDATE SET
          window_start = CASE WHEN ${fresh} THEN now() ELSE t.window_start END,
          attempts = CASE WHEN ${fresh} THEN 1 WHEN ${admit} THEN t.attempts + 1 ELSE t.attempts END,
          refused = CASE WHEN ${fresh} THEN 0 WHEN ${admit} THEN t.refused ELSE t.refused + 1 END,
          last_at = CASE WHEN ${admit} THEN now() ELSE t.last_at END,
          seen_at = now()
        RETURNING attempts, window_start, last_at, last_at = now() AS admitted, now() AS now`,
      { username, ip, window: p.windowSeconds, after: p.backoffAfter, base: p.backoffSeconds, max: p.maxFailures });
      const r = rows[0]!;
      if (r.admitted) return { admitted: true };
      const now = new Date(r.now).getTime();
      const locked = r.attempts >= p.maxFailures;
      const until = locked
        ? new Date(r.window_start).getTime() + p.windowSeconds * 1000
        : new Date(r.last_at).getTime() + p.backoffSeconds * 1000 * 2 ** (r.attempts - p.backoffAfter);
      return { admitted: false, locked, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
    },

    /** The right password: the pair starts over. */
    async succeeded(username: string, ip: string): Promise<void> {
      await db('login_throttle').where({ username, ip }).delete();
    },

    /** Usernames and addresses with at least `threshold` failed or refused logins seen since then. */
    async bursts(since: Date, threshold: number): Promise<LoginBurst[]> {
      const { rows } = await db.raw<{ rows: { by: 'user' | 'address'; key: string; tries: number; spread: number }[] }>(`
        SELECT 'user' AS by, username AS key, sum(attempts + refused)::int AS tries, count(*)::int AS spread
        FROM login_throttle WHERE seen_at > ? GROUP BY username HAVING sum(attempts + refused) >= ?
        UNION ALL
        SELECT 'address', ip, sum(attempts + refused)::int, count(*)::int
        FROM login_throttle WHERE seen_at > ? GROUP BY ip HAVING sum(attempts + refused) >= ?
        ORDER BY 3 DESC LIMIT 50`, [since, threshold, since, threshold]);
      return rows;
    },

    /** Forgets pairs nobody tried for a window (and an hour more for the alert). */
    async purge(): Promise<void> {
      await db.raw(`DELETE FROM login_throttle WHERE seen_at < now() - make_interval(secs => ?)`, [p.windowSeconds + 3600]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
