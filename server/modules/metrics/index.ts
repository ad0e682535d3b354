import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Gauge, register, Registry } from 'prom-client';
import { appError } from '../../errors.js';
import { collectProcessMetrics } from '../../lib/metrics.js';
import type { CallbacksService } from '../callbacks/callbacks-service.js';
import { agentsByState, waitingBySkillAndTier } from './metrics-repository.js';

export interface MetricsRoutesOptions {
  /** The bearer token Prometheus sends; without one /metrics is off (404). */
  token: string | undefined;
  callbacks: Pick<CallbacksService, 'backlog'>;
}

const AGENT_STATES = ['offline', 'available', 'reserved', 'on_call', 'wrap_up', 'away'];

/** Knex's connection pool (tarn), where the driver has one. */
interface Pool { numUsed(): number; numFree(): number; numPendingAcquires(): number }

/**
 * GET /metrics in Prometheus's text format, for a scraper holding METRICS_TOKEN. The process's own
 * counters and histograms (server/lib/metrics.ts) plus gauges read when scraped: the shared state
 * (calls waiting, agents, callbacks owed, jobs queued; the same on every node, so aggregate with
 * max, not sum) and this node's own (database pool, sockets).
 */
export async function metricsRoutes(app: FastifyInstance, opts: MetricsRoutesOptions) {
  collectProcessMetrics();
  const own = new Registry();
  const { db } = app;
  new Gauge({
    name: 'switchboard_calls_waiting', help: 'Calls waiting in a queue now, by skill and tier (shared: the same on every node)', labelNames: ['skill', 'tier'], registers: [own],
    async collect() {
      this.reset();
      for (const r of await waitingBySkillAndTier(db)) this.set({ skill: r.skill, tier: r.tier }, r.n);
    },
  });
  new Gauge({
    name: 'switchboard_agents', help: 'Agents by state (shared)', labelNames: ['state'], registers: [own],
    async collect() {
      const rows = new Map((await agentsByState(db)).map((r) => [r.state, r.n]));
      for (const state of new Set([...AGENT_STATES, ...rows.keys()])) this.set({ state }, rows.get(state) ?? 0);
    },
  });
  const backlog = async () => opts.callbacks.backlog();
  new Gauge({
    name: 'switchboard_callbacks_open', help: 'Callbacks owed (scheduled, queued or being dialled), by skill and tier (shared)', labelNames: ['skill', 'tier'], registers: [own],
    async collect() {
      this.reset();
      for (const r of await backlog()) this.set({ skill: r.skill, tier: r.tier }, r.open);
    },
  });
  new Gauge({
    name: 'switchboard_callbacks_due', help: 'Callbacks due now (their time has come) and not yet made, by skill and tier (shared)', labelNames: ['skill', 'tier'], registers: [own],
    async collect() {
      this.reset();
      for (const r of await backlog()) this.set({ skill: r.skill, tier: r.tier }, r.due_now);
    },
  });
  new Gauge({
    name: 'switchboard_job_queue_depth', help: 'Jobs not yet finished by queue and state (waiting, delayed, active); with Redis shared by every node', labelNames: ['queue', 'state'], registers: [own],
    async collect() {
      for (const q of await app.jobs.depth()) {
        for (const state of ['waiting', 'delayed', 'active'] as const) this.set({ queue: q.queue, state }, q[state]);
      }
    },
  });
  new Gauge({
    name: 'switchboard_db_pool_connections', help: "This node's database connections by state (used, free) and requests waiting for one (pending)", labelNames: ['state'], registers: [own],
    collect() {
      const pool = (db.client as { pool?: Pool }).pool;
      if (!pool) return;
      this.set({ state: 'used' }, pool.numUsed());
      this.set({ state: 'free' }, pool.numFree());
      this.set({ state: 'pending' }, pool.numPendingAcquires());
    },
  });
  new Gauge({
    name: 'switchboard_socket_connections', help: "Consoles connected to this node, by namespace (agent, supervisor)", labelNames: ['namespace'], registers: [own],
    collect() {
      this.set({ namespace: 'agent' }, app.realtime.agents.sockets.size);
      this.set({ namespace: 'supervisor' }, app.realtime.supervisors.sockets.size);
    },
  });

  const expected = opts.token ? Buffer.from(`Bearer ${opts.token}`) : null;
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (Authorization: Bearer METRICS_TOKEN)', hide: true } }, async (request, reply) => {
    if (!expected) throw appError('SB_ERR_METRICS_DISABLED');
    const given = Buffer.from(request.headers.authorization ?? '');
    if (!request.headers.authorization) throw appError('SB_ERR_AUTH_REQUIRED');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw appError('SB_ERR_AUTH_TOKEN_INVALID');
    const all = Registry.merge([register, own]);
    return reply.type(all.contentType).send(await all.metrics());
  });
}
