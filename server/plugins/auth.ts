import { randomBytes } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { appError } from '../errors.js';
import type { Role } from '../modules/users/users-schemas.js';
// The `app.db` this plugin reads (its declaration), for programs that see this file without the app.
import type {} from './db.js';
import { createSessionsService, type SessionsService } from '../modules/auth/sessions-service.js';

/** Who is acting: read from their user row as it is now, never taken from a token. */
export interface TokenClaims {
  sub: string; // user id
  username: string;
  role: Role;
  rm_id: number | null;
}

/** An authenticated request's or socket's user: the claims and the session (sign-in) acting. */
export type SessionUser = TokenClaims & { sid: string };

/** What an access token says: only whose session it is. Role and RM id are looked up on each use. */
export interface AccessClaims {
  sub: string;
  sid: string;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: SessionUser;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route. Every /api route must say, or declare `public: true`. */
    roles?: readonly Role[];
    public?: boolean;
  }
  interface FastifyInstance {
    sessions: SessionsService;
    /** Signs an access token for a session. */
    accessToken(session: { sid: string; userId: number }): string;
    /** The live session an access token names, or a coded error (for sockets; requests use the hook). */
    sessionOf(token: string | undefined): Promise<SessionUser>;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bearer-token auth for every /api route. A route states who may call it in `config.roles`;
 * a route that states nothing fails at boot, so no endpoint can be left open by accident. The
 * token only names a session: the session must be live and its user active, and the role checked
 * is the user's role now (modules/auth/sessions-service.ts).
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    let secret = opts.config.JWT_SECRET;
    if (!secret) {
      secret = randomBytes(32).toString('hex');
      app.log.warn('JWT_SECRET not set: using a random key; logins end when this process stops and are not shared between processes');
    }
    await app.register(fastifyJwt, { secret, sign: { expiresIn: opts.config.JWT_TTL_SECONDS } });
    const { config } = opts;
    const sessions = createSessionsService({
      db: app.db, policy: { idleSeconds: config.SESSION_IDLE_SECONDS, maxSeconds: config.SESSION_MAX_SECONDS, checkSeconds: config.SESSION_CHECK_SECONDS },
    });
    app.decorate('sessions', sessions);
    app.decorate('accessToken', (s: { sid: string; userId: number }) => app.jwt.sign({ sub: String(s.userId), sid: s.sid }));
    app.decorate('sessionOf', async (token: string | undefined): Promise<SessionUser> => {
      if (!token) throw appError('SB_ERR_AUTH_REQUIRED');
      let claims: AccessClaims;
      try {
        claims = app.jwt.verify<AccessClaims>(token);
      } catch {
        throw appError('SB_ERR_AUTH_TOKEN_INVALID');
      }
      // Only access tokens name a session (the key also signs a single sign-on in progress, which has a `typ`).
      if (typeof claims.sid !== 'string' || !UUID.test(claims.sid) || 'typ' in claims) throw appError('SB_ERR_AUTH_TOKEN_INVALID');
      const live = await sessions.current(claims.sid);
      if (!live || live.sub !== claims.sub) throw appError('SB_ERR_AUTH_SESSION_REVOKED');
      return live;
    });

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/')) return;
      const cfg = route.config as { roles?: readonly Role[]; public?: boolean } | undefined;
      if (!cfg?.public && !cfg?.roles?.length) throw new Error(`${route.method} ${route.url} must declare config.roles or config.public`);
    });

    app.addHook('onRequest', async (request: FastifyRequest) => {
      const cfg = request.routeOptions.config;
      if (!request.url.startsWith('/api/') || cfg.public || !cfg.roles) return;
      const header = request.headers.authorization;
      if (!header) throw appError('SB_ERR_AUTH_REQUIRED');
      const [scheme, token] = header.split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token) throw appError('SB_ERR_AUTH_TOKEN_INVALID');
      request.user = await app.sessionOf(token);
      if (!cfg.roles.includes(request.user.role)) {
        throw appError('SB_ERR_AUTH_FORBIDDEN', `Role ${request.user.role} may not ${request.method} ${request.routeOptions.url}`);
      }
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
