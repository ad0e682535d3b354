import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Softphone, type Role } from '../users/users-schemas.js';
import {
  AlertList, AlertsQuery, BroadcastBody, BroadcastReply, EntryActionReply, EntryParams, MonitorBody, MonitorReply, PriorityBody, SkillBody, Wallboard,
} from './supervision-schemas.js';
import type { SupervisionService } from './supervision-service.js';

const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];

export async function supervisionRoutes(fastify: FastifyInstance, opts: { supervision: SupervisionService; softphone: (line: { kind: 'agent' | 'supervisor'; userId: number }) => Softphone }) {
  const { supervision } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/wallboard', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: 'The live wallboard now (the /supervisor socket pushes the same board and its changes)', response: { 200: Wallboard } },
  }, async () => supervision.board());

  app.get('/api/supervisors/me/softphone', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: "How the supervisor hears calls they monitor: the browser (a Voice SDK token for supervisor_<id>) or the simulator", response: { 200: Softphone } },
  }, async (request) => opts.softphone({ kind: 'supervisor', userId: Number(request.user.sub) }));

  app.get('/api/alerts', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: 'The alert log, newest first: open alerts, cleared ones, or both', querystring: AlertsQuery, response: { 200: AlertList } },
  }, async (request) => ({ alerts: await supervision.alerts(request.query) }));

  app.post('/api/queue-entries/:id/priority', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: "Raise a waiting call's priority (audited)", params: EntryParams, body: PriorityBody, response: { 200: EntryActionReply } },
  }, async (request) => supervision.raisePriority(request.params.id, request.body.boost_seconds, request.user, request.ip));

  app.post('/api/queue-entries/:id/skill', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: 'Move a waiting call to another skill, keeping its place (audited)', params: EntryParams, body: SkillBody, response: { 200: EntryActionReply } },
  }, async (request) => supervision.moveSkill(request.params.id, request.body.skill, request.user, request.ip));

  app.post('/api/broadcasts', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: "A message on agents' consoles: all, or one skill's (audited)", body: BroadcastBody, response: { 200: BroadcastReply } },
  }, async (request) => supervision.broadcast(request.body.message, request.body.skill, request.user, request.ip));

  app.post('/api/queue-entries/:id/monitor', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: "Listen to, whisper to the agent on, or barge into a connected call through its conference (audited)", params: EntryParams, body: MonitorBody, response: { 200: MonitorReply } },
  }, async (request) => supervision.monitor(request.params.id, request.body.mode, request.user, request.ip));

  app.delete('/api/queue-entries/:id/monitor', {
    config: { roles: SUPERVISORS },
    schema: { tags: ['supervision'], summary: 'Leave a call you are monitoring (audited)', params: EntryParams, response: { 200: MonitorReply } },
  }, async (request) => supervision.stopMonitor(request.params.id, request.user, request.ip));
}
