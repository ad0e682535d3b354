import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF_ROLES, Softphone } from '../users/users-schemas.js';
import { AgentConfig, AgentConfigChange, AgentIdParams, AgentList, AgentStateReply, Directory, DirectoryQuery, StateChange } from './agents-schemas.js';
import type { AgentsService } from './agents-service.js';

export async function agentsRoutes(fastify: FastifyInstance, opts: { agents: AgentsService; softphone: (line: { kind: 'agent' | 'supervisor'; userId: number }) => Softphone }) {
  const { agents } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/agents', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['agents'], summary: 'Every agent: state, time in state, presence, skills', response: { 200: AgentList } },
  }, async () => agents.list());

  app.get('/api/agents/directory', {
    config: { roles: STAFF_ROLES },
    schema: { tags: ['agents'], summary: 'The transfer directory: colleagues whose name contains q, with their state and skills', querystring: DirectoryQuery, response: { 200: Directory } },
  }, async (request) => agents.directory(request.query.q, request.query.limit));

  app.put('/api/agents/me/state', {
    config: { roles: ['agent', 'rm'] },
    schema: { tags: ['agents'], summary: 'Go available, away (with a reason) or offline; not while a call or wrap-up is pending', body: StateChange, response: { 200: AgentStateReply } },
  }, async (request) => agents.setState(Number(request.user.sub), request.body, request.user, request.ip));

  app.get('/api/agents/me/softphone', {
    config: { roles: ['agent', 'rm'] },
    schema: { tags: ['agents'], summary: "How this agent's calls reach them: the browser (a Voice SDK token), the simulator, or their phone", response: { 200: Softphone } },
  }, async (request) => opts.softphone({ kind: 'agent', userId: Number(request.user.sub) }));

  app.put('/api/agents/:id/state', {
    config: { roles: ['supervisor', 'admin'] },
    schema: { tags: ['agents'], summary: "A supervisor changes an agent's state (audited)", params: AgentIdParams, body: StateChange, response: { 200: AgentStateReply } },
  }, async (request) => agents.setState(request.params.id, request.body, request.user, request.ip));

  app.get('/api/agents/:id/config', {
    config: { roles: ['supervisor', 'admin'] },
    schema: { tags: ['agents'], summary: "An agent's routing settings: skills with levels, languages, phone, team", params: AgentIdParams, response: { 200: AgentConfig } },
  }, async (request) => agents.config(request.params.id));

  app.patch('/api/agents/:id', {
    config: { roles: ['supervisor', 'admin'] },
    schema: {
      tags: ['agents'],
      summary: "Set an agent's skills, languages, phone or team (admin; supervisors for agents and RMs); routing uses them from its next pass (audited)",
      params: AgentIdParams, body: AgentConfigChange, response: { 200: AgentConfig },
    },
  }, async (request) => agents.configure(request.params.id, request.body, request.user, request.ip));
}
