import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../users/users-schemas.js';
import { Callback, CallbackCreate, CallbackIdParams, CallbackList, CallbackMove, CallbacksQuery } from './callbacks-schemas.js';
import type { CallbacksService } from './callbacks-service.js';

const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];

export async function callbacksRoutes(fastify: FastifyInstance, opts: { callbacks: CallbacksService }) {
  const { callbacks } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/callbacks', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['callbacks'], summary: 'Callback requests, soonest due first: the backlog (state=open), or by state, skill or customer', querystring: CallbacksQuery, response: { 200: CallbackList } },
  }, async (request) => callbacks.list(request.query));

  app.post('/api/callbacks', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['callbacks'], summary: "Book a callback for a customer (a CRM's or web form's request); audited", body: CallbackCreate, response: { 201: Callback } },
  }, async (request, reply) => reply.status(201).send(await callbacks.create(request.body, request.user, request.ip)));

  app.post('/api/callbacks/:id/cancel', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['callbacks'], summary: 'Cancel a callback still owed (not one being dialled); audited', params: CallbackIdParams, response: { 200: Callback } },
  }, async (request) => callbacks.cancel(request.params.id, request.user, request.ip));

  app.patch('/api/callbacks/:id', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['callbacks'], summary: "Move a callback to another skill's queue or to a later time (not while it is offered or dialled); audited", params: CallbackIdParams, body: CallbackMove, response: { 200: Callback } },
  }, async (request) => callbacks.move(request.params.id, request.body, request.user, request.ip));
}
