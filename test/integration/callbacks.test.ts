/* eslint-disable @typescript-eslint/no-explicit-any -- API and socket payloads are asserted field by field */
import { describe, expect, it } from 'vitest';
import { busyAgent, tokenFor } from '../helpers/agents.js';
import { dialAndPress, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, timelineOf, type Hotline } from '../helpers/hotline.js';
import { clockFrom, until } from '../helpers/wait.js';

// Callbacks that happen (virtual hold), end to end: the real app on PostgreSQL and Redis, the
// simulator playing Twilio over HTTP for the caller who asks, and for the customer we ring back.

const floor = hotlinePerTest();

const GOLD = '+8613800000003';
const FAST = { ROUTING_SWEEP_MS: '200', ROUTING_OFFER_SECONDS: '5' };

// A Wednesday at 10:00 in Shanghai.
const WEDNESDAY_10 = '2026-11-18T02:00:00Z';

async function start(env: Record<string, string> = {}, at = WEDNESDAY_10) {
  const clock = clockFrom(at);
  return { h: await floor.start({ ...FAST, ...env }, { now: clock.now }), clock };
}

const online = (h: Hotline, who: { id: number; token: string }) => floor.online(h, who);

/** A GOLD customer (seeded) asks for an agent, waits behind a busy one, and presses 1 for a callback. */
async function askForCallback(h: Hotline, from = GOLD) {
  await busyAgent(h.db, 'floor', { general: 1 });
  const c = await dialAndPress(h, from, HOTLINE, ['1', '0']);
  await c.waitFor('queued');
  await expect.poll(() => c.heard().some((x) => x.includes('按1')), { timeout: 10_000 }).toBe(true);
  await c.press('1');
  await c.waitFor('ended');
  return c;
}

const types = (events: { type: string }[]) => events.map((e) => e.type);
const callsTo = (h: Hotline, phone: string) => h.sim.calls().filter((c) => c.to === phone);
const callbackOf = (h: Hotline, phone: string) => h.db('callback_requests').where({ phone }).orderBy('id', 'desc').first();
/** What the customer's history shows of a callback's tries (one interaction each), in order. */
async function callbackTimeline(h: Hotline, callbackId: string) {
  const ids = (await h.db('interactions').where({ callback_id: callbackId })).map((i) => i.id);
  return types(await h.db('interaction_events').whereIn('interaction_id', ids).orderBy('id'));
}

