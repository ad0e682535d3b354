import type { Recogniser } from '../../server/modules/talk/recogniser.js';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import supertest, { type Response } from 'supertest';
import { buildApp } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { createDb } from '../../server/db/knex.js';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { cloneTemplate, dropDatabase, urlFor } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  db: Knex;
  http: ReturnType<typeof supertest>;
  config: Config;
  database: string;
  /** A bearer header for one of the seeded demo users. */
  auth: (username: 'agent1' | 'agent2' | 'supervisor1' | 'admin' | 'rm1') => Promise<{ Authorization: string }>;
  close: () => Promise<void>;
  /** Opens a customer's profile as an agent does outside a call: an audited search by their phone that finds them, then the view it backs. */
  openProfile: (customerId: number, headers: { Authorization: string }) => Promise<Response>;
}

/**
 * The real app on its own copy of the seeded bank in the real PostgreSQL (and the real Redis when
 * REDIS_URL is set). Each test that calls this gets a database nobody else touches.
 */
export async function startTestApp(env: Record<string, string> = {}, opts: { listen?: boolean; now?: () => Date; database?: string; logStream?: NodeJS.WritableStream; recogniser?: Recogniser } = {}): Promise<TestApp> {
  // Another node on a database that exists already (several processes sharing one bank).
  const shared = opts.database !== undefined;
  const database = opts.database ?? (await cloneTemplate());
  const config = loadConfig({
    DATABASE_URL: urlFor(database),
    REDIS_URL: process.env.REDIS_URL,
    // Test files run in parallel on one Redis: each bank is its own deployment.
    REDIS_PREFIX: `test-${database}`,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'silent',
    // Without a Twilio account the built-in simulator plays Twilio, asked for on this database by name.
    TELEPHONY: env.TWILIO_ACCOUNT_SID ? 'twilio' : 'simulator',
    SIMULATOR_DATABASE: database,
    // Tests drive hundreds of requests a second as one user; the limit's own test sets it low.
    RATE_LIMIT_MAX: '1000000',
    ...env,
  });
  // One connection more than the app needs: in simulator mode one holds the simulator's lock (server/demo/embedded-simulator.ts).
  const db = createDb(config, { poolMax: 6 });
  const app = await buildApp(config, { db, now: opts.now, logStream: opts.logStream, recogniser: opts.recogniser });
  // Listening (on a free port) is for tests where something calls the app back over HTTP: the Twilio simulator.
  if (opts.listen) await app.listen({ port: 0, host: '127.0.0.1' });
  else await app.ready();
  const http = supertest(app.server);
  const tokens = new Map<string, string>();
  return {
    app,
    db,
    http,
    config,
    database,
    auth: async (username) => {
      if (!tokens.has(username)) {
        const res = await http.post('/api/auth/login').send({ username, password: DEMO_PASSWORD }).expect(200);
        tokens.set(username, res.body.token as string);
      }
      return { Authorization: `Bearer ${tokens.get(username)}` };
    },
    openProfile: async (customerId, headers) => {
      const phone = await db('customer_phones').where({ customer_id: customerId }).orderBy('is_primary', 'desc').first('phone');
      await http.get('/api/customers/search').query({ phone: phone.phone, limit: 50 }).set(headers).expect(200);
      return http.get(`/api/customers/${customerId}/profile`).query({ purpose: 'search' }).set(headers);
    },
    close: async () => {
      await app.close();
      await db.destroy();
      if (!shared) await dropDatabase(database);
    },
  };
}
