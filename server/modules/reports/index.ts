import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../users/users-schemas.js';
import { toCsv } from '../../lib/csv-writer.js';
import { AgentStatesQuery, AgentStatesReport, AgentStatesRow, ContactsQuery, ContactsReport, ContactsRow } from './reports-schemas.js';
import type { ReportsService } from './reports-service.js';

const SUPERVISORS: readonly Role[] = ['supervisor', 'admin'];

/** format=csv, or a client that asks for text/csv (and did not ask for json). */
function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  return format === 'csv' || (format === undefined && (request.headers.accept ?? '').includes('text/csv'));
}

/** The rows as a CSV download named after the report and its range. */
function sendCsv(reply: FastifyReply, name: string, from: string, columns: string[], report: { interval: string; rows: object[] }) {
  const day = from.slice(0, 10); // the day as asked for (a validated date-time), not its UTC form
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${report.interval}-${day}.csv"`)
    .send(toCsv(columns, report.rows as Record<string, unknown>[]));
}

const csvOrJson = (schema: object) => ({
  200: { content: { 'application/json': { schema }, 'text/csv': { schema: { type: 'string' } } } },
});

export async function reportsRoutes(fastify: FastifyInstance, opts: { reports: ReportsService }) {
  const { reports } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/reports/contacts', {
    config: { roles: SUPERVISORS },
    schema: {
      tags: ['reports'],
      summary: 'Offered, answered, abandoned, service level, ASA, handle time, transfers, FCR, CSAT and IVR containment per interval, in total or by queue, tier, agent or RM',
      querystring: ContactsQuery,
      response: csvOrJson(ContactsReport),
    },
  }, async (request, reply) => {
    const report = await reports.contacts(request.query);
    if (wantsCsv(request, request.query.format)) return sendCsv(reply, `contacts-${report.by}`, request.query.from, Object.keys(ContactsRow.properties), report);
    return report;
  });

  app.get('/api/reports/agent-states', {
    config: { roles: SUPERVISORS },
    schema: {
      tags: ['reports'],
      summary: 'Seconds each agent spent in each state per interval (a state that spans intervals is split across them)',
      querystring: AgentStatesQuery,
      response: csvOrJson(AgentStatesReport),
    },
  }, async (request, reply) => {
    const report = await reports.agentStates(request.query);
    if (wantsCsv(request, request.query.format)) return sendCsv(reply, 'agent-states', request.query.from, Object.keys(AgentStatesRow.properties), report);
    return report;
  });
}