describe('callbacks that happen', () => {
  it('a caller who asked to be called back is rung when their turn comes and put through to the agent, all on the timeline', async () => {
    const { h } = await start();
    const caller = await askForCallback(h);
    expect(caller.heard().join('\n')).toMatch(/回电/);
    const request = await until('the request in line', async () => { const r = await callbackOf(h, GOLD); return r?.state === 'queued' && r; });
    expect(request).toMatchObject({ skill: 'general', tier: 'GOLD', source: 'ivr' });

    // An agent comes free: the callback is offered like a call, saying it is one.
    const agent = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const offer = await agent.next('call:offered', undefined, 15_000);
    expect(offer.customer_id).toBe(3);
    expect(offer.callback).toMatchObject({ id: String(request.id), source: 'ivr', attempt: 1 });
    expect(offer.callback.phone_masked).not.toContain('13800000003');
    expect(offer.profile.customer_id).toBe(3);
    await agent.request('call:accept', { entry_id: offer.entry_id });

    // Accepting rings the customer back; they answer and are put through to the agent.
    const ringBack = await until('the customer rung back', async () => callsTo(h, GOLD).find((c) => c.direction === 'outbound-api'));
    await agent.next('call:connected', undefined, 15_000);
    await ringBack.waitFor('conference');
    expect(ringBack.heard().join('\n')).toContain('按您的预约为您回电');
    await agent.request('call:end');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await agent.request('wrapup:complete', { disposition: 'resolved' });

    await until('the callback completed', async () => (await callbackOf(h, GOLD)).state === 'completed');
    expect((await callbackOf(h, GOLD)).attempts).toBe(1);
    const dialled = await callbackTimeline(h, request.id);
    expect(dialled).toEqual(expect.arrayContaining(['callback_queued', 'offered', 'accepted', 'callback_dialled', 'answered', 'connected', 'callback_completed', 'wrapup']));
    // The call that asked: its own timeline says a callback was requested.
    expect(types((await timelineOf(h, caller.sid)).events)).toContain('callback_requested');
  });

  it('a busy customer is tried again by the policy, then the callback closes as failed with the reason', async () => {
    const { h, clock } = await start({ CALLBACK_ATTEMPTS: '2', CALLBACK_RETRY_SECONDS: '120', CALLBACK_MODE: 'customer_first' });
    h.sim.setPeer(GOLD, 'busy');
    await askForCallback(h);
    const request = await callbackOf(h, GOLD);
    // Customer first: a free agent means the customer is dialled; nobody is offered a line that is busy.
    const agent = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    await until('the first dial settled', async () => {
      const r = await callbackOf(h, GOLD);
      return r.state === 'scheduled' && r.last_outcome === 'busy' && r;
    });
    const first = await callbackOf(h, GOLD);
    expect(first.attempts).toBe(1);
    expect(Math.round((new Date(first.due_at).getTime() - clock.now().getTime()) / 1000)).toBeGreaterThan(100);
    expect(callsTo(h, GOLD).filter((c) => c.direction === 'outbound-api')).toHaveLength(1);
    // Not before the retry time.
    await new Promise((r) => setTimeout(r, 1000));
    expect(callsTo(h, GOLD).filter((c) => c.direction === 'outbound-api')).toHaveLength(1);

    // Time passes: the retry is due.
    await h.db('callback_requests').where({ id: request.id }).update({ due_at: clock.now() });
    await until('the last dial settled', async () => (await callbackOf(h, GOLD)).state === 'failed');
    expect(await callbackOf(h, GOLD)).toMatchObject({ state: 'failed', last_outcome: 'busy', attempts: 2 });
    expect(callsTo(h, GOLD).filter((c) => c.direction === 'outbound-api')).toHaveLength(2);
    expect(await callbackTimeline(h, request.id)).toEqual(expect.arrayContaining(['callback_dialled', 'callback_failed']));
    expect(agent.received.some((r) => r.event === 'call:offered')).toBe(false);
  });

  it('an answering machine hears a short message and the callback is tried again later', async () => {
    const { h } = await start();
    h.sim.setPeer(GOLD, 'machine');
    await askForCallback(h);
    const agent = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const offer = await agent.next('call:offered', undefined, 15_000);
    await agent.request('call:accept', { entry_id: offer.entry_id });
    // The agent is told the customer was not reached and is free again.
    await agent.next('call:ended', (p) => p.reason === 'callback_not_reached', 15_000);
    await agent.next('agent:state', (s) => s.state === 'available');
    const r = await until('the machine settled', async () => { const x = await callbackOf(h, GOLD); return x.state === 'scheduled' && x; });
    expect(r).toMatchObject({ last_outcome: 'machine', attempts: 1 });
    const ringBack = callsTo(h, GOLD).find((c) => c.direction === 'outbound-api')!;
    expect(ringBack.heard().join('\n')).toContain('未能接通，我们稍后会再次致电');
  });

  it('a callback asked for after hours is served when the hours open', { timeout: 60_000 }, async () => {
    // Monday 07:59:40 in Shanghai: the bank's hours open at 08:00 (00:00 UTC), twenty seconds on.
    const { h } = await start({ SERVICE_HOURS: 'bank' }, '2026-11-22T23:59:40Z');
    const c = await dialAndPress(h, GOLD, HOTLINE, ['1', '0']);
    await c.waitFor('ended');
    expect(await callbackOf(h, GOLD)).toMatchObject({ state: 'scheduled', skill: 'general' });
    const agent = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(agent.received.some((r) => r.event === 'call:offered')).toBe(false);
    const offer = await agent.next('call:offered', undefined, 30_000);
    expect(offer.callback).toMatchObject({ source: 'ivr' });
    expect(offer.customer_id).toBe(3);
  });

  it('a withheld number waiting in the queue is told it cannot be called back and keeps its place', async () => {
    const { h } = await start();
    await busyAgent(h.db, 'floor', { general: 1 });
    const c = await dialAndPress(h, 'anonymous', HOTLINE, ['1', '0']);
    await c.waitFor('queued');
    await expect.poll(() => c.heard().some((x) => x.includes('按1')), { timeout: 10_000 }).toBe(true);
    await c.press('1');
    await expect.poll(() => c.heard().join('\n'), { timeout: 10_000 }).toContain('无法为您回电');
    await c.waitFor('queued');
    expect(c.state).toBe('queued');
    expect(await h.db('callback_requests').where({ phone: 'anonymous' })).toHaveLength(0);
    expect((await h.db('queue_entries').where({ call_sid: c.sid }).first()).state).toBe('waiting');
  });

  it('refuses bad callback requests with a code and loses nothing', async () => {
    const { h, clock } = await start();
    const sup = await h.auth('supervisor1');
    const bad = async (body: Record<string, unknown>, code: string) => {
      const res = await h.http.post('/api/callbacks').set(sup).send(body);
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.code).toBe(code);
    };
    await bad({ customer_id: 3, skill: 'general', reason: 'crm', phone: 'anonymous' }, 'SB_ERR_PHONE_INVALID');
    await bad({ customer_id: 3, skill: 'general', reason: 'crm', phone: '12' }, 'SB_ERR_PHONE_INVALID');
    await bad({ customer_id: 3, skill: 'general', reason: 'crm', due_at: new Date(clock.now().getTime() - 60_000).toISOString() }, 'SB_ERR_CALLBACK_TIME_INVALID');
    await bad({ customer_id: 999_999, skill: 'general', reason: 'crm' }, 'SB_ERR_CUSTOMER_NOT_FOUND');
    await bad({ customer_id: 3, skill: 'nowhere', reason: 'crm' }, 'SB_ERR_REQUEST_INVALID');
    await bad({ customer_id: 3, skill: 'general', reason: 'crm', state: 'completed' }, 'SB_ERR_REQUEST_INVALID');
    // Agents may not book or list callbacks for others.
    await h.http.get('/api/callbacks').set(await h.auth('agent1')).expect(403);

    const later = new Date(clock.now().getTime() + 3600_000).toISOString();
    const made = (await h.http.post('/api/callbacks').set(sup).send({ customer_id: 3, skill: 'general', reason: 'crm', due_at: later }).expect(201)).body;
    expect(made).toMatchObject({ state: 'scheduled', source: 'api' });
    expect(made.phone_masked).not.toContain('13800000003');
    const move = await h.http.patch(`/api/callbacks/${made.id}`).set(sup).send({ due_at: new Date(clock.now().getTime() - 1000).toISOString() });
    expect(move.status).toBe(400);
    expect(move.body.code).toBe('SB_ERR_CALLBACK_TIME_INVALID');
    await h.http.patch(`/api/callbacks/${made.id}`).set(sup).send({}).expect(400);
    await h.http.post('/api/callbacks/123456789/cancel').set(sup).expect(404);
    expect((await h.http.post(`/api/callbacks/${made.id}/cancel`).set(sup).expect(200)).body.state).toBe('cancelled');
    const again = await h.http.post(`/api/callbacks/${made.id}/cancel`).set(sup);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SB_ERR_CALLBACK_STATE_INVALID');
    // The backlog lists what is owed; the cancelled one is gone from it.
    expect((await h.http.get('/api/callbacks').query({ state: 'open' }).set(sup).expect(200)).body.callbacks.map((c: any) => c.id)).not.toContain(made.id);
  });
});

