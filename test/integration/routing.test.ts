import { describe, expect, it } from 'vitest';
import { busyAgent, connectAgent, makeAgents, tokenFor } from '../helpers/agents.js';
import { dialToQueue, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, routeHotlineTo, startSecondNode, timelineOf, type Hotline } from '../helpers/hotline.js';
import { clockFrom } from '../helpers/wait.js';

const floor = hotlinePerTest();

const PRIVATE = '+8613800000001';
const GOLD = '+8613800000003';
// A Wednesday at 10:00 in Shanghai: the hotline's human service hours.
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;
const FAST = { ROUTING_SWEEP_MS: '200', ROUTING_OFFER_SECONDS: '3' };

const start = (env: Record<string, string> = {}) => floor.start({ ...FAST, ...env }, { now: OPEN });

const online = (h: Hotline, who: { id: number; token: string }, state: 'available' | 'away' = 'available') => floor.online(h, who, state);

/** A caller asks for an agent from the main menu (unknown numbers start there; known ones after identification). */
const callForAgent = (h: Hotline, from: string, presses = ['1', '0']) => dialToQueue(h, from, HOTLINE, presses);

const unknown = (n: number) => `+86139${String(10_000_000 + n).slice(-8)}`;
const types = (events: { type: string }[]) => events.map((e) => e.type);

