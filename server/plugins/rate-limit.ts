import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { appError } from '../errors.js';
import type { TokenClaims } from './auth.js';

/**
 * A general limit on the API (/api/...): RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_SECONDS for
 * each signed-in user, or each client address before sign-in (the client's, behind TRUST_PROXY).
 * Per user, because a contact centre's agents sit behind one address. Counted in Redis when
 * REDIS_URL is set, so the limit holds across nodes; a Redis outage lets requests through rather
 * than refusing the whole API. Webhooks (Twilio retries them), health checks and pages are not limited.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    const { config } = opts;
    const keyOf = (request: FastifyRequest): string => {
      const header = request.headers.authorization;
      if (header?.startsWith('Bearer ')) {
        // A verified token only: a made-up one would give each request a fresh key.
        try { return `user:${app.jwt.verify<TokenClaims>(header.slice(7)).sub}`; } catch { /* not signed in: by address */ }
      }
      return `ip:${request.ip}`;
    };
    await app.register(rateLimit, {
      global: true,
      max: config.RATE_LIMIT_MAX,
      timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
      allowList: (request) => !request.url.startsWith('/api/'),
      keyGenerator: keyOf,
      ...(app.redis ? { redis: app.redis, nameSpace: `${config.REDIS_PREFIX}:ratelimit:`, skipOnError: true } : {}),
      errorResponseBuilder: (_request, context) => appError('SB_ERR_RATE_LIMITED', `Too many requests: at most ${context.max} every ${context.after}; try again in ${Math.ceil(context.ttl / 1000)} s`),
    });
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);