describe('callbacks booked by agents', () => {
  it('an agent books a callback at a time from the wrap-up, to themself, and is offered it at that time', async () => {
    const { h, clock } = await start();
    const who = await tokenFor(h.app, h.db, 'agent1');
    const agent = await online(h, who);
    const other = await online(h, await tokenFor(h.app, h.db, 'agent2'));
    await dialAndPress(h, GOLD, HOTLINE, ['1', '0']);
    const offered = await Promise.any([agent.next('call:offered').then((o) => ({ a: agent, o })), other.next('call:offered').then((o) => ({ a: other, o }))]);
    const mine = offered.a;
    await mine.request('call:accept', { entry_id: offered.o.entry_id });
    await mine.next('call:connected');
    await mine.request('call:end');
    await mine.next('agent:state', (s) => s.state === 'wrap_up');
    // A time in the past is refused; the wrap-up stays open.
    await expect(mine.request('wrapup:complete', { disposition: 'callback', callback_at: new Date(clock.now().getTime() - 60_000).toISOString() })).rejects.toThrow('SB_ERR_CALLBACK_TIME_INVALID');
    const at = new Date(clock.now().getTime() + 30 * 60_000).toISOString();
    await mine.request('wrapup:complete', { disposition: 'callback', callback_at: at, callback_to_me: true });
    const booked = await callbackOf(h, GOLD);
    expect(booked).toMatchObject({ state: 'scheduled', source: 'agent', target_agent_id: mine.id });
    expect(new Date(booked.due_at).toISOString()).toBe(at);

    // Time passes: the callback is due.
    await h.db('callback_requests').where({ id: booked.id }).update({ due_at: clock.now() });
    const offer = await mine.next('call:offered', (o) => Boolean(o.callback), 15_000);
    expect(offer.callback).toMatchObject({ id: String(booked.id), source: 'agent' });
    const notMine = mine === agent ? other : agent;
    expect(notMine.received.some((r) => r.event === 'call:offered' && r.payload.callback)).toBe(false);
  });

  it('an agent records a do-not-call request from an inbound call', async () => {
    const { h } = await start();
    const agent = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    await dialAndPress(h, GOLD, HOTLINE, ['1', '0']);
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    await agent.request('call:end');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await agent.request('wrapup:complete', { disposition: 'do_not_call' });
    expect(await h.db('do_not_call').where({ phone: GOLD })).toHaveLength(1);
  });
});
