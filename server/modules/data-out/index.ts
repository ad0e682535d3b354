import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  CaseEventPage, CreatedSubscription, DeliveriesQuery, Delivery, DeliveryList, IdParam, InteractionEventPage, LogQuery, NewSubscription, Subscription, SubscriptionList,
} from './data-out-schemas.js';
import type { DataOutService } from './data-out-service.js';
import type { SessionUser } from '../../plugins/auth.js';

const tags = ['data out'];

/** The warehouse's and CRMs' way out: admins only (a bank gives its integration a service account of its own). */
export async function dataOutRoutes(fastify: FastifyInstance, opts: { dataOut: DataOutService }) {
  const { dataOut } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const viewer = (request: { user: SessionUser; ip: string }) => ({ user: request.user, ip: request.ip });

  app.get('/api/data-out/interaction-events', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'The interaction log by cursor: every event once, none missed, rows of transactions still running held back; audited', querystring: LogQuery, response: { 200: InteractionEventPage } },
  }, async (request) => dataOut.read('interaction_events', request.query, viewer(request)));

  app.get('/api/data-out/case-events', {
    config: { roles: ['admin'] },
    schema: { tags, summary: "The cases' log by cursor; audited", querystring: LogQuery, response: { 200: CaseEventPage } },
  }, async (request) => dataOut.read('case_events', request.query, viewer(request)));

  app.post('/api/data-out/subscriptions', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Subscribe a CRM to call events (signed webhooks, retried, dead-lettered); the secret is shown once', body: NewSubscription, response: { 201: CreatedSubscription } },
  }, async (request, reply) => reply.code(201).send(await dataOut.subscribe(request.body, viewer(request))));

  app.get('/api/data-out/subscriptions', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Webhook subscriptions and their deliveries pending, delivered and dead', response: { 200: SubscriptionList } },
  }, async () => dataOut.subscriptions());

  app.delete('/api/data-out/subscriptions/:id', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'End a subscription: nothing more is sent to it', params: IdParam, response: { 200: Subscription } },
  }, async (request) => dataOut.end(request.params.id, viewer(request)));

  app.get('/api/data-out/subscriptions/:id/deliveries', {
    config: { roles: ['admin'] },
    schema: { tags, summary: "A subscription's deliveries, newest first (state=dead: the dead letters)", params: IdParam, querystring: DeliveriesQuery, response: { 200: DeliveryList } },
  }, async (request) => dataOut.deliveries(request.params.id, request.query));

  app.post('/api/data-out/deliveries/:id/retry', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Send a dead-lettered delivery again, with a fresh set of attempts', params: IdParam, response: { 200: Delivery } },
  }, async (request) => dataOut.retry(request.params.id, viewer(request)));
}
