/* eslint-disable @typescript-eslint/no-explicit-any -- socket payloads are JSON the tests assert on field by field */
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startOfInterval } from '../../server/lib/local-time.js';
import { erlangA, serviceLevel } from '../../server/modules/routing/erlang.js';
import { parseServiceLevels, DEFAULT_SERVICE_LEVELS } from '../../server/modules/routing/service-levels.js';
import { syncAlerts } from '../../server/modules/supervision/alerts-repository.js';
import { alertConditions } from '../../server/modules/supervision/alerts.js';
import type { Wallboard, WallboardUpdate } from '../../server/modules/supervision/supervision-schemas.js';
import { buildWallboard } from '../../server/modules/supervision/wallboard.js';
import { applyUpdate } from '../../server/modules/supervision/wallboard-diff.js';
import { busyAgent, connectAgent, makeAgents, tokenFor, type AgentClient } from '../helpers/agents.js';
import { HOTLINE, startHotline, startSecondNode, type Hotline } from '../helpers/hotline.js';
import { makeQueuedCall, type CallSpec } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { clockFrom } from '../helpers/wait.js';

let closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

const LEVELS = parseServiceLevels(DEFAULT_SERVICE_LEVELS);
const THRESHOLDS = { privateWaitSeconds: 10, abandonRate: 0.1, awaySeconds: 900, minCalls: 3 };
// The app's own wallboard tick stays out of the scripted test: it reads the real clock.
const QUIET = { WALLBOARD_TICK_MS: '60000' };

