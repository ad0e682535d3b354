/* eslint-disable @typescript-eslint/no-explicit-any -- socket payloads are JSON the test reads field by field */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { createSimulator, type SimCall, type Simulator } from '../../simulator/simulator.js';
import { freePort, kill9, startNode, startProxy, startRedis, type Proc } from '../helpers/cluster.js';
import { cloneTemplate, dropDatabase, urlFor } from '../helpers/databases.js';
import { makeAgent, makeCustomer } from '../helpers/factories.js';
import { HOTLINE } from '../helpers/hotline.js';
import { startTestApp } from '../helpers/test-app.js';
import { until, zoneAtLocalHour } from '../helpers/wait.js';
import knexPkg, { type Knex } from 'knex';

// Nothing lost under faults, with processes, not mocks: two web nodes (server/main.ts) behind a
// small TCP load balancer, one Twilio simulator, the real PostgreSQL and a Redis this test runs
// itself. One node is killed with SIGKILL mid-burst; Twilio's REST API answers 503 while agents
// accept; the Redis is stopped and started again (empty) with a campaign running. Then: every
// caller answered, no call offered twice at once, no agent stuck, every call row and every dial
// attempt settled.

const procs: Proc[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const p of procs) await kill9(p).catch(() => undefined);
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unknown = (n: number) => `+86139${String(20_000_000 + n).slice(-8)}`;

/**
 * An agent at a console, as the console behaves: it keeps its own view from the notices it hears,
 * checks it against each heartbeat's digest and asks `agent:sync` on a difference, and acts on
 * its view: accepts offers, talks a moment and ends, wraps up, comes back from away.
 */
class Desk {
  view: { state: string | null; since: string | null; entryId: string | null; entryState: string | null; campaign: boolean } = { state: null, since: null, entryId: null, entryState: null, campaign: false };
  awayReasons: string[] = [];
  syncs = 0;
  accepted: string[] = [];
  /** Away at a meeting: the desk stays away until this is false again. */
  hold = false;
  private done = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  readonly socket: Socket;

  constructor(readonly id: number, url: string, token: string) {
    this.socket = io(`${url}/agent`, { auth: { token }, transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 1000, forceNew: true });
    const s = this.socket;
    s.on('agent:restore', (r: any) => this.restore(r));
    s.on('agent:state', (p: any) => {
      this.view.state = p.state;
      this.view.since = p.since;
      if (p.state === 'away') this.awayReasons.push(p.reason);
      if (['available', 'away', 'offline'].includes(p.state)) Object.assign(this.view, { entryId: null, entryState: null, campaign: false });
    });
    for (const e of ['call:offered', 'call:assigned']) s.on(e, (c: any) => Object.assign(this.view, { entryId: c.entry_id, entryState: c.state, campaign: Boolean(c.campaign) }));
    s.on('call:connected', (p: any) => { if (p.entry_id === this.view.entryId) this.view.entryState = 'connected'; });
    s.on('call:ended', (p: any) => { if (p.entry_id === this.view.entryId) this.view.entryState = 'ended'; });
    this.timers.push(setInterval(() => void this.heartbeat(), 1000), setInterval(() => void this.act(), 250));
  }

  private restore(r: any) {
    this.view = { state: r?.state ?? null, since: r?.since ?? null, entryId: r?.call?.entry_id ?? null, entryState: r?.call?.state ?? null, campaign: Boolean(r?.call?.campaign) };
  }

  private async ask(event: string, body: unknown = {}): Promise<any> {
    if (!this.socket.connected) throw new Error('offline');
    const reply = await this.socket.timeout(10_000).emitWithAck(event, body);
    if (!reply.ok) throw new Error(reply.error.code);
    return reply.data;
  }

  /** What the console does with each heartbeat's digest. */
  private async heartbeat() {
    const d = await this.ask('heartbeat').catch(() => undefined);
    if (d === undefined || this.agrees(d)) return;
    this.syncs++;
    this.restore(await this.ask('agent:sync').catch(() => this.view));
  }

  agrees(d: any): boolean {
    if (!d) return this.view.state === null;
    return this.view.state === d.state && this.view.since === d.since && this.view.entryId === d.entry_id && (d.entry_state === null || this.view.entryState === d.entry_state);
  }

  /** One action per entry (again after 2 s if it did not take). */
  private once(key: string, run: () => Promise<unknown>) {
    const last = this.done.get(key);
    if (last !== undefined && Date.now() - last < 2000) return;
    this.done.set(key, Date.now());
    run().catch(() => undefined);
  }

