import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/knex.js';
import { authRoutes } from './modules/auth/index.js';
import { customersRoutes } from './modules/customers/index.js';
import { createCustomersService } from './modules/customers/customers-service.js';
import { loadFlows } from '../ivr/flows.js';
import { createCallsService } from './modules/calls/calls-service.js';
import { healthRoutes } from './modules/health/index.js';
import { interactionsRoutes } from './modules/interactions/index.js';
import { createInteractionsService } from './modules/interactions/interactions-service.js';
import { telephonyRoutes } from './modules/telephony/index.js';
import { loadTierModel } from './modules/tiers/tier-model.js';
import { createTiersService } from './modules/tiers/tiers-service.js';
import { authPlugin } from './plugins/auth.js';
import { dbPlugin } from './plugins/db.js';
import { errorsPlugin } from './plugins/errors.js';
import { openapiPlugin } from './plugins/openapi.js';
import { redisPlugin } from './plugins/redis.js';
import { telephonyPlugin } from './plugins/telephony.js';

/** Paths whose values must never reach a log line (SEC-03: PII minimisation). */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.body.password', 'req.body.pin', 'req.query.phone'];

/**
 * Builds the whole app without listening: infrastructure plugins, then domain services, then
 * routes. Tests call this with a real database; main.ts adds listen() and shutdown.
 */
export interface AppDeps {
  db?: Db;
  /** The clock the IVR reads business hours from; tests pin it to walk the after-hours path. */
  now?: () => Date;
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
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
  await app.register(telephonyPlugin, { config });

  // 2. domain services
  const tiers = createTiersService(loadTierModel(config.TIER_MODEL_FILE));
  const customers = createCustomersService({ db: app.db, tiers });
  const flows = loadFlows();
  for (const [number, flow] of app.telephony.hotlines) {
    if (!flows.has(flow)) throw new Error(`HOTLINE_NUMBERS: ${number} enters flow "${flow}", which is not in ivr/flows (${[...flows.keys()].join(', ')})`);
  }
  const calls = createCallsService({ flows, hotlines: app.telephony.hotlines, defaultFlow: 'hotline', now: deps.now });
  const interactions = createInteractionsService({ db: app.db });

  // 3. routes
  await app.register(healthRoutes);
  await app.register(authRoutes, { config });
  await app.register(customersRoutes, { customers });
  await app.register(interactionsRoutes, { interactions });
  const { telephony } = app;
  await app.register(telephonyRoutes, {
    db: app.db, calls, authToken: () => telephony.authToken, publicUrl: telephony.publicUrl, holdMusicUrl: config.HOLD_MUSIC_URL,
  });
  return app;
}
