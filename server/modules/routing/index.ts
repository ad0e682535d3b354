import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { STAFF_ROLES } from '../users/users-schemas.js';
import type { RoutingService } from './routing-service.js';
import { Nullable } from '../../lib/schema.js';


const Queues = Type.Object({
  at: Type.String({ format: 'date-time' }),
  queues: Type.Array(Type.Object({ skill: Type.String(), tier: Type.String(), waiting: Type.Integer(), offered: Type.Integer(), longest_wait_s: Type.Integer() })),
  skills: Type.Array(Type.Object({
    skill: Type.String(),
    waiting: Type.Integer(),
    agents_staffed: Type.Integer(),
    arrivals_15m: Type.Integer(),
    handle_s: Type.Integer({ description: 'Mean handle time (talk + hold + wrap-up) over the last hour, or the default' }),
    estimated_wait_s: Nullable(Type.Integer({ description: 'Erlang C estimate for the next caller; null with no agent staffed' })),
    estimate_accuracy: Nullable(Type.Object({ calls: Type.Integer(), mean_estimated_s: Type.Integer(), mean_actual_s: Type.Integer() }, { description: 'Last hour: predicted at arrival vs actually waited' })),
  })),
});

export async function routingRoutes(fastify: FastifyInstance, opts: { routing: RoutingService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/queues', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['routing'], summary: 'Live waiting calls per skill and tier, longest and estimated wait (Erlang C), beside actual waits', response: { 200: Queues } },
  }, async () => opts.routing.queues());
}