/** A supervisor's screen: the snapshot, then every update applied, checking each one follows the last. */
async function watch(url: string, token: string) {
  const socket: Socket = io(`${url}/supervisor`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  closers.push(() => { socket.disconnect(); });
  const screen = { board: null as Wallboard | null, updates: 0, outOfStep: 0 };
  socket.on('wallboard:snapshot', (w: Wallboard) => { screen.board = w; });
  socket.on('wallboard:update', (u: WallboardUpdate) => {
    if (!screen.board || u.since !== screen.board.at) screen.outOfStep++;
    else screen.board = applyUpdate(screen.board, u);
    screen.updates++;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return { socket, screen, until: async (what: string, ok: (w: Wallboard) => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(screen.board && ok(screen.board))) {
      if (Date.now() > deadline) throw new Error(`wallboard never showed ${what}: ${JSON.stringify(screen.board?.queues)} ${JSON.stringify(screen.board?.alerts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return screen.board;
  } };
}

describe('the wallboard over a scripted interval', () => {
  it('counts arrivals, answers, abandons, waits and service level exactly, and raises and clears alerts', async () => {
    const t: TestApp = await startTestApp(QUIET);
    closers.push(t.close);
    // Ten minutes into some interval; everything below is placed relative to it.
    const S = startOfInterval(new Date(Date.now() - 86_400_000), 15);
    const N = new Date(S.getTime() + 600_000);
    const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);
    const [a0, a1, a2] = await makeAgents(t.app, t.db, 'wb', 3, { general: 1 });
    const lease = at(N, 3600);
    await t.db('agents').where({ user_id: a0!.id }).update({ state: 'available', state_since: at(N, -30), lease_until: lease });
    await t.db('agents').where({ user_id: a1!.id }).update({ state: 'away', reason: 'break', state_since: at(N, -1200), lease_until: lease });

    const entry = (e: { tier?: string; enq: Date; answered?: Date; ended?: Date; state: CallSpec['state']; agent?: number; customer?: number }) => makeQueuedCall(t.db, {
      tier: e.tier, enqueued_at: e.enq, head_start: e.tier === 'PRIVATE' ? 3600 : e.tier === 'GOLD' ? 120 : 0,
      state: e.state, agent_id: e.agent, answered_at: e.answered, ended_at: e.ended, customer_id: e.customer,
    });
    await entry({ enq: at(S, 60), answered: at(S, 72), ended: at(S, 200), state: 'ended', agent: a0!.id }); // within 30 s
    await entry({ enq: at(S, 120), answered: at(S, 165), ended: at(S, 300), state: 'ended', agent: a0!.id }); // 45 s: late
    await entry({ enq: at(S, 130), ended: at(S, 135), state: 'abandoned' }); // hung up before the target: not held against SL
    await entry({ enq: at(S, 140), ended: at(S, 180), state: 'abandoned' }); // hung up after 40 s: counts against SL
    const waiting = await entry({ enq: at(N, -20), state: 'waiting' });
    const vip = await entry({ tier: 'PRIVATE', enq: at(N, -25), state: 'waiting', customer: 1 });
    await entry({ tier: 'GOLD', enq: at(S, 200), answered: at(S, 208), ended: at(S, 400), state: 'ended', agent: a0!.id });
    await entry({ enq: at(S, -20), answered: at(S, 10), ended: at(S, 100), state: 'ended', agent: a0!.id }); // arrived last interval, answered in this one
    const live = await entry({ tier: 'GOLD', enq: at(N, -90), answered: at(N, -60), state: 'connected', agent: a2!.id });
    await entry({ enq: at(S, -180), answered: at(S, -170), ended: at(S, -60), state: 'ended', agent: a2!.id }); // all in the interval before
    await t.db('agents').where({ user_id: a2!.id }).update({ state: 'on_call', state_since: at(N, -60), entry_id: live, lease_until: lease });

    const w = await buildWallboard(t.db, N, LEVELS);
    expect(w.interval).toEqual({ start: S.toISOString(), end: at(S, 900).toISOString() });
    const q = (key: string) => w.queues.find((x) => x.key === key)!;
    expect(q('general:STANDARD')).toMatchObject({
      waiting: 1, oldest_since: at(N, -20).toISOString(), arrived: 5, answered: 3, answered_within: 2, abandoned: 2, abandoned_after: 1,
      service_level: 0.5, asa_s: 29, target: { share: 0.8, seconds: 30 },
    });
    expect(q('general:PRIVATE')).toMatchObject({ waiting: 1, arrived: 1, answered: 0, service_level: null, asa_s: null, target: { share: 0.9, seconds: 10 } });
    expect(q('general:GOLD')).toMatchObject({ waiting: 0, arrived: 2, answered: 2, answered_within: 1, abandoned: 0, service_level: 0.5, asa_s: 19 });
    expect(q('general:STANDARD').staffing.arrivals_15m).toBe(7);

    // Two agents staff the skill (the third is away); handle time is the mean of the calls finished in the last hour.
    const skill = w.skills.find((s) => s.skill === 'general')!;
    expect(skill).toMatchObject({ waiting: 2, staffed: 2, available: 1 });
    const handle = (128 + 135 + 192 + 90 + 110) / 5;
    expect(skill.staffing.handle_s).toBe(Math.round(handle));
    // Needed agents meet the strictest busy tier's target (PRIVATE: 90% in 10 s), and one fewer would not.
    const load = { arrivalRate: 10 / 900, handleSeconds: handle, agents: 0 };
    const needed = skill.staffing.needed_erlang_c!;
    expect(serviceLevel({ ...load, agents: needed }, 10)).toBeGreaterThanOrEqual(0.9);
    expect(serviceLevel({ ...load, agents: needed - 1 }, 10)).toBeLessThan(0.9);
    expect(skill.staffing.patience_s).not.toBeNull();
    const neededA = skill.staffing.needed_erlang_a!;
    expect(erlangA({ ...load, agents: neededA, patienceSeconds: skill.staffing.patience_s! }, 10).answeredWithinShare).toBeGreaterThanOrEqual(0.9);
    expect(skill.gap).toBe(2 - neededA);

    const agents = new Map(w.agents.map((a) => [a.id, a]));
    expect(agents.get(a0!.id)).toMatchObject({ state: 'available', handled_today: 4, call: null });
    expect(agents.get(a2!.id)).toMatchObject({ state: 'on_call', call: { entry_id: live, tier: 'GOLD', state: 'connected', since: at(N, -60).toISOString() } });
    expect(agents.get(a1!.id)).toMatchObject({ state: 'away', reason: 'break', since: at(N, -1200).toISOString() });
    // The PRIVATE caller is first in line (head start) and highlighted; names are masked.
    expect(w.waiting.map((c) => [c.entry_id, c.position, c.vip])).toEqual([[vip, 1, true], [waiting, 2, false]]);
    expect(w.waiting[0]!.customer).toMatch(/^\S\*+$|^\S\*\*\* /u);

    // Alerts: the PRIVATE caller waited 25 s (> 10), STANDARD is at 50% (< 80%) with 40% abandoned, an agent is away 20 min.
    const first = await syncAlerts(t.db, alertConditions(w, THRESHOLDS), N);
    const raised = first.raised.map((a) => `${a.kind} ${a.subject}`).sort();
    expect(raised).toEqual(expect.arrayContaining([
      `private_wait entry:${vip}`, 'service_level queue:general:STANDARD', 'abandon_rate queue:general:STANDARD', `agent_away agent:${a1!.id}`,
    ]));
    expect(raised.some((r) => r.includes('GOLD'))).toBe(false); // two calls are below the minimum sample
    expect(raised.includes('staffing_gap skill:general')).toBe(skill.gap! < 0);
    // Every node evaluates the same board: the second evaluation raises nothing more.
    expect((await syncAlerts(t.db, alertConditions(w, THRESHOLDS), N)).raised).toEqual([]);

    // The PRIVATE caller is answered: that alert clears, the others stay open.
    await t.db('queue_entries').where({ id: vip }).update({ state: 'connected', agent_id: a0!.id, answered_at: at(N, 5) });
    const later = at(N, 10);
    const after = await syncAlerts(t.db, alertConditions(await buildWallboard(t.db, later, LEVELS), THRESHOLDS), later);
    expect(after.raised).toEqual([]);
    expect(after.cleared.map((a) => a.subject)).toEqual([`entry:${vip}`]);
    const log = await t.http.get('/api/alerts?limit=50').set(await t.auth('supervisor1')).expect(200);
    const vipAlert = log.body.alerts.find((a: any) => a.subject === `entry:${vip}`);
    expect(vipAlert).toMatchObject({ kind: 'private_wait', severity: 'critical', raised_at: N.toISOString(), cleared_at: later.toISOString() });
    const open = await t.http.get('/api/alerts?open=true').set(await t.auth('supervisor1')).expect(200);
    expect(open.body.alerts.map((a: any) => a.subject)).not.toContain(`entry:${vip}`);
    expect(open.body.alerts.length).toBe(raised.length - 1);
    await t.http.get('/api/alerts').set(await t.auth('agent1')).expect(403);
  });
});

// A Wednesday at 10:00 in Shanghai: the hotline's human service hours.
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;
const LIVE = { ROUTING_SWEEP_MS: '200', ALERT_PRIVATE_WAIT_SECONDS: '1' };

describe('the live wallboard', () => {
  it('is refused to agents, and shows a second node\'s calls queue, raise an alert, get answered and clear it', async () => {
    const h: Hotline = await startHotline(LIVE, { now: OPEN });
    closers.push(h.close);
    const node2 = await startSecondNode(h, LIVE, { now: OPEN });
    closers.push(node2.close);
    const agentLogin = await tokenFor(h.app, h.db, 'agent1');
    await expect(watch(node2.url, agentLogin.token)).rejects.toThrow('SB_ERR_AUTH_FORBIDDEN');
    await expect(watch(node2.url, 'not-a-token')).rejects.toThrow('SB_ERR_AUTH_TOKEN_INVALID');

    // The supervisor watches node 2; the call and the agent are on node 1.
    const sup = await watch(node2.url, (await tokenFor(h.app, h.db, 'supervisor1')).token);
    await sup.until('a snapshot', () => true);
    // Private banking is staffed, busy: the caller waits (rather than being offered a callback).
    await busyAgent(h.db, 'pb', { private_banking: 1 });
    const caller = h.sim.dial({ from: '+8613800000001', to: HOTLINE });
    await caller.waitFor('gathering');
    await caller.press('1');
    await caller.waitFor('queued');
    const queued = await sup.until('the PRIVATE caller waiting', (w) => w.queues.some((q) => q.tier === 'PRIVATE' && q.waiting === 1));
    const queue = queued.queues.find((q) => q.tier === 'PRIVATE')!;
    expect(queued.waiting[0]).toMatchObject({ tier: 'PRIVATE', vip: true, position: 1 });
    await sup.until('the PRIVATE wait alert', (w) => w.alerts.some((a) => a.kind === 'private_wait'));

    const [agent] = await makeAgents(h.app, h.db, 'live', 1, { [queue.skill]: 3 });
    const console1: AgentClient = await connectAgent(h.url, agent!.token, agent!.id);
    closers.push(() => console1.close());
    await console1.next('agent:restore');
    await console1.request('state:set', { state: 'available' });
    const offer = await console1.next('call:offered');
    await console1.request('call:accept', { entry_id: offer.entry_id });
    await console1.next('call:connected');

    const answered = await sup.until('the call answered and the alert cleared', (w) => {
      const q = w.queues.find((x) => x.key === queue.key);
      return q?.waiting === 0 && q.answered === 1 && !w.alerts.some((a) => a.kind === 'private_wait');
    });
    expect(answered.agents.find((a) => a.id === agent!.id)).toMatchObject({ state: 'on_call', call: { entry_id: offer.entry_id, tier: 'PRIVATE', state: 'connected' } });
    expect(sup.screen.updates).toBeGreaterThan(1);
    expect(sup.screen.outOfStep).toBe(0);
    // What the screen built from updates is what the server has.
    const fresh = (await node2.http.get('/api/wallboard').set(await node2.auth('supervisor1')).expect(200)).body as Wallboard;
    const counts = (w: Wallboard) => w.queues.map((x) => [x.key, x.waiting, x.arrived, x.answered, x.abandoned]);
    expect(counts(answered)).toEqual(counts(fresh));
    const log = await h.db('alerts').where({ kind: 'private_wait' });
    expect(log).toHaveLength(1);
    expect(log[0].cleared_at).not.toBeNull();
  });
});

describe('supervisor actions', () => {
  it('raise a call\'s priority, move it to another skill, broadcast to agents and monitor a call, all audited', async () => {
    const h: Hotline = await startHotline({ ROUTING_SWEEP_MS: '200', ...QUIET }, { now: OPEN });
    closers.push(h.close);
    const sup = await h.auth('supervisor1');
    const unknown = (n: number) => `+86139${String(20_000_000 + n).slice(-8)}`;
    await busyAgent(h.db, 'floor', { general: 1 });
    const calls = [];
    for (const n of [1, 2]) {
      const c = h.sim.dial({ from: unknown(n), to: HOTLINE });
      for (const keys of ['1', '0']) {
        await c.waitFor('gathering');
        await c.press(keys);
      }
      await c.waitFor('queued');
      calls.push(c);
    }
    const entries = await h.db('queue_entries').where({ state: 'waiting' }).orderBy('id');
    const [early, late] = entries.map((e) => String(e.id));
    const board = async () => (await h.http.get('/api/wallboard').set(sup).expect(200)).body as Wallboard;
    expect((await board()).waiting.map((c) => c.entry_id)).toEqual([early, late]);

    await h.http.post(`/api/queue-entries/${late}/priority`).set(await h.auth('agent1')).send({ boost_seconds: 60 }).expect(403);
    await h.http.post(`/api/queue-entries/${late}/priority`).set(sup).send({ boost_seconds: 0 }).expect(400);
    await h.http.post('/api/queue-entries/999999/priority').set(sup).send({ boost_seconds: 60 }).expect(404)
      .expect((r) => expect(r.body.code).toBe('SB_ERR_ENTRY_NOT_FOUND'));
    await h.http.post(`/api/queue-entries/${late}/priority`).set(sup).send({ boost_seconds: 600 }).expect(200);
    expect((await board()).waiting.map((c) => c.entry_id)).toEqual([late, early]);

    await h.http.post(`/api/queue-entries/${early}/skill`).set(sup).send({ skill: 'no_such_skill' }).expect(400);
    const moved = await h.http.post(`/api/queue-entries/${early}/skill`).set(sup).send({ skill: 'cards' }).expect(200);
    expect(moved.body.skill).toBe('cards');
    expect((await board()).queues.find((q) => q.skill === 'cards')?.waiting).toBe(1);

    // An agent with the cards skill gets the moved call, and a broadcast for the cards group.
    const [carder] = await makeAgents(h.app, h.db, 'card', 1, { cards: 2 });
    const [other] = await makeAgents(h.app, h.db, 'loan', 1, { loans: 2 });
    const c1 = await connectAgent(h.url, carder!.token, carder!.id);
    const c2 = await connectAgent(h.url, other!.token, other!.id);
    closers.push(() => c1.close(), () => c2.close());
    await h.http.post('/api/broadcasts').set(sup).send({ message: 'System maintenance at 22:00', skill: 'cards' }).expect(200);
    expect(await c1.next('supervisor:broadcast')).toMatchObject({ message: 'System maintenance at 22:00', from: 'supervisor1' });
    await h.http.post('/api/broadcasts').set(sup).send({ message: '' }).expect(400);
    await h.http.post('/api/broadcasts').set(sup).send({ message: 'Everyone: queue is long' }).expect(200);
    expect(await c2.next('supervisor:broadcast')).toMatchObject({ message: 'Everyone: queue is long' });
    expect(c2.received.filter((r) => r.event === 'supervisor:broadcast')).toHaveLength(1);

    await c1.next('agent:restore');
    await h.http.post(`/api/queue-entries/${early}/monitor`).set(sup).send({ mode: 'listen' }).expect(409)
      .expect((r) => expect(r.body.code).toBe('SB_ERR_CALL_NOT_CONNECTED'));
    await c1.request('state:set', { state: 'available' });
    const offer = await c1.next('call:offered');
    expect(offer.entry_id).toBe(early);
    await h.http.post(`/api/queue-entries/${early}/skill`).set(sup).send({ skill: 'loans' }).expect(409)
      .expect((r) => expect(r.body.code).toBe('SB_ERR_ENTRY_NOT_WAITING'));
    await c1.request('call:accept', { entry_id: offer.entry_id });
    await c1.next('call:connected');

    // Listen (muted), then whisper (coaching the agent's leg): the supervisor's leg in the call's conference.
    const listen = await h.http.post(`/api/queue-entries/${early}/monitor`).set(sup).send({ mode: 'listen' }).expect(200);
    const e = await h.db('queue_entries').where({ id: early }).first();
    const participant = async () => {
      const url = `${h.config.TWILIO_API_BASE}/2010-04-01/Accounts/${h.accountSid}/Conferences/${e.conference_sid}/Participants/${listen.body.call_sid}.json`;
      const res = await fetch(url, { headers: { Authorization: `Basic ${Buffer.from(`${h.accountSid}:${h.authToken}`).toString('base64')}` } });
      return res.json() as Promise<any>;
    };
    expect(await participant()).toMatchObject({ muted: true, coaching: false });
    // The leg rings the supervisor's own browser identity, the one their softphone token is for.
    const phone = await h.http.get('/api/supervisors/me/softphone').set(sup).expect(200);
    const supervisor = await h.db('users').where({ username: 'supervisor1' }).first('id');
    expect(phone.body.identity).toBe(`supervisor_${supervisor.id}`);
    await h.http.get('/api/supervisors/me/softphone').set(await h.auth('agent1')).expect(403);
    const legUrl = `${h.config.TWILIO_API_BASE}/2010-04-01/Accounts/${h.accountSid}/Calls/${listen.body.call_sid}.json`;
    const leg = await (await fetch(legUrl, { headers: { Authorization: `Basic ${Buffer.from(`${h.accountSid}:${h.authToken}`).toString('base64')}` } })).json() as any;
    expect(leg.to).toBe(`client:supervisor_${supervisor.id}`);
    const whisper = await h.http.post(`/api/queue-entries/${early}/monitor`).set(sup).send({ mode: 'whisper' }).expect(200);
    expect(whisper.body.call_sid).toBe(listen.body.call_sid);
    expect(await participant()).toMatchObject({ muted: false, coaching: true, call_sid_to_coach: e.agent_call_sid });
    await h.http.post(`/api/queue-entries/${early}/monitor`).set(sup).send({ mode: 'barge' }).expect(200);
    expect(await participant()).toMatchObject({ muted: false, coaching: false });
    await h.http.delete(`/api/queue-entries/${early}/monitor`).set(sup).expect(200);

    const audit = await h.db('audit_log').where('action', 'like', 'supervisor.%').orderBy('id').select('action', 'details');
    expect(audit.map((a) => [a.action, a.details.mode ?? a.details.to ?? a.details.boost_s ?? a.details.skill])).toEqual([
      ['supervisor.queue_priority', 600], ['supervisor.queue_skill', 'cards'], ['supervisor.broadcast', 'cards'], ['supervisor.broadcast', null],
      ['supervisor.monitor', 'listen'], ['supervisor.monitor', 'whisper'], ['supervisor.monitor', 'barge'], ['supervisor.monitor', 'left'],
    ]);
    const lateEntry = await h.db('queue_entries').where({ id: late }).first();
    const events = async (interactionId: string) => h.db('interaction_events').where({ interaction_id: interactionId }).orderBy('id').pluck('type');
    expect(await events(lateEntry.interaction_id)).toContain('priority_raised');
    expect(await events(e.interaction_id)).toContain('skill_changed');
    for (const c of calls) await c.hangup();
  });
});
