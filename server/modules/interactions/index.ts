import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF_ROLES } from '../users/users-schemas.js';
import { InteractionIdParams, InteractionList, InteractionsQuery, Timeline } from './interactions-schemas.js';
import type { InteractionsService } from './interactions-service.js';

export async function interactionsRoutes(fastify: FastifyInstance, opts: { interactions: InteractionsService }) {
  const { interactions } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/interactions', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['interactions'], summary: 'Interactions, newest first, by customer and time; audited when by customer', querystring: InteractionsQuery, response: { 200: InteractionList } },
  }, async (request) => interactions.list(request.query, { user: request.user, ip: request.ip }));

  app.get('/api/interactions/:id/timeline', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['interactions'], summary: 'One interaction and its append-only event timeline; audited', params: InteractionIdParams, response: { 200: Timeline } },
  }, async (request) => interactions.timeline(request.params.id, { user: request.user, ip: request.ip }));
}