describe('routing calls to agents over socket.io', () => {
  it('pops the profile on offer; accept, hold, end and wrap-up all land in the timeline', async () => {
    const h = await start();
    const agent = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const caller = await callForAgent(h, GOLD);

    const offer = await agent.next('call:offered');
    expect(offer.customer_id).toBe(3);
    expect(offer.tier).toBe('GOLD');
    expect(offer.profile.customer_id).toBe(3);
    expect(offer.ivr.path.length).toBeGreaterThan(0);
    expect(offer.why.rule).toBe('skill');
    expect(offer.why.candidates[0].agent_id).toBe(agent.id);
    expect(new Date(offer.expires_at).getTime()).toBeGreaterThan(OPEN().getTime());

    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    await caller.waitFor('conference');
    expect(caller.heard()).toContain('正在为您接通客服代表。');

    await agent.request('call:hold', { hold: true });
    await agent.request('call:hold', { hold: false });
    await expect(agent.request('state:set', { state: 'available' })).rejects.toThrow('SB_ERR_AGENT_STATE_INVALID');
    await agent.request('call:end');
    await agent.next('call:ended');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await expect(agent.request('wrapup:complete', { disposition: 'not_a_code' })).rejects.toThrow('SB_ERR_REQUEST_INVALID');
    await agent.request('wrapup:complete', { disposition: 'resolved', reason_codes: ['balance_query'], products_discussed: ['credit_card'], notes: 'Asked about the annual fee' });
    await agent.next('agent:state', (s) => s.state === 'available');

    const { interaction, events } = await timelineOf(h, caller.sid);
    expect(types(events)).toEqual(expect.arrayContaining(['entered_queue', 'routing_decision', 'offered', 'accepted', 'connected', 'held', 'unheld', 'agent_call_ended', 'wrapup']));
    expect(interaction.outcome).toBe('agent');
    expect(interaction.agent_user_id).toBe(agent.id);
    expect(interaction.answered_at).not.toBeNull();
    expect(interaction.disposition).toBe('resolved');
    expect(interaction.reason_codes).toEqual(['balance_query']);
    // The screen-pop was a view of the customer by this agent, for this call.
    const audit = await h.db('audit_log').where({ action: 'customer.view', customer_id: 3, call_sid: caller.sid }).first();
    expect(audit.actor_user_id).toBe(agent.id);
    // The decision trace is served by the API.
    const res = await h.http.get(`/api/interactions/${interaction.id}/timeline`).set(await h.auth('supervisor1')).expect(200);
    const decision = res.body.events.find((e: { type: string }) => e.type === 'routing_decision');
    expect(decision.data.rule).toBe('skill');
  });

  it('serves a PRIVATE caller before STANDARD callers who have waited less than the aging bound', async () => {
    const h = await start();
    const [agent] = await makeAgents(h.app, h.db, 'pb', 1, { general: 2, private_banking: 2 });
    // The floor is staffed (busy), so callers wait rather than being offered a callback.
    await busyAgent(h.db, 'floor', { general: 1, private_banking: 1 });
    const early = [await callForAgent(h, unknown(1)), await callForAgent(h, unknown(2))];
    await callForAgent(h, PRIVATE, ['1']);
    const c = await online(h, agent!);
    const offer = await c.next('call:offered');
    expect(offer.tier).toBe('PRIVATE');
    expect(offer.customer_id).toBe(1);
    const waiting = await h.db('queue_entries').where({ state: 'waiting' }).whereNotNull('call_sid').pluck('call_sid');
    expect(waiting.sort()).toEqual(early.map((e) => e.sid).sort());
  });

  it("routes a caller to their own relationship manager before a longer-idle agent", async () => {
    const h = await start();
    const rmId = (await h.db('customers').where({ id: 1 }).first('rm_id')).rm_id as number;
    const rmUser = await h.db('users').where({ rm_id: rmId }).first('username');
    const [other] = await makeAgents(h.app, h.db, 'pb', 1, { private_banking: 5 });
    const idleLonger = await online(h, other!);
    const rm = await online(h, await tokenFor(h.app, h.db, rmUser.username));
    await callForAgent(h, PRIVATE, ['1']);
    const offer = await rm.next('call:offered');
    expect(offer.why.rule).toBe('relationship_manager');
    expect(idleLonger.received.some((r) => r.event === 'call:offered')).toBe(false);
  });

  it('a rejected offer goes to the next agent; an unanswered one expires and re-offers', async () => {
    const h = await start();
    const a1 = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const a2 = await online(h, await tokenFor(h.app, h.db, 'agent2'));
    const caller = await callForAgent(h, unknown(3));
    // agent1 went available first: longest idle, so first offer.
    const first = await a1.next('call:offered');
    await a1.request('call:reject', { entry_id: first.entry_id });
    await a1.next('agent:state', (s) => s.state === 'away' && s.reason === 'rejected_offer');
    const second = await a2.next('call:offered');
    expect(second.entry_id).toBe(first.entry_id);
    // agent2 lets it ring out: away (missed), and the call is offered again when agent1 is back.
    await a2.next('call:offer_revoked', (p) => p.reason === 'expired', 8000);
    await a2.next('agent:state', (s) => s.state === 'away' && s.reason === 'missed_offer');
    await a1.request('state:set', { state: 'available' });
    const third = await a1.next('call:offered', (p) => p.entry_id === first.entry_id);
    expect(third.offers ?? 3).toBe(3);
    const { events } = await timelineOf(h, caller.sid);
    expect(types(events).filter((x) => x === 'offered')).toHaveLength(3);
    expect(types(events)).toEqual(expect.arrayContaining(['offer_rejected', 'offer_expired']));
  });

  it('a caller who hangs up while offered is recorded as abandoned and the agent is released', async () => {
    const h = await start({ ROUTING_OFFER_SECONDS: '30' });
    const agent = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const caller = await callForAgent(h, unknown(4));
    const offer = await agent.next('call:offered');
    await caller.hangup();
    await agent.next('call:offer_revoked', (p) => p.entry_id === offer.entry_id && p.reason === 'caller_left');
    await agent.next('agent:state', (s) => s.state === 'available');
    await expect(agent.request('call:accept', { entry_id: offer.entry_id })).rejects.toThrow('SB_ERR_OFFER_GONE');
    await expect.poll(async () => (await timelineOf(h, caller.sid)).interaction.outcome).toBe('abandoned');
    const abandoned = (await timelineOf(h, caller.sid)).events.find((e) => e.type === 'abandoned');
    expect(abandoned?.data.waited_s).toEqual(expect.any(Number));
  });

  it('a waiting caller hears position and wait, and may leave a callback request keeping their place', async () => {
    const h = await start();
    await makeAgents(h.app, h.db, 'busy', 1, { general: 1 }).then(([a]) => h.db('agents').where({ user_id: a!.id }).update({ state: 'on_call' }));
    const caller = await callForAgent(h, unknown(5));
    await expect.poll(() => caller.heard().some((x) => x.includes('您前面还有0位客户')), { timeout: 5000 }).toBe(true);
    expect(caller.heard().some((x) => /预计等待约\d+分钟/.test(x))).toBe(true);
    await caller.press('1');
    await caller.waitFor('ended');
    const { interaction } = await timelineOf(h, caller.sid);
    const entry = await h.db('queue_entries').where({ call_sid: caller.sid }).first();
    expect(entry.state).toBe('callback');
    const request = await h.db('callback_requests').where({ interaction_id: interaction.id }).first();
    expect(new Date(request.place_since).getTime()).toBeLessThanOrEqual(new Date(entry.enqueued_at).getTime() + 1000);
  });

  it('a console reload mid-call restores the state and the call, and the pop follows a data change', async () => {
    const h = await start();
    const who = await tokenFor(h.app, h.db, 'agent1');
    const agent = await online(h, who);
    await callForAgent(h, GOLD);
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    agent.close();
    const reloaded = await connectAgent(h.url, who.token, who.id);
    floor.track(reloaded);
    const restored = await reloaded.next('agent:restore');
    expect(restored.state).toBe('on_call');
    expect(restored.call.entry_id).toBe(offer.entry_id);
    expect(restored.call.profile.customer_id).toBe(3);
    await reloaded.request('call:hold', { hold: true });
    // The CRM feed flags the customer do-not-call mid-call: the pop follows.
    await h.http.patch('/api/customers/3').set(await h.auth('admin')).send({ do_not_call: true }).expect(200);
    const updated = await reloaded.next('profile:updated');
    expect(updated.entry_id).toBe(offer.entry_id);
    expect(updated.profile.consent.do_not_call).toBe(true);
  });

  it("an agent whose phone never answers after accepting sends the caller back to the queue in their place", async () => {
    const h = await start({ ROUTING_CONNECT_SECONDS: '5', ROUTING_OFFER_SECONDS: '30' });
    const a1 = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    h.sim.setPeer(`client:agent_${a1.id}`, 'no-answer');
    const caller = await callForAgent(h, unknown(8));
    const offer = await a1.next('call:offered');
    await a1.request('call:accept', { entry_id: offer.entry_id });
    await a1.next('call:ended', (p) => p.reason === 'agent_leg_failed', 15_000);
    await a1.next('agent:state', (s) => s.state === 'away' && s.reason === 'missed_offer');
    await caller.waitFor('queued');
    const entries = await h.db('queue_entries').where({ call_sid: caller.sid }).orderBy('id');
    expect(entries.map((e) => e.state)).toEqual(['failed', 'waiting']);
    expect(new Date(entries[1].enqueued_at).getTime()).toBe(new Date(entries[0].enqueued_at).getTime());
  });

  it('an agent whose console vanished goes offline and the offer moves on', async () => {
    const h = await start({ AGENT_LEASE_SECONDS: '3', ROUTING_OFFER_SECONDS: '60' });
    const gone = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    await callForAgent(h, unknown(6));
    const offer = await gone.next('call:offered');
    gone.close();
    const next = await online(h, await tokenFor(h.app, h.db, 'agent2'));
    // Agent 2 keeps its lease alive; agent 1's lapses and the offer comes here.
    const beat = setInterval(() => next.socket.emit('heartbeat', {}, () => undefined), 1000);
    try {
      const moved = await next.next('call:offered', () => true, 10_000);
      expect(moved.entry_id).toBe(offer.entry_id);
    } finally {
      clearInterval(beat);
    }
    const agent1 = await h.db('agents').where({ user_id: gone.id }).first();
    expect(agent1.state).toBe('offline');
  });

  it('refuses a socket without a valid token, and a role that takes no calls', async () => {
    const h = await start();
    await expect(connectAgent(h.url, '', 0)).rejects.toThrow('SB_ERR_AUTH_REQUIRED');
    await expect(connectAgent(h.url, 'not-a-token', 0)).rejects.toThrow('SB_ERR_AUTH_TOKEN_INVALID');
    const sup = await tokenFor(h.app, h.db, 'supervisor1');
    await expect(connectAgent(h.url, sup.token, sup.id)).rejects.toThrow('SB_ERR_AUTH_FORBIDDEN');
  });

  it('serves live queues and agent states over the API', async () => {
    const h = await start();
    await online(h, await tokenFor(h.app, h.db, 'agent2'), 'away');
    await busyAgent(h.db, 'floor', { general: 1 });
    await callForAgent(h, unknown(7));
    const queues = await h.http.get('/api/queues').set(await h.auth('supervisor1')).expect(200);
    expect(queues.body.queues).toEqual([expect.objectContaining({ skill: 'general', tier: 'STANDARD', waiting: 1 })]);
    expect(queues.body.skills[0]).toEqual(expect.objectContaining({ skill: 'general', waiting: 1 }));
    const agents = await h.http.get('/api/agents').set(await h.auth('supervisor1')).expect(200);
    expect(agents.body.agents.find((a: { username: string }) => a.username === 'agent2')).toEqual(expect.objectContaining({ state: 'away', reason: 'break', online: true }));
    await h.http.put('/api/agents/me/state').set(await h.auth('supervisor1')).send({ state: 'available' }).expect(403);
  });

  it('a blind transfer to a skill re-queues the caller with the pop; the first agent goes to wrap-up', async () => {
    const h = await start();
    const a1 = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const caller = await callForAgent(h, GOLD);
    const offer = await a1.next('call:offered');
    await a1.request('call:accept', { entry_id: offer.entry_id });
    await a1.next('call:connected');
    const a2 = await online(h, await tokenFor(h.app, h.db, 'agent2'));
    await a1.request('call:transfer', { to: 'skill', skill: 'cards' });
    await a1.next('call:ended', (p) => p.reason === 'transferred');
    await a1.next('agent:state', (s) => s.state === 'wrap_up');
    const second = await a2.next('call:offered');
    expect(second.interaction_id).toBe(offer.interaction_id);
    expect(second.skill).toBe('cards');
    expect(second.profile.customer_id).toBe(3);
    await a2.request('call:accept', { entry_id: second.entry_id });
    await a2.next('call:connected');
    await caller.waitFor('conference');
    const { events } = await timelineOf(h, caller.sid);
    expect(events.filter((e) => e.type === 'connected')).toHaveLength(2);
    expect(events.find((e) => e.type === 'transferred')?.data).toMatchObject({ mode: 'blind', to: { to: 'skill', skill: 'cards' } });
  });

  it('a consult transfer rings the relationship manager in while the caller holds, then hands over', async () => {
    const h = await start();
    const rmId = (await h.db('customers').where({ id: 1 }).first('rm_id')).rm_id as number;
    await h.db('customers').where({ id: 3 }).update({ rm_id: rmId });
    const a1 = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    await callForAgent(h, GOLD);
    const offer = await a1.next('call:offered');
    await a1.request('call:accept', { entry_id: offer.entry_id });
    await a1.next('call:connected');
    const rmUser = await h.db('users').where({ rm_id: rmId }).first('username');
    const rm = await online(h, await tokenFor(h.app, h.db, rmUser.username));
    await a1.request('call:transfer', { to: 'rm' });
    const consult = await rm.next('call:consult');
    expect(consult.profile.customer_id).toBe(3);
    await a1.next('call:consult_joined');
    await a1.request('call:transfer_complete');
    await a1.next('call:ended', (p) => p.reason === 'transferred');
    await rm.next('call:connected');
    const entry = await h.db('queue_entries').where({ id: offer.entry_id }).first();
    expect(entry.agent_id).toBe(rm.id);
    expect(entry.held).toBe(false);
    await rm.request('call:end');
    await rm.next('agent:state', (s) => s.state === 'wrap_up');
  });

  it('two server nodes route one burst of calls with no double assignment and no lost call', { timeout: 90_000 }, async () => {
    const h = await start({ ROUTING_OFFER_SECONDS: '20' });
    const b = await startSecondNode(h, { ...FAST, ROUTING_OFFER_SECONDS: '20' }, { now: OPEN });
    try {
      const staff = await makeAgents(h.app, h.db, 'burst', 6, { general: 2 });
      const agents = await Promise.all(staff.map(async (who, i) => {
        // Heartbeats as the console sends them: the burst may outlast one presence lease on a loaded machine.
        const c = await connectAgent(i % 2 ? b.url : h.url, who.token, who.id, { heartbeatMs: 2000 });
        floor.track(c);
        await c.next('agent:restore');
        await c.request('state:set', { state: 'available' });
        return c;
      }));
      const callers = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        routeHotlineTo(h, i % 2 ? b.url : h.url);
        return callForAgent(h, unknown(100 + i));
      }));
      // Every agent serves calls until all ten have been answered: accept, end, wrap up, next.
      const served = new Map<string, number>();
      await Promise.all(agents.map(async (agent) => {
        while ([...served.values()].reduce((n, x) => n + x, 0) < callers.length) {
          const offer = await agent.next('call:offered', () => true, 20_000).catch(() => null);
          if (!offer) break;
          served.set(offer.interaction_id, (served.get(offer.interaction_id) ?? 0) + 1);
          await agent.request('call:accept', { entry_id: offer.entry_id });
          await agent.next('call:connected');
          await agent.request('call:end');
          await agent.next('agent:state', (s) => s.state === 'wrap_up');
          await agent.request('wrapup:complete', { disposition: 'resolved' });
        }
      }));
      expect(served.size).toBe(callers.length);
      expect([...served.values()].every((n) => n === 1)).toBe(true);
      for (const c of callers) {
        const { events } = await timelineOf(h, c.sid);
        expect(events.filter((e) => e.type === 'accepted')).toHaveLength(1);
      }
      // An agent never held two calls: each offer found the agent available, as its state history shows.
      const history = await h.db('agent_state_events').whereIn('agent_id', staff.map((s) => s.id)).orderBy('id');
      for (const s of staff) {
        const mine = history.filter((e) => e.agent_id === s.id).map((e) => e.state);
        for (let i = 1; i < mine.length; i++) if (mine[i] === 'reserved') expect(mine[i - 1]).toBe('available');
      }
    } finally {
      floor.closeConsoles();
      await b.close();
    }
  });
});
