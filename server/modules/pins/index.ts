import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IdParams } from '../../lib/schema.js';
import { LockRequest, PinEnrolment, PinStatus, ResetRequest, UnlockRequest } from './pins-schemas.js';
import type { PinsService } from './pins-service.js';

// Who may touch a PIN: enrolment is the feed's (an admin account), unlock, lock and reset are a
// supervisor's or an admin's after the customer's identity was checked; an agent only sees the state.
const PIN_STAFF = ['supervisor', 'admin'] as const;

const by = (request: FastifyRequest) => ({ user: request.user, ip: request.ip });

export async function pinsRoutes(fastify: FastifyInstance, opts: { pins: PinsService }) {
  const { pins } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/customers/:id/pin', {
    config: { roles: PIN_STAFF },
    schema: { tags: ['pins'], summary: "The phone-banking PIN's state: enrolled, locked (when, why), failures", params: IdParams, response: { 200: PinStatus } },
  }, async (request) => pins.status(request.params.id));

  app.put('/api/customers/:id/pin', {
    config: { roles: ['admin'] },
    schema: { tags: ['pins'], summary: 'Enrol or replace the PIN from an argon2id hash made at source (audited)', params: IdParams, body: PinEnrolment, response: { 200: PinStatus } },
  }, async (request) => pins.enrol(request.params.id, request.body.pin_hash, by(request)));

  app.post('/api/customers/:id/pin/unlock', {
    config: { roles: PIN_STAFF },
    schema: { tags: ['pins'], summary: 'Unlock a locked PIN, with a reason from the list (audited)', params: IdParams, body: UnlockRequest, response: { 200: PinStatus } },
  }, async (request) => pins.unlock(request.params.id, request.body.reason, by(request)));

  app.post('/api/customers/:id/pin/lock', {
    config: { roles: PIN_STAFF },
    schema: { tags: ['pins'], summary: 'Lock the PIN now, with a reason from the list (audited)', params: IdParams, body: LockRequest, response: { 200: PinStatus } },
  }, async (request) => pins.lock(request.params.id, request.body.reason, by(request)));

  app.post('/api/customers/:id/pin/reset', {
    config: { roles: PIN_STAFF },
    schema: { tags: ['pins'], summary: 'Remove the PIN so a new one must be enrolled, with a reason from the list (audited)', params: IdParams, body: ResetRequest, response: { 200: PinStatus } },
  }, async (request) => pins.reset(request.params.id, request.body.reason, by(request)));
}
