import { randomBytes } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { appError } from '../errors.js';
import type { Role } from '../modules/users/users-schemas.js';

export interface TokenClaims {
  sub: string; // user id
  username: string;
  role: Role;
  rm_id: number | null;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route. Every /api route must say, or declare `public: true`. */
    roles?: readonly Role[];
    public?: boolean;
  }
}

export const ALL_ROLES: readonly Role[] = ['agent', 'supervisor', 'rm', 'admin'];
export const STAFF_ROLES = ALL_ROLES;

/**
 * Bearer-token auth for every /api route. A route states who may call it in `config.roles`;
 * a route that states nothing fails at boot, so no endpoint can be left open by accident.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    let secret = opts.config.JWT_SECRET;
    if (!secret) {
      secret = randomBytes(32).toString('hex');
      app.log.warn('JWT_SECRET not set: using a random key; logins end when this process stops and are not shared between processes');
    }
    await app.register(fastifyJwt, { secret, sign: { expiresIn: opts.config.JWT_TTL_SECONDS } });

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/')) return;
      const cfg = route.config as { roles?: readonly Role[]; public?: boolean } | undefined;
      if (!cfg?.public && !cfg?.roles?.length) throw new Error(`${route.method} ${route.url} must declare config.roles or config.public`);
    });

    app.addHook('onRequest', async (request: FastifyRequest) => {
      const cfg = request.routeOptions.config;
      if (!request.url.startsWith('/api/') || cfg.public || !cfg.roles) return;
      if (!request.headers.authorization) throw appError('SB_ERR_AUTH_REQUIRED');
      try {
        await request.jwtVerify();
      } catch {
        throw appError('SB_ERR_AUTH_TOKEN_INVALID');
      }
      if (!cfg.roles.includes(request.user.role)) {
        throw appError('SB_ERR_AUTH_FORBIDDEN', `Role ${request.user.role} may not ${request.method} ${request.routeOptions.url}`);
      }
    });
  },
  { name: 'auth' },
);
