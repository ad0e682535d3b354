/* eslint-disable @typescript-eslint/no-explicit-any -- replies are JSON the tests assert on field by field */
import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { Response } from 'supertest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { setUser } from '../../server/modules/auth/accounts.js';
import { createUser } from '../../server/modules/users/users-service.js';
import { connectAgent } from '../helpers/agents.js';
import { startHotline, startSecondNode } from '../helpers/hotline.js';
import { startOidcProvider } from '../helpers/oidc-provider.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { until } from '../helpers/wait.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of closers.splice(0).reverse()) await c(); });

async function app(env: Record<string, string> = {}, listen = false): Promise<TestApp> {
  const t = await startTestApp(env, { listen });
  closers.push(t.close);
  return t;
}

/** The refresh cookie a response set, as a Cookie header value (`sb_refresh=…`), or undefined. */
const setCookies = (res: Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []);

function refreshCookie(res: Response): string | undefined {
  return setCookies(res).find((c) => c.startsWith('sb_refresh=') && !c.startsWith('sb_refresh=;'))?.split(';')[0];
}

async function login(t: TestApp, username: string, headers: Record<string, string> = {}) {
  const res = await t.http.post('/api/auth/login').set(headers).send({ username, password: DEMO_PASSWORD }).expect(200);
  return { token: res.body.token as string, cookie: refreshCookie(res)!, res };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A socket on the supervisors' namespace that records why the server ended it. */
async function watchBoard(url: string, token: string) {
  const socket: Socket = io(`${url}/supervisor`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const ended: string[] = [];
  socket.on('session:ended', (e: { code: string }) => ended.push(e.code));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  closers.push(async () => { socket.disconnect(); });
  return { socket, ended };
}

describe('sessions: short access tokens, rotated refresh tokens', () => {
  it('sign-in sets the refresh token as an httpOnly, SameSite=Strict cookie for /api/auth only; a refresh rotates it and slides the session', { timeout: 60_000 }, async () => {
    const t = await app();
    const { token, cookie, res } = await login(t, 'agent1');
    const set = setCookies(res).find((c) => c.startsWith('sb_refresh='))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\/api\/auth(;|$)/);
    expect(res.body.expires_in).toBe(600);
    expect(JSON.stringify(res.body)).not.toContain(cookie.split('=')[1]);
    // The access token names a session, not a role: what the user may do is looked up.
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    const before = await t.db('auth_sessions').where({ id: claims.sid }).first();

    const refreshed = await t.http.post('/api/auth/refresh').set('Cookie', cookie).expect(200);
    const next = refreshCookie(refreshed)!;
    expect(next).toBeTruthy();
    expect(next).not.toBe(cookie);
    expect(refreshed.body.user).toMatchObject({ username: 'agent1', role: 'agent' });
    await t.http.get('/api/auth/me').set(bearer(refreshed.body.token)).expect(200);
    const after = await t.db('auth_sessions').where({ id: claims.sid }).first();
    expect(new Date(after.idle_expires_at).getTime()).toBeGreaterThan(new Date(before.idle_expires_at).getTime());
    // Only hashes are stored.
    const stored = await t.db('auth_refresh_tokens').where({ session_id: claims.sid }).pluck('token_hash');
    expect(stored).toHaveLength(2);
    expect(stored).not.toContain(next.split('=')[1]);
  });

  it('a rotated refresh token used again ends the session everywhere: both copies and every access token are coded 401s', { timeout: 60_000 }, async () => {
    const t = await app();
    const { token, cookie: first } = await login(t, 'agent1');
    const second = refreshCookie(await t.http.post('/api/auth/refresh').set('Cookie', first).expect(200))!;
    // The thief (or the victim) presents the old one.
    const reused = await t.http.post('/api/auth/refresh').set('Cookie', first).expect(401);
    expect(reused.body.code).toBe('SB_ERR_AUTH_REFRESH_REUSED');
    const holder = await t.http.post('/api/auth/refresh').set('Cookie', second).expect(401);
    expect(holder.body.code).toBe('SB_ERR_AUTH_SESSION_REVOKED');
    const api = await t.http.get('/api/auth/me').set(bearer(token)).expect(401);
    expect(api.body.code).toBe('SB_ERR_AUTH_SESSION_REVOKED');
    expect(await t.db('audit_log').where({ action: 'auth.session_reused' }).count('* as n').first().then((r) => Number(r?.n))).toBe(1);
    // Another sign-in of the same user is untouched.
    const other = await login(t, 'agent1');
    await t.http.get('/api/auth/me').set(bearer(other.token)).expect(200);
  });

  it('no cookie, an unknown token, an idle or worn-out session and a logged-out one are coded 401s', { timeout: 60_000 }, async () => {
    const t = await app();
    expect((await t.http.post('/api/auth/refresh').expect(401)).body.code).toBe('SB_ERR_AUTH_REFRESH_INVALID');
    expect((await t.http.post('/api/auth/refresh').set('Cookie', 'sb_refresh=made-up').expect(401)).body.code).toBe('SB_ERR_AUTH_REFRESH_INVALID');

    const idle = await login(t, 'agent1');
    const idleSid = JSON.parse(Buffer.from(idle.token.split('.')[1]!, 'base64url').toString()).sid;
    await t.db('auth_sessions').where({ id: idleSid }).update({ idle_expires_at: t.db.raw(`now() - interval '1 second'`) });
    const idleRes = await t.http.post('/api/auth/refresh').set('Cookie', idle.cookie).expect(401);
    expect(idleRes.body.code).toBe('SB_ERR_AUTH_REFRESH_EXPIRED');
    // The dead cookie is cleared.
    expect(setCookies(idleRes)[0]).toMatch(/^sb_refresh=; .*Max-Age=0/);

    const worn = await login(t, 'agent2');
    const wornSid = JSON.parse(Buffer.from(worn.token.split('.')[1]!, 'base64url').toString()).sid;
    await t.db('auth_sessions').where({ id: wornSid }).update({ expires_at: t.db.raw(`now() - interval '1 second'`) });
    expect((await t.http.post('/api/auth/refresh').set('Cookie', worn.cookie).expect(401)).body.code).toBe('SB_ERR_AUTH_REFRESH_EXPIRED');

    const out = await login(t, 'supervisor1');
    await t.http.post('/api/auth/logout').set('Cookie', out.cookie).expect(204);
    expect((await t.http.post('/api/auth/refresh').set('Cookie', out.cookie).expect(401)).body.code).toBe('SB_ERR_AUTH_SESSION_REVOKED');
    expect((await t.http.get('/api/alerts').set(bearer(out.token)).expect(401)).body.code).toBe('SB_ERR_AUTH_SESSION_REVOKED');
    expect(await t.db('audit_log').where({ action: 'auth.logout', actor_username: 'supervisor1' }).count('* as n').first().then((r) => Number(r?.n))).toBe(1);
  });
});

describe('every request and socket acts on the user as they are now', () => {
  it('logout closes the session\'s sockets within seconds, on another node too', { timeout: 60_000 }, async () => {
    const h = await startHotline();
    closers.push(h.close);
    const node2 = await startSecondNode(h);
    closers.push(node2.close);
    const { token, cookie } = await login(h, 'agent1');
    const id = (await h.db('users').where({ username: 'agent1' }).first('id')).id as number;
    const console2 = await connectAgent(node2.url, token, id);
    closers.push(async () => console2.close());
    await console2.next('agent:restore');
    // The same user's other sign-in is not touched.
    const other = await login(h, 'agent1');
    const otherConsole = await connectAgent(node2.url, other.token, id);
    closers.push(async () => otherConsole.close());

    await h.http.post('/api/auth/logout').set('Cookie', cookie).expect(204);
    const ended = await console2.next('session:ended', () => true, 10_000);
    expect(ended.code).toBe('SB_ERR_AUTH_SESSION_REVOKED');
    await until('the socket on node 2 closed', async () => console2.socket.disconnected);
    await until('node 2 refusing the access token', async () => (await node2.http.get('/api/auth/me').set(bearer(token))).status === 401);
    expect(otherConsole.socket.connected).toBe(true);
    await otherConsole.request('heartbeat');
  });

  it('a disabled user\'s token and socket are cut off within seconds (disabled by hand or by user:set); a deleted user\'s too', { timeout: 60_000 }, async () => {
    const t = await app({}, true);
    const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const { token } = await login(t, 'agent2');
    const id = (await t.db('users').where({ username: 'agent2' }).first('id')).id as number;
    const agent = await connectAgent(url, token, id);
    closers.push(async () => agent.close());
    await agent.next('agent:restore');
    // Disabled directly in the database (by any node, a CLI or by hand): no notice is sent anywhere.
    await t.db('users').where({ id }).update({ active: false });
    await until('the API refusing the disabled user', async () => {
      const res = await t.http.get('/api/auth/me').set(bearer(token));
      return res.status === 401 && res.body.code === 'SB_ERR_AUTH_SESSION_REVOKED';
    }, 10_000);
    expect((await agent.next('session:ended', () => true, 10_000)).code).toBe('SB_ERR_AUTH_SESSION_REVOKED');
    await until('the socket closed', async () => agent.socket.disconnected, 10_000);
    // And they cannot come back on the socket or sign in again.
    await expect(connectAgent(url, token, id)).rejects.toThrow('SB_ERR_AUTH_SESSION_REVOKED');
    await t.http.post('/api/auth/login').send({ username: 'agent2', password: DEMO_PASSWORD }).expect(401);

    // `npm run user:set -- --disable` ends the sessions at once, so even the refresh cookie is dead.
    const rm = await login(t, 'rm1');
    await setUser(t.db, 'rm1', { active: false });
    expect((await t.http.post('/api/auth/refresh').set('Cookie', rm.cookie).expect(401)).body.code).toBe('SB_ERR_AUTH_SESSION_REVOKED');
    expect(await t.db('auth_sessions').where({ revoked_reason: 'user_disabled' }).count('* as n').first().then((r) => Number(r?.n))).toBe(1);

    await createUser(t.db, { username: 'short.lived', password: 'a-long-password', role: 'agent' });
    const res = await t.http.post('/api/auth/login').send({ username: 'short.lived', password: 'a-long-password' }).expect(200);
    await t.db('users').where({ username: 'short.lived' }).delete();
    await until('the API refusing the deleted user', async () => (await t.http.get('/api/auth/me').set(bearer(res.body.token))).status === 401, 10_000);
  });

  it('a demoted user loses the supervisors\' routes and socket within seconds', { timeout: 60_000 }, async () => {
    const t = await app({}, true);
    const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const { token } = await login(t, 'supervisor1');
    await t.http.get('/api/alerts').set(bearer(token)).expect(200);
    const board = await watchBoard(url, token);
    await t.db('users').where({ username: 'supervisor1' }).update({ role: 'agent' });
    await until('the alerts refused to the demoted user', async () => (await t.http.get('/api/alerts').set(bearer(token))).status === 403, 10_000);
    expect((await t.http.get('/api/auth/me').set(bearer(token)).expect(200)).body.role).toBe('agent');
    await until('the wallboard socket closed', async () => board.socket.disconnected, 10_000);
    expect(board.ended).toEqual(['SB_ERR_AUTH_FORBIDDEN']);
  });
});

describe('the login throttle', () => {
  it('parallel guesses are counted: of 60 at once with a limit of 5, exactly 5 are evaluated; the rest are told when to retry', { timeout: 60_000 }, async () => {
    // No backoff here: the limit alone must hold against the burst.
    const t = await app({ LOGIN_MAX_FAILURES: '5', LOGIN_BACKOFF_AFTER: '10' });
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => t.http.post('/api/auth/login').send({ username: 'agent1', password: `guess-${i}-xxxx` })));
    const evaluated = replies.filter((r) => r.status === 401);
    const refused = replies.filter((r) => r.status === 429);
    expect(evaluated.length).toBe(5);
    expect(evaluated.length + refused.length).toBe(60);
    for (const r of refused) {
      expect(r.body.code).toBe('SB_ERR_AUTH_THROTTLED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    const failed = await t.db('audit_log').where({ action: 'auth.login_failed', actor_username: 'agent1' }).count('* as n').first();
    expect(Number(failed!.n)).toBe(evaluated.length);
  });

  it('slows down before it locks, and a success starts over', { timeout: 60_000 }, async () => {
    const t = await app({ LOGIN_MAX_FAILURES: '5', LOGIN_BACKOFF_AFTER: '2', LOGIN_BACKOFF_SECONDS: '30' });
    const guess = () => t.http.post('/api/auth/login').send({ username: 'agent2', password: 'not-the-password' });
    // The clock of the pair is wound back instead of the test waiting.
    const waitOut = () => t.db('login_throttle').where({ username: 'agent2' }).update({ last_at: t.db.raw(`last_at - interval '1 hour'`) });
    expect((await guess()).status).toBe(401);
    expect((await guess()).status).toBe(401);
    const slow = await guess();
    expect(slow.status).toBe(429);
    expect(slow.body.code).toBe('SB_ERR_AUTH_SLOW_DOWN');
    expect(Number(slow.headers['retry-after'])).toBeGreaterThan(25);
    expect(Number(slow.headers['retry-after'])).toBeLessThanOrEqual(30);
    await waitOut();
    expect((await guess()).status).toBe(401);
    const slower = await guess();
    expect(Number(slower.headers['retry-after'])).toBeGreaterThan(55); // doubled
    await waitOut();
    expect((await guess()).status).toBe(401);
    await waitOut();
    expect((await guess()).status).toBe(401); // the 5th failure
    await waitOut();
    const locked = await t.http.post('/api/auth/login').send({ username: 'agent2', password: DEMO_PASSWORD }).expect(429);
    expect(locked.body.code).toBe('SB_ERR_AUTH_THROTTLED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);

    // Someone else at the same address is not slowed by agent2's failures; a success clears the pair.
    await t.http.post('/api/auth/login').send({ username: 'agent1', password: 'wrong-password' }).expect(401);
    await t.http.post('/api/auth/login').send({ username: 'agent1', password: DEMO_PASSWORD }).expect(200);
    expect(await t.db('login_throttle').where({ username: 'agent1' }).first()).toBeUndefined();
  });

  it('a burst from strangers does not lock the real user out from another address, and raises a login_burst alert', { timeout: 60_000 }, async () => {
    const t = await app({ TRUST_PROXY: 'loopback', ALERT_LOGIN_FAILURES: '10', LOGIN_BACKOFF_SECONDS: '600' });
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    // 12 guesses each at agent1 and the admin from 4 addresses, all at once.
    const guesses = ['agent1', 'admin'].flatMap((username) => Array.from({ length: 12 }, (_, i) => ({ username, ip: `203.0.113.${i % 4}`, password: `guess-${i}-xxxx` })));
    await Promise.all(guesses.map((g) => t.http.post('/api/auth/login').set(from(g.ip)).send({ username: g.username, password: g.password })));
    // Each stranger's address is slowed down for agent1, even with the right password…
    expect((await t.http.post('/api/auth/login').set(from('203.0.113.1')).send({ username: 'agent1', password: DEMO_PASSWORD })).status).toBe(429);
    // The real people, at their own desks, sign in.
    await login(t, 'agent1', from('198.51.100.7'));
    const admin = await login(t, 'admin', from('198.51.100.8'));

    const alerts = await until('a login_burst alert for agent1', async () => {
      const res = await t.http.get('/api/alerts').query({ open: true }).set(bearer(admin.token)).expect(200);
      const list = res.body.alerts as any[];
      return list.some((a) => a.subject === 'login:user:agent1') ? list : null;
    }, 10_000);
    const burst = alerts.find((a) => a.subject === 'login:user:agent1');
    expect(burst).toMatchObject({ kind: 'login_burst', severity: 'critical', data: { by: 'user', username: 'agent1', addresses: 4 } });
    expect(burst.data.tries).toBeGreaterThanOrEqual(12);
    expect(alerts.some((a) => a.subject === 'login:user:admin')).toBe(true);
  });
});

describe('single sign-on (OIDC, authorization code + PKCE)', () => {
  it('is off unless configured', { timeout: 60_000 }, async () => {
    const t = await app();
    expect((await t.http.get('/api/auth/methods').expect(200)).body).toEqual({ password: true, oidc: false });
    expect((await t.http.get('/api/auth/oidc/start').expect(404)).body.code).toBe('SB_ERR_AUTH_OIDC_DISABLED');
  });

  it('signs a staff user in through a local provider; the role is ours; an unknown identity or a forged return is refused', { timeout: 60_000 }, async () => {
    const idp = await startOidcProvider();
    closers.push(idp.close);
    const redirect = 'http://127.0.0.1:9/api/auth/oidc/callback';
    const t = await app({ OIDC_ISSUER: idp.url, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_REDIRECT_URI: redirect });
    expect((await t.http.get('/api/auth/methods').expect(200)).body.oidc).toBe(true);

    /** The browser's round trip: start here, the provider signs in `who`, back to our callback. */
    async function roundTrip(who: string, tamper?: (back: URL) => void) {
      const start = await t.http.get('/api/auth/oidc/start').expect(302);
      const to = new URL(start.headers.location!);
      expect(to.origin).toBe(idp.url);
      expect(to.searchParams.get('code_challenge_method')).toBe('S256');
      expect(to.searchParams.get('nonce')).toBeTruthy();
      const pending = setCookies(start).find((c) => c.startsWith('sb_oidc='))!;
      expect(pending).toMatch(/HttpOnly/);
      idp.signIn(who);
      const atIdp = await fetch(to, { redirect: 'manual' });
      const back = new URL(atIdp.headers.get('location')!);
      expect(back.href.startsWith(redirect)).toBe(true);
      tamper?.(back);
      return t.http.get(`/api/auth/oidc/callback${back.search}`).set('Cookie', pending.split(';')[0]!).expect(302);
    }

    const done = await roundTrip('supervisor1');
    expect(done.headers.location).toBe('/');
    const cookie = refreshCookie(done)!;
    const session = await t.http.post('/api/auth/refresh').set('Cookie', cookie).expect(200);
    expect(session.body.user).toMatchObject({ username: 'supervisor1', role: 'supervisor' });
    await t.http.get('/api/alerts').set(bearer(session.body.token)).expect(200);
    const audit = await t.db('audit_log').where({ action: 'auth.login', actor_username: 'supervisor1' }).orderBy('id', 'desc').first();
    expect(audit.details).toMatchObject({ method: 'oidc' });
    expect(idp.refused).toEqual([]);

    const stranger = await roundTrip('not.one.of.ours');
    expect(stranger.headers.location).toBe('/?login_error=SB_ERR_AUTH_OIDC_NO_USER');
    expect(refreshCookie(stranger)).toBeUndefined();

    const forged = await roundTrip('admin', (back) => back.searchParams.set('state', 'someone-elses'));
    expect(forged.headers.location).toBe('/?login_error=SB_ERR_AUTH_OIDC_FAILED');
    expect(refreshCookie(forged)).toBeUndefined();

    // A return without the pending sign-on's cookie (another browser) is refused too.
    const bare = await t.http.get('/api/auth/oidc/callback?code=x&state=y').expect(302);
    expect(bare.headers.location).toBe('/?login_error=SB_ERR_AUTH_OIDC_FAILED');
  });
});
