import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { checkDb } from '../../db/knex.js';

const Check = Type.Enum(['ok', 'unavailable', 'not_configured']);

export async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'The process is up', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'The database and (when configured) Redis answer; 503 otherwise',
      security: [],
      response: {
        200: Type.Object({ status: Type.Literal('ready'), checks: Type.Object({ database: Check, redis: Check }) }),
        503: Type.Object({ code: Type.String(), message: Type.String(), statusCode: Type.Integer(), details: Type.Object({ checks: Type.Object({ database: Check, redis: Check }) }) }),
      },
    },
  }, async (_request, reply) => {
    const [database, redis] = await Promise.all([
      checkDb(app.db).then(() => 'ok' as const, () => 'unavailable' as const),
      app.redis ? app.redis.ping().then(() => 'ok' as const, () => 'unavailable' as const) : Promise.resolve('not_configured' as const),
    ]);
    const checks = { database, redis };
    if (database === 'unavailable' || redis === 'unavailable') {
      return reply.status(503).send({ code: 'SB_ERR_DEPENDENCY_UNAVAILABLE', message: 'Not ready', statusCode: 503, details: { checks } });
    }
    return { status: 'ready' as const, checks };
  });
}
