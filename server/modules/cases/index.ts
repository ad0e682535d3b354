import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF_ROLES, type Role } from '../users/users-schemas.js';
import { CaseCreate, CaseDetail, CaseIdParams, CaseList, CaseReport, CaseReportQuery, CasesQuery, CaseTransition, Task, TaskCall, TaskComplete, TaskIdParams, TaskList, TasksQuery } from './cases-schemas.js';
import type { CasesService } from './cases-service.js';

const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];

export async function casesRoutes(fastify: FastifyInstance, opts: { cases: CasesService }) {
  const { cases } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/api/cases', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['cases'], summary: 'Open a case (complaint, suggestion, service request): an agent from their call (interaction_id), other systems by API; audited', body: CaseCreate, response: { 201: CaseDetail } },
  }, async (request, reply) => reply.status(201).send(await cases.open(request.body, request.user, request.ip)));

  app.get('/api/cases', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['cases'], summary: 'The case queue, soonest SLA due first: by state (active: open, assigned, in progress), customer, owner, at risk', querystring: CasesQuery, response: { 200: CaseList } },
  }, async (request) => cases.list(request.query));

  app.get('/api/cases/report', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['cases'], summary: 'Case figures of cases opened in a period: complaints per 1,000 inbound calls, SLA met %, hours to resolve, reopen rate; by category, tier or team', querystring: CaseReportQuery, response: { 200: CaseReport } },
  }, async (request) => cases.report(request.query));

  app.get('/api/cases/:id', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['cases'], summary: 'One case with its events (who, when) and tasks; audited', params: CaseIdParams, response: { 200: CaseDetail } },
  }, async (request) => cases.get(Number(request.params.id), request.user, request.ip));

  app.post('/api/cases/:id/transition', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['cases'], summary: 'One step of the lifecycle (assign, start, resolve with a result, close, reopen): the owner or a supervisor; 409 from the wrong state; audited', params: CaseIdParams, body: CaseTransition, response: { 200: CaseDetail } },
  }, async (request) => cases.transition(Number(request.params.id), request.body, request.user, request.ip));

  app.get('/api/tasks', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['cases'], summary: 'Follow-up and feedback tasks, soonest due first: yours, or (supervisors, mine=false) everyone\'s', querystring: TasksQuery, response: { 200: TaskList } },
  }, async (request) => cases.listTasks(request.query, request.user));

  app.post('/api/tasks/:id/call', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['cases'], summary: 'Do a feedback or callback task by calling the customer: a callback on the outbound path, offered first to you; 409 while one is under way; audited', params: TaskIdParams, response: { 201: TaskCall } },
  }, async (request, reply) => reply.status(201).send(await cases.callTask(request.params.id, request.user, request.ip)));

  app.post('/api/tasks/:id/complete', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['cases'], summary: "Complete a task: a feedback contact records the customer's satisfaction (1-5; 1-2 opens a follow-up) and moves its case to feedback contacted; audited", params: TaskIdParams, body: TaskComplete, response: { 200: Task } },
  }, async (request) => cases.completeTask(request.params.id, request.body, request.user, request.ip));
}
