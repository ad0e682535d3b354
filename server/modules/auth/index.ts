import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { AppError, appError } from '../../errors.js';
import { cookie, readCookie } from '../../lib/cookies.js';
import { STAFF_ROLES } from '../users/users-schemas.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findActiveUser, findUser, verifyCredentials } from '../users/users-service.js';
import { AuthMethods, LoginBody, Me, OidcCallbackQuery, SessionReply } from './auth-schemas.js';
import type { LoginThrottle } from './login-throttle-repository.js';
import { createOidc, type OidcPending } from './oidc.js';
import type { Issued } from './sessions-service.js';

/**
 * The refresh token lives in an httpOnly cookie, SameSite=Strict, sent only to /api/auth: script
 * in the page (an injected one included) can never read it, other sites cannot make the browser
 * send it, and API calls elsewhere never carry it. The short access token is what script holds.
 */
export const REFRESH_COOKIE = 'sb_refresh';
const REFRESH_PATH = '/api/auth';
/** A single sign-on in progress (state, nonce, PKCE verifier), signed; Lax, as the provider's redirect back is cross-site. */
const OIDC_COOKIE = 'sb_oidc';
const OIDC_PATH = '/api/auth/oidc';
const OIDC_PENDING_SECONDS = 600;

export async function authRoutes(fastify: FastifyInstance, opts: { config: Config; throttle: LoginThrottle }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config, throttle } = opts;
  const { sessions } = app;
  const oidc = config.OIDC_ISSUER && config.OIDC_CLIENT_ID ? createOidc({
    issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUri: config.OIDC_REDIRECT_URI ?? `${config.PUBLIC_URL!.replace(/\/+$/, '')}/api/auth/oidc/callback`,
    usernameClaim: config.OIDC_USERNAME_CLAIM, scopes: config.OIDC_SCOPES,
  }) : null;

  const secure = (request: FastifyRequest) => request.protocol === 'https';
  const refreshCookie = (request: FastifyRequest, value: string, maxAge: number) =>
    cookie(REFRESH_COOKIE, value, { path: REFRESH_PATH, maxAgeSeconds: maxAge, sameSite: 'Strict', secure: secure(request) });

  /** Hands a session to the client: the refresh token as the cookie, the access token in the body. */
  function hand(request: FastifyRequest, reply: FastifyReply, issued: Issued) {
    reply.header('set-cookie', refreshCookie(request, issued.refreshToken, issued.refreshMaxAge));
    reply.header('cache-control', 'no-store');
    const { id, username, role, display_name, rm_id } = issued.user;
    return { token: app.accessToken({ sid: issued.sid, userId: id }), expires_in: config.JWT_TTL_SECONDS, user: { id, username, role, display_name, rm_id } };
  }

  app.post('/api/auth/login', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Sign in with a username and password: an access token, and the refresh token as a cookie', security: [], body: LoginBody, response: { 200: SessionReply } },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const admission = await throttle.admit(username, request.ip);
    if (!admission.admitted) {
      reply.header('retry-after', String(admission.retryAfterSeconds));
      throw admission.locked
        ? appError('SB_ERR_AUTH_THROTTLED', `Too many failed logins of ${username} from this address; try again in ${Math.ceil(admission.retryAfterSeconds / 60)} minute(s)`, { retry_after_s: admission.retryAfterSeconds })
        : appError('SB_ERR_AUTH_SLOW_DOWN', `Failed logins: wait ${admission.retryAfterSeconds} s before the next try`, { retry_after_s: admission.retryAfterSeconds });
    }
    const user = await verifyCredentials(app.db, username, password);
    if (!user) {
      await recordAudit(app.db, { action: 'auth.login_failed', actor_username: username, ip: request.ip });
      throw appError('SB_ERR_AUTH_BAD_CREDENTIALS');
    }
    await throttle.succeeded(username, request.ip);
    const issued = await sessions.start(user, 'password', request.ip);
    await recordAudit(app.db, { action: 'auth.login', actor: { sub: String(user.id), username: user.username, role: user.role }, ip: request.ip, details: { method: 'password', session_id: issued.sid } });
    return hand(request, reply, issued);
  });

  app.post('/api/auth/refresh', {
    config: { public: true },
    schema: {
      tags: ['auth'], summary: 'Trade the refresh cookie for a new access token and the next refresh cookie (each refresh token works once; a reused one ends the session)', security: [],
      response: { 200: SessionReply },
    },
  }, async (request, reply) => {
    const token = readCookie(request.headers.cookie, REFRESH_COOKIE);
    if (!token) throw appError('SB_ERR_AUTH_REFRESH_INVALID');
    try {
      return hand(request, reply, await sessions.refresh(token, request.ip));
    } catch (err) {
      // A refresh token that no longer works is of no use to the browser either.
      if (err instanceof AppError && err.statusCode === 401) reply.header('set-cookie', refreshCookie(request, '', 0));
      throw err;
    }
  });

  app.post('/api/auth/logout', {
    config: { public: true },
    schema: {
      tags: ['auth'], summary: 'Sign out: ends the session (the refresh cookie\'s, or the bearer token\'s) and closes its sockets on every node', security: [],
      response: { 204: Type.Null() },
    },
  }, async (request, reply) => {
    const refreshToken = readCookie(request.headers.cookie, REFRESH_COOKIE);
    const bearer = request.headers.authorization?.match(/^Bearer (\S+)$/i)?.[1];
    const sid = bearer ? await app.sessionOf(bearer).then((u) => u.sid, () => undefined) : undefined;
    const ended = await sessions.logout({ refreshToken, sid });
    if (ended) {
      const user = await findUser(app.db, ended.user_id);
      await recordAudit(app.db, { action: 'auth.logout', actor: user ? { sub: String(ended.user_id), username: user.username, role: user.role } : null, ip: request.ip, details: { session_id: ended.id } });
    }
    reply.header('set-cookie', refreshCookie(request, '', 0));
    return reply.status(204).send(null);
  });

  app.get('/api/auth/me', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['auth'], summary: 'Who is signed in, as they are now', response: { 200: Me } },
  }, async (request) => {
    const u = await findUser(app.db, Number(request.user.sub));
    return { id: Number(request.user.sub), username: request.user.username, role: request.user.role, display_name: u?.display_name ?? request.user.username, rm_id: request.user.rm_id };
  });

  app.get('/api/auth/methods', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'How staff may sign in here', security: [], response: { 200: AuthMethods } },
  }, async () => ({ password: true, oidc: oidc !== null }));

  app.get('/api/auth/oidc/start', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Single sign-on: redirects to the identity provider (authorization code + PKCE)', security: [] },
  }, async (request, reply) => {
    if (!oidc) throw appError('SB_ERR_AUTH_OIDC_DISABLED');
    const { url, pending } = await oidc.start();
    const signed = app.jwt.sign({ ...pending, typ: 'oidc_pending' } as never, { expiresIn: OIDC_PENDING_SECONDS });
    reply.header('set-cookie', cookie(OIDC_COOKIE, signed, { path: OIDC_PATH, maxAgeSeconds: OIDC_PENDING_SECONDS, sameSite: 'Lax', secure: secure(request) }));
    reply.header('cache-control', 'no-store');
    return reply.redirect(url, 302);
  });

  app.get('/api/auth/oidc/callback', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Single sign-on: the provider sends the browser back here; on to the console, signed in', security: [], querystring: OidcCallbackQuery },
  }, async (request, reply) => {
    if (!oidc) throw appError('SB_ERR_AUTH_OIDC_DISABLED');
    reply.header('cache-control', 'no-store');
    const clearPending = cookie(OIDC_COOKIE, '', { path: OIDC_PATH, maxAgeSeconds: 0, sameSite: 'Lax', secure: secure(request) });
    // A person is at the other end of this: failures go back to the sign-in page, which says what happened.
    const fail = (code: string) => {
      reply.header('set-cookie', clearPending);
      return reply.redirect(`/?login_error=${code}`, 302);
    };
    let pending: OidcPending;
    try {
      const raw = app.jwt.verify<OidcPending & { typ?: string }>(readCookie(request.headers.cookie, OIDC_COOKIE) ?? '');
      if (raw.typ !== 'oidc_pending') throw new Error('not a pending sign-on');
      pending = { state: raw.state, nonce: raw.nonce, verifier: raw.verifier };
    } catch {
      return fail('SB_ERR_AUTH_OIDC_FAILED');
    }
    const { code, state, error, iss } = request.query;
    if (error || !code) return fail('SB_ERR_AUTH_OIDC_FAILED');
    let user;
    try {
      const username = await oidc.finish({ code, ...(state ? { state } : {}), ...(iss ? { iss } : {}) }, pending);
      user = await findActiveUser(app.db, username);
      if (!user) {
        await recordAudit(app.db, { action: 'auth.login_failed', actor_username: username.slice(0, 64), ip: request.ip, details: { method: 'oidc' } });
        return fail('SB_ERR_AUTH_OIDC_NO_USER');
      }
    } catch (err) {
      request.log.info({ err: (err as Error).message }, 'single sign-on failed');
      return fail(err instanceof AppError ? err.code : 'SB_ERR_AUTH_OIDC_FAILED');
    }
    const issued = await sessions.start(user, 'oidc', request.ip);
    await recordAudit(app.db, { action: 'auth.login', actor: { sub: String(user.id), username: user.username, role: user.role }, ip: request.ip, details: { method: 'oidc', session_id: issued.sid } });
    reply.header('set-cookie', [clearPending, refreshCookie(request, issued.refreshToken, issued.refreshMaxAge)]);
    // The console starts by refreshing: the cookie just set is its sign-in.
    return reply.redirect('/', 302);
  });
}