  private async act() {
    const v = this.view;
    if (v.state === 'reserved' && v.entryState === 'offered' && v.entryId) {
      const entry = v.entryId;
      this.once(`accept:${entry}`, async () => { await this.ask('call:accept', { entry_id: entry }); this.accepted.push(entry); });
    } else if (v.state === 'on_call' && v.entryState === 'connected' && v.entryId) {
      const key = `end:${v.entryId}`;
      if (!this.done.has(`talk:${v.entryId}`)) this.done.set(`talk:${v.entryId}`, Date.now());
      if (Date.now() - this.done.get(`talk:${v.entryId}`)! > 300) this.once(key, () => this.ask('call:end'));
    } else if (v.state === 'wrap_up') {
      this.once(`wrap:${v.entryId}`, () => this.ask('wrapup:complete', { disposition: v.campaign ? 'not_interested' : 'resolved', reason_codes: [], products_discussed: [] }));
    } else if ((v.state === 'away' || v.state === 'offline') && !this.hold) {
      // The person at the desk reads why and makes themselves available again.
      this.once(`back:${v.since}`, () => this.ask('state:set', { state: 'available' }));
    }
  }

  close() {
    for (const t of this.timers) clearInterval(t);
    this.socket.disconnect();
  }
}

describe('faults: nothing lost', () => {
  it('kill -9 a node mid-burst, Twilio 503s at accept, Redis restarted with a campaign running: every call answered once, nobody stuck, everything settled', { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    const mark = (what: string) => console.warn(`[faults] ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    const database = await cloneTemplate();
    cleanups.push(() => dropDatabase(database));
    const db: Knex = knexPkg.knex({ client: 'pg', connection: urlFor(database), pool: { min: 0, max: 2 } });
    cleanups.push(() => db.destroy());

    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    procs.push(redis);
    const accountSid = `AC${randomBytes(16).toString('hex')}`;
    const authToken = randomBytes(16).toString('hex');
    const sim: Simulator = createSimulator({ accountSid, authToken, numbers: {}, timeScale: 0.001 });
    const simUrl = await sim.listen();
    cleanups.push(() => sim.close());

    const ports = [await freePort(), await freePort()];
    const proxy = await startProxy(ports);
    cleanups.push(proxy.close);
    const env = {
      DATABASE_URL: urlFor(database), REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PREFIX: `faults-${database}`, TELEPHONY: 'twilio',
      TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_BASE: simUrl, PUBLIC_URL: proxy.url, TRUST_PROXY: 'loopback',
      JWT_SECRET: 'fault-secret-fault-secret-fault-secret-01', LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
      ROUTING_SWEEP_MS: '200', ROUTING_OFFER_SECONDS: '5', ROUTING_CONNECT_SECONDS: '8', AGENT_LEASE_SECONDS: '10',
      TWILIO_RETRY_SECONDS: '2', TWILIO_TIMEOUT_MS: '3000', ROUTING_CONNECT_FAILURES: '2', CALL_SETTLE_SECONDS: '10',
      DIALER_TICK_MS: '200', DIALER_LOST_SECONDS: '5', JOBS_STALLED_MS: '2000', SHUTDOWN_GRACE_MS: '2000',
    };
    const [a, b0] = await Promise.all(ports.map((p) => startNode(p, env)));
    let b = b0!;
    procs.push(a!, b);
    mark('two nodes up behind the proxy');
    sim.setNumber(HOTLINE, { voiceUrl: `${proxy.url}/twilio/voice/incoming`, statusCallback: `${proxy.url}/twilio/voice/status`, statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] });

    // Six agents (the password of the demo logins), signed in through the load balancer.
    const hash = (await db('users').where({ username: 'agent1' }).first('password_hash')).password_hash;
    const desks: Desk[] = [];
    for (let i = 0; i < 6; i++) {
      const username = `fault${i}`;
      const id = await makeAgent(db, { username, skills: { general: 2 }, password_hash: hash });
      const login = await fetch(`${proxy.url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
      expect(login.status).toBe(200);
      desks.push(new Desk(id, proxy.url, ((await login.json()) as { token: string }).token));
    }
    cleanups.push(async () => { for (const d of desks) d.close(); });
    const ids = desks.map((d) => d.id);
    await until('every desk available', async () => (await db('agents').whereIn('user_id', ids).where({ state: 'available' }).count('* as n').first())!.n === 6, 30_000);

    const callers: SimCall[] = [];
    let waitingAtMenu = 0;
    /** A caller asks for an agent; `atMenu` holds them at the main menu until it resolves. */
    const callIn = async (n: number, atMenu?: Promise<void>) => {
      const c = sim.dial({ from: unknown(n), to: HOTLINE });
      callers.push(c);
      for (const keys of ['1', '0']) {
        await c.waitFor('gathering', 30_000);
        if (keys === '0' && atMenu) {
          waitingAtMenu++;
          await atMenu;
        }
        await c.press(keys);
      }
      // In line (or already through to an agent): a transcript names where else it went.
      await (c as SimCall & { waitForAny(states: string[], ms: number): Promise<void> }).waitForAny(['queued', 'conference'], 30_000);
    };
    const answered = async (sids: string[]) => {
      const rows = await db('queue_entries').whereIn('call_sid', sids).whereNotNull('answered_at').distinct('call_sid');
      return rows.length;
    };
    const allAnswered = async (what: string, timeoutMs: number) => until(what, async () => (await answered(callers.map((c) => c.sid))) === callers.length, timeoutMs).catch(async (err) => {
      const open = await db('queue_entries').whereIn('call_sid', callers.map((c) => c.sid)).whereNull('answered_at').whereIn('state', ['waiting', 'offered', 'connecting']).select('id', 'state', 'call_sid', 'agent_id');
      const agents = await db('agents').whereIn('user_id', ids).select('user_id', 'state', 'reason', 'entry_id');
      const through = new Set((await db('queue_entries').whereIn('call_sid', callers.map((c) => c.sid)).whereNotNull('answered_at').select('call_sid')).map((r) => r.call_sid));
      const lost = callers.filter((c) => !through.has(c.sid)).slice(0, 2).map((c) => `${c.sid}:\n${c.transcript.slice(-8).map((e) => `  ${e.kind}: ${e.text}`).join('\n')}`).join('\n');
      throw new Error(`${(err as Error).message}: open ${JSON.stringify(open)}, agents ${JSON.stringify(agents)}, callers ${callers.map((c) => c.state).join(',')}\n${lost}\nnode a: ${a!.output().slice(-3000)}\nnode b: ${b.output().slice(-3000)}`);
    });

    // 1. A burst of 12 callers; node b dies (SIGKILL) once a few are through.
    await Promise.all(Array.from({ length: 12 }, (_, i) => callIn(i)));
    await until('a few answered', async () => (await answered(callers.map((c) => c.sid))) >= 3, 60_000);
    await kill9(b);
    mark(`node b killed (SIGKILL) with ${await answered(callers.map((c) => c.sid))} of 12 answered`);
    await allAnswered('all 12 answered after the kill', 90_000);
    mark('all 12 answered after the kill');
    b = await startNode(ports[1]!, env);
    procs.push(b);
    mark('node b back');

    // 2. Twilio's REST API fails (503) for 10 s while agents accept: several times the 2 s of retries.
    // Six callers wait at the main menu, then all ask for an agent at once, into the fault.
    let release!: () => void;
    const atMenu = new Promise<void>((r) => { release = r; });
    const burst = Promise.all(Array.from({ length: 6 }, (_, i) => callIn(100 + i, atMenu)));
    await until('six callers at the main menu', async () => waitingAtMenu === 6, 30_000);
    sim.fail({ ms: 10_000 });
    const faultEnds = Date.now() + 10_000;
    release();
    mark('Twilio REST answers 503 for 10 s; six callers ask for an agent');
    await burst;
    await allAnswered('all 18 answered after the 503s', 90_000);
    mark(`all 18 answered after the 503s (${Math.max(0, Math.round((Date.now() - faultEnds) / 100) / 10)} s after the fault ended)`);
    const connectFailed = await db('interaction_events').where({ type: 'connect_failed' }).count('* as n').first();
    expect(Number(connectFailed!.n)).toBeGreaterThan(0);

    // 3. A campaign runs (half the people answer, half are busy); Redis stops for 5 s and comes back empty.
    const tz = zoneAtLocalHour(12);
    const list: { id: number; phone: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const { id, phone } = await makeCustomer(db, { timezone: tz });
      if (i % 2) sim.setPeer(phone, 'busy');
      list.push({ id, phone });
    }
    const sup = await fetch(`${proxy.url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'supervisor1', password: DEMO_PASSWORD }) });
    const supervisor = { Authorization: `Bearer ${((await sup.json()) as { token: string }).token}` };
    const post = async (path: string, body: string, type = 'application/json') => {
      const res = await fetch(`${proxy.url}${path}`, { method: 'POST', headers: { ...supervisor, 'Content-Type': type }, body });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return res.json() as Promise<any>;
    };
    const campaign = await post('/api/campaigns', JSON.stringify({
      name: 'Faults', purpose: 'care', caller_id: '+864008895500', window_start: '00:00', window_end: '23:59', max_attempts: 1, dialing_mode: 'progressive', skill: 'general', calls_per_second: 1,
    }));
    await post(`/api/campaigns/${campaign.id}/list/csv`, ['customer_id', ...list.map((x) => x.id)].join('\n'), 'text/csv');
    await post(`/api/campaigns/${campaign.id}/start`, '{}');
    await until('the campaign dialling', async () => Number((await db('dial_attempts').where({ campaign_id: campaign.id }).whereNotNull('dialed_at').count('* as n').first())!.n) >= 2, 30_000);
    await kill9(redis);
    mark('redis stopped with the campaign running');
    const beforeOutage = callers.length;
    await Promise.all(Array.from({ length: 4 }, (_, i) => callIn(200 + i)));
    await sleep(5000);
    redis = await startRedis(redisPort);
    procs.push(redis);
    const redisBack = Date.now();
    mark(`redis back (empty); ${callers.length - beforeOutage} callers came in during the outage`);

    await allAnswered('all 22 callers answered after the Redis restart', 90_000);
    await until('the campaign completed', async () => (await db('campaigns').where({ id: campaign.id }).first('state')).state === 'completed', 90_000).catch(async (err) => {
      const open = await db('campaign_entries').where({ campaign_id: campaign.id }).whereNot('state', 'done').select('id', 'state', 'attempts');
      const live = await db('dial_attempts').where({ campaign_id: campaign.id }).whereNotIn('state', ['ended', 'blocked']).select('id', 'state', 'outcome');
      throw new Error(`${(err as Error).message}: open ${JSON.stringify(open)}, live ${JSON.stringify(live)}`);
    });
    mark(`campaign completed, all callers answered ${((Date.now() - redisBack) / 1000).toFixed(1)} s after redis came back`);

    // Whoever is still on the line (a survey) hangs up; then every call row must settle.
    await sleep(1000);
    for (const c of sim.calls()) if (c.state !== 'ended') await c.hangup().catch(() => undefined);
    await until('every call row settled', async () => Number((await db('calls').whereNull('ended_at').count('* as n').first())!.n) === 0, 60_000).catch(async (err) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(await db('calls').whereNull('ended_at').select('sid', 'status', 'flow', 'created_at'))}`);
    });
    // No agent stuck: none holds a call, and every console shows what the server says.
    await until('every agent free and every console agreeing with the server', async () => {
      const rows = await db('agents').whereIn('user_id', ids).select('user_id', 'state', 'reason', 'state_since', 'entry_id');
      return rows.every((r) => ['available', 'away'].includes(r.state) && r.entry_id === null)
        && desks.every((d) => d.view.state === rows.find((r) => r.user_id === d.id)!.state && d.view.since === new Date(rows.find((r) => r.user_id === d.id)!.state_since).toISOString());
    }, 30_000);
    const settled = (Date.now() - redisBack) / 1000;
    mark(`everything settled ${settled.toFixed(1)} s after the last fault`);

    // 0 lost: each of the 22 callers reached an agent; 0 double offers: once each, one agent at a time.
    const sids = callers.map((c) => c.sid);
    const connected = await db('queue_entries').whereIn('call_sid', sids).whereNotNull('answered_at').groupBy('call_sid').select('call_sid').count('* as n');
    expect(connected).toHaveLength(callers.length);
    expect(connected.every((r) => Number(r.n) === 1)).toBe(true);
    const history = await db('agent_state_events').whereIn('agent_id', ids).orderBy('id');
    for (const id of ids) {
      const mine = history.filter((e) => e.agent_id === id).map((e) => e.state);
      for (let i = 1; i < mine.length; i++) if (mine[i] === 'reserved') expect(mine[i - 1], `agent ${id}: ${mine.join(',')}`).toBe('available');
    }
    // Agents whose connects kept failing went away with the reason, instead of draining the queue.
    expect(desks.flatMap((d) => d.awayReasons)).toContain('connect_failed');
    // Every dial attempt settled once: one attempt and one call per person, each attempt ended with an outcome.
    const attempts = await db('dial_attempts').where({ campaign_id: campaign.id }).select('entry_id', 'state', 'outcome', 'call_sid');
    expect(attempts.every((x) => x.state === 'ended' && x.outcome)).toBe(true);
    expect(new Set(attempts.map((x) => x.entry_id)).size).toBe(attempts.length);
    const entries = await db('campaign_entries').where({ campaign_id: campaign.id }).select('state', 'attempts');
    expect(entries.every((e) => e.state === 'done' && e.attempts === 1)).toBe(true);
    for (const x of list) expect(sim.calls().filter((c) => c.to === x.phone), x.phone).toHaveLength(1);
    const syncs = desks.reduce((n, d) => n + d.syncs, 0);
    console.warn(`[faults] settle time: ${settled.toFixed(1)} s after Redis came back; console resyncs from the digest: ${syncs}; connects failed by the 503s: ${connectFailed!.n}; total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('refuses a second node with a built-in simulator of its own on the same database, naming the first', async () => {
    const first = await startTestApp({}, { listen: true });
    cleanups.push(first.close);
    await expect(startTestApp({}, { database: first.database })).rejects.toThrow(/simulator already runs in another Switchboard node \(http:\/\/127\.0\.0\.1:\d+\)/);
  });
});
