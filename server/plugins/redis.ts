import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis | null;
  }
}

/** Redis when REDIS_URL is set (jobs, socket fan-out); null in embedded mode. */
export const redisPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    if (!opts.config.REDIS_URL) {
      app.decorate('redis', null);
      return;
    }
    // lazyConnect + bounded retries: a Redis outage must make /readyz say so, not crash the boot.
    const redis = new Redis(opts.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', (err) => app.log.warn({ err: err.message }, 'redis error'));
    await redis.connect().catch((err) => app.log.warn({ err: err.message }, 'redis not reachable at boot'));
    app.decorate('redis', redis);
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  },
  { name: 'redis' },
);
