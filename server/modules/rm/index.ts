import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF_ROLES } from '../users/users-schemas.js';
import { Task } from '../cases/cases-schemas.js';
import { RmTaskCreate, Worklist } from './rm-schemas.js';
import type { RmService } from './rm-service.js';

export async function rmRoutes(fastify: FastifyInstance, opts: { rm: RmService }) {
  const { rm } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/api/rm/tasks', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['rm'], summary: "Book a callback, visit or retention task for the customer's relationship manager (an agent from their call); 422 without an RM, 409 on a clash with the RM's other tasks; audited", body: RmTaskCreate, response: { 201: Task } },
  }, async (request, reply) => reply.status(201).send(await rm.createTask(request.body, request.user, request.ip)));

  app.get('/api/rm/worklist', {
    config: { roles: ['rm'] },
    schema: { tags: ['rm'], summary: "The relationship manager's worklist: their open tasks and their clients' active cases; audited", response: { 200: Worklist } },
  }, async (request) => rm.worklist(request.user, request.ip));
}
