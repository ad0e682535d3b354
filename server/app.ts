import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/knex.js';
import { authRoutes } from './modules/auth/index.js';
import { customersRoutes } from './modules/customers/index.js';
import { createCustomersService } from './modules/customers/customers-service.js';
import { healthRoutes } from './modules/health/index.js';
import { loadTierModel } from './modules/tiers/tier-model.js';
import { createTiersService } from './modules/tiers/tiers-service.js';
import { authPlugin } from './plugins/auth.js';
import { dbPlugin } from './plugins/db.js';
import { errorsPlugin } from './plugins/errors.js';
import { openapiPlugin } from './plugins/openapi.js';
import { redisPlugin } from './plugins/redis.js';

/** Paths whose values must never reach a log line (SEC-03: PII minimisation). */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.body.password', 'req.body.pin', 'req.query.phone'];

/**
 * Builds the whole app without listening: infrastructure plugins, then domain services, then
 * routes. Tests call this with a real database; main.ts adds listen() and shutdown.
 */
export async function buildApp(config: Config, deps: { db?: Db } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.LOG_LEVEL, redact: { paths: REDACT, censor: '[redacted]' } },
    bodyLimit: config.BODY_LIMIT_BYTES,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false } },
  });

  // 1. infrastructure
  await app.register(errorsPlugin);
  await app.register(openapiPlugin);
  await app.register(dbPlugin, { config, db: deps.db });
  await app.register(redisPlugin, { config });
  await app.register(authPlugin, { config });

  // 2. domain services
  const tiers = createTiersService(loadTierModel(config.TIER_MODEL_FILE));
  const customers = createCustomersService({ db: app.db, tiers });

  // 3. routes
  await app.register(healthRoutes);
  await app.register(authRoutes, { config });
  await app.register(customersRoutes, { customers });
  return app;
}
