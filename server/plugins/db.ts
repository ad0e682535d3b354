import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { openDb, type Db } from '../db/knex.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

/** The knex instance for the app; migrations run at boot so a fresh database just works. */
export const dbPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config; db?: Db }) => {
    const db = opts.db ?? (await openDb(opts.config, { migrate: true }));
    if (!opts.db) app.addHook('onClose', async () => db.destroy());
    app.decorate('db', db);
  },
  { name: 'db' },
);
