import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { STAFF_ROLES } from '../users/users-schemas.js';
import {
  CustomerIdParams, CustomerUpdate, CustomerUpdateReply, HoldingsUpdate, LookupQuery, LookupReply, Profile, ProfileQuery, SearchQuery, SearchReply, TierResult,
} from './customers-schemas.js';
import type { CustomersService } from './customers-service.js';

const viewer = (request: FastifyRequest) => ({ user: request.user, ip: request.ip });

export async function customersRoutes(fastify: FastifyInstance, opts: { customers: CustomersService }) {
  const { customers } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // Registered before /:id so "lookup" and "search" are never read as an id.
  app.get('/api/customers/lookup', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['customers'], summary: 'Who is calling: customers on a phone number (caller ID)', querystring: LookupQuery, response: { 200: LookupReply } },
  }, async (request) => customers.lookupByPhone(request.query.phone, viewer(request), request.query));

  app.get('/api/customers/search', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['customers'], summary: 'Find customers by phone, name prefix or card last 4 (combined with AND)', querystring: SearchQuery, response: { 200: SearchReply } },
  }, async (request) => customers.search(request.query, viewer(request)));

  app.get('/api/customers/:id/profile', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['customers'], summary: 'The unified customer profile (screen-pop); audited', params: CustomerIdParams, querystring: ProfileQuery, response: { 200: Profile } },
  }, async (request) => customers.getProfile(request.params.id, viewer(request), request.query));

  app.post('/api/customers/:id/holdings', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['customers'],
      summary: 'Core-banking feed: replace the snapshot of each product line sent; rescores the customer',
      params: CustomerIdParams, body: HoldingsUpdate, response: { 200: TierResult },
    },
  }, async (request) => customers.updateHoldings(request.params.id, request.body, viewer(request)));

  app.patch('/api/customers/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['customers'],
      summary: 'CRM master feed: change consent, do-not-call, risk profile, contact preferences',
      params: CustomerIdParams, body: CustomerUpdate, response: { 200: CustomerUpdateReply },
    },
  }, async (request) => customers.updateCustomer(request.params.id, request.body, viewer(request)));
}
