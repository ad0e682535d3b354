import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexPkg from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { connectAgent, type AgentClient } from '../helpers/agents.js';
import { cloneTemplate, dropDatabase, urlFor } from '../helpers/databases.js';
import { HOTLINE } from '../helpers/hotline.js';
import { startProcess, type ServerProcess } from '../helpers/processes.js';
import { startProxy } from '../helpers/proxy.js';
import { until } from '../helpers/wait.js';

// The production recipe (compose.yaml) as processes on this machine: two web nodes and a job
// worker on one PostgreSQL and Redis, behind a reverse proxy, Twilio played by the simulator. The
// call's webhooks reach one node; the agent's console is connected to the other.

let database: string;
let sim: Simulator;
let proxy: Awaited<ReturnType<typeof startProxy>>;
const processes: ServerProcess[] = [];
let agent: AgentClient | undefined;
const nodes: string[] = [];

beforeAll(async () => {
  database = await cloneTemplate();
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  sim = createSimulator({ accountSid, authToken, numbers: {}, timeScale: 0.001 });
  const simUrl = await sim.listen();
  // The proxy's address is the public one; its backends are filled in once the nodes listen.
  const backends: string[] = [];
  proxy = await startProxy(backends, (req) => {
    if (req.url?.startsWith('/twilio/')) return 0;
    if (req.url?.startsWith('/socket.io/')) return 1;
    return undefined;
  });
  const inbox = mkdtempSync(path.join(tmpdir(), 'topology-inbox-'));
  writeFileSync(path.join(inbox, 'rms.csv'), 'employee_no,name,phone,branch,team\nRM-7001,Topology Test,13911119999,Pudong,wealth\n');
  const env = {
    DATABASE_URL: urlFor(database), REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `test-${database}`,
    TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_BASE: simUrl,
    PUBLIC_URL: proxy.url, TRUST_PROXY: 'loopback', JWT_SECRET: 'topology-secret-topology-secret-0123', LOG_FORMAT: 'json', LOG_LEVEL: 'info',
    ROUTING_SWEEP_MS: '200', METRICS_TOKEN: 'topology-metrics-0123456789',
    // A feed due every day from midnight on: the web nodes claim it, the worker runs it.
    FEED_INBOX_DIR: inbox, FEED_SCHEDULE: 'relationship_managers=rms.csv@00:00', FEED_SCHEDULE_SWEEP_MS: '200',
  };
  for (let i = 0; i < 2; i++) {
    const web = startProcess('server/main.ts', { ...env, PORT: '0', RUN_WORKERS: 'false' });
    processes.push(web);
    const listening = await web.waitFor(/Server listening at http:\/\/127\.0\.0\.1:\d+/);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(listening)![0];
    backends.push(url);
    nodes.push(url);
  }
  const worker = startProcess('server/worker.ts', env);
  processes.push(worker);
  await worker.waitFor(/taking campaign dial and scheduled feed jobs/);
  sim.setNumber(HOTLINE, { voiceUrl: `${proxy.url}/twilio/voice/incoming`, statusCallback: `${proxy.url}/twilio/voice/status`, statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] });
}, 120_000);

afterAll(async () => {
  agent?.close();
  const codes = await Promise.all(processes.map((p) => p.stop()));
  // SIGTERM is a graceful close: each process exits by itself, with 0.
  expect(codes).toEqual(processes.map(() => 0));
  await proxy?.close();
  await sim?.close();
  if (database) await dropDatabase(database);
}, 60_000);

describe('two web nodes and a worker behind a proxy', () => {
  it('a call through the proxy to one node is answered by an agent connected to the other', { timeout: 90_000 }, async () => {
    // Signing in through the proxy: either node may answer, the token is good on both.
    const login = await fetch(`${proxy.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }, body: JSON.stringify({ username: 'agent1', password: DEMO_PASSWORD }) });
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    const { token, user } = (await login.json()) as { token: string; user: { id: number } };
    agent = await connectAgent(proxy.url, token, user.id, { heartbeatMs: 2000 });
    await agent.next('agent:restore');
    await agent.request('state:set', { state: 'available' });

    const caller = sim.dial({ from: '+8613800000003', to: HOTLINE });
    for (const keys of ['1', '0']) {
      await caller.waitFor('gathering');
      await caller.press(keys);
    }
    // Node 0 queued the call; the offer reaches the agent's socket on node 1 through Redis.
    const offer = await agent.next('call:offered', () => true, 20_000);
    expect(offer.customer_id).toBe(3);
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected', () => true, 20_000);
    await caller.waitFor('conference');

    const webhooks = proxy.hits.filter((h) => h.path.startsWith('/twilio/'));
    expect(webhooks.map((h) => h.path)).toEqual(expect.arrayContaining(['/twilio/voice/incoming', '/twilio/voice/gather', '/twilio/voice/connect']));
    expect(new Set(webhooks.map((h) => h.backend))).toEqual(new Set([0]));
    expect(proxy.hits.some((h) => h.upgrade && h.backend === 1)).toBe(true);
    // Each node's metrics: node 1 holds the agent's socket and took the accept.
    const metricsOf = async (node: string) => (await fetch(`${node}/metrics`, { headers: { authorization: 'Bearer topology-metrics-0123456789' } })).text();
    expect(await metricsOf(nodes[1]!)).toMatch(/^switchboard_socket_connections\{namespace="agent"\} 1$/m);
    expect(await metricsOf(nodes[1]!)).toMatch(/^switchboard_offer_accepts_total 1$/m);
    expect(await metricsOf(nodes[0]!)).toMatch(/^switchboard_webhook_duration_seconds_count\{route="\/twilio\/voice\/incoming",status_code="200"\} 1$/m);

    await agent.request('call:end');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await agent.request('wrapup:complete', { disposition: 'resolved', reason_codes: [], products_discussed: [] });
    const db = knexPkg.knex({ client: 'pg', connection: urlFor(database), pool: { min: 0, max: 1 } });
    try {
      const done = await until('the wrap-up to land', async () => db('interactions').where({ call_sid: caller.sid, agent_user_id: user.id }).whereNotNull('wrapped_up_at').first());
      expect(done.outcome).toBe('agent');
      // The proxy is trusted (TRUST_PROXY=loopback): the audit row has the client's address it forwarded.
      const audit = await db('audit_log').where({ action: 'auth.login', actor_username: 'agent1' }).orderBy('id', 'desc').first();
      expect(audit.ip).toBe('203.0.113.7');
    } finally {
      await db.destroy();
    }
  });

  it('a scheduled feed is claimed once by the web nodes and run by the worker', { timeout: 30_000 }, async () => {
    const db = knexPkg.knex({ client: 'pg', connection: urlFor(database), pool: { min: 0, max: 1 } });
    try {
      const run = await until('the scheduled run', async () => db('feed_schedule_runs as s').join('feed_runs as r', 'r.id', 's.run_id')
        .where({ 's.kind': 'relationship_managers' }).where('r.status', 'done').first('r.source', 'r.added'));
      expect(run).toEqual({ source: 'schedule:rms.csv', added: 1 });
      expect(await db('relationship_managers').where({ employee_no: 'RM-7001' }).first('phone')).toEqual({ phone: '+8613911119999' });
      // Two web nodes sweep every 200 ms: one run of the day all the same.
      expect(Number((await db('feed_runs').where({ kind: 'relationship_managers' }).count<{ count: string }[]>('* as count').first())!.count)).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});
