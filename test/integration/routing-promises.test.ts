import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { canServe, type OverflowTiming } from '../../server/modules/routing/routing-policy.js';
import { parseServiceLevels } from '../../server/modules/routing/service-levels.js';
import { busyAgent, makeAgents, tokenFor } from '../helpers/agents.js';
import { dialToQueue, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, LOST_CARD_LINE, type Hotline } from '../helpers/hotline.js';
import { clockFrom, until } from '../helpers/wait.js';

// What the hotline promises about waiting, kept by routing: a flow's priority reaches the queue,
// overflow follows the tier's target, a failed agent leg sends the caller straight back, a transfer
// never strands, and nobody waits while an agent who may take them sits free.

const floor = hotlinePerTest();

const PRIVATE = '+8613800000001';
const GOLD = '+8613800000003';
const FAST = { ROUTING_SWEEP_MS: '200', ROUTING_OFFER_SECONDS: '5' };

// A Wednesday at 10:00 in Shanghai.
const clock = clockFrom('2026-11-18T02:00:00Z');

const start = (env: Record<string, string> = {}) => floor.start({ ...FAST, ...env }, { now: clock.now });

const online = (h: Hotline, who: { id: number; token: string }) => floor.online(h, who);

const dialThrough = dialToQueue;
const unknown = (n: number) => `+86139${String(20_000_000 + n).slice(-8)}`;
const entryOf = (h: Hotline, sid: string) => h.db('queue_entries').where({ call_sid: sid }).orderBy('id', 'desc').first();

describe('routing keeps the hotline\'s promises', () => {
  it('a STANDARD caller who lost a card is served before GOLD callers who arrived just before', async () => {
    const h = await start();
    await busyAgent(h.db, 'floor', { general: 1, cards: 1 });
    const gold = await dialThrough(h, GOLD, HOTLINE, ['1', '0']);
    // An unknown caller on the card-loss line whose account number is not found: the card team, as a priority.
    const lost = await dialThrough(h, unknown(1), LOST_CARD_LINE, ['1', '123456789012#']);
    expect(lost.heard().join('\n')).toMatch(/优先/);
    const [lostEntry, goldEntry] = [await entryOf(h, lost.sid), await entryOf(h, gold.sid)];
    expect(lostEntry).toMatchObject({ skill: 'cards', tier: 'STANDARD', priority: 600 });
    expect(new Date(lostEntry.priority_at).getTime()).toBeLessThan(new Date(goldEntry.priority_at).getTime());

    const [a] = await makeAgents(h.app, h.db, 'both', 1, { general: 1, cards: 1 });
    const agent = await online(h, a!);
    const first = await agent.next('call:offered', undefined, 15_000);
    expect(first.entry_id).toBe(String(lostEntry.id));
    expect(first.tier).toBe('STANDARD');
  });

  it('a PRIVATE caller with no private-banking agent free reaches a general agent within the tier\'s 10 s target', async () => {
    const h = await start({ ROUTING_OVERFLOW_SECONDS: '60' });
    await busyAgent(h.db, 'pb', { private_banking: 1 });
    const [g] = await makeAgents(h.app, h.db, 'gen', 1, { general: 1 });
    const general = await online(h, g!);
    const caller = await dialThrough(h, PRIVATE, HOTLINE, ['1']);
    const offer = await general.next('call:offered', undefined, 20_000);
    const entry = await entryOf(h, caller.sid);
    expect(offer.entry_id).toBe(String(entry.id));
    expect(offer.why.rule).toBe('overflow');
    // Offered by the policy's clock: within the target, not after 60 s a step.
    const waited = (new Date(entry.offered_at).getTime() - new Date(entry.enqueued_at).getTime()) / 1000;
    expect(waited).toBeLessThanOrEqual(10);
  });

  it('an agent leg that fails sends the caller back in their place at once, with a word, and the agent away', async () => {
    // The connect timer is long: only the leg's own status can bring the caller back this soon.
    const h = await start({ ROUTING_CONNECT_SECONDS: '120', ROUTING_OFFER_SECONDS: '30' });
    const a1 = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    h.sim.setPeer(`client:agent_${a1.id}`, 'busy');
    const caller = await dialThrough(h, unknown(2), HOTLINE, ['1', '0']);
    const offer = await a1.next('call:offered');
    const accepted = Date.now();
    await a1.request('call:accept', { entry_id: offer.entry_id });
    await a1.next('call:ended', (p) => p.reason === 'agent_leg_failed', 20_000);
    await a1.next('agent:state', (s) => s.state === 'away');
    await until('the caller back in line', async () => (await entryOf(h, caller.sid))?.state === 'waiting');
    expect(Date.now() - accepted).toBeLessThan(60_000);
    const entries = await h.db('queue_entries').where({ call_sid: caller.sid }).orderBy('id');
    expect(entries.map((e) => e.state)).toEqual(['failed', 'waiting']);
    expect(new Date(entries[1].enqueued_at).getTime()).toBe(new Date(entries[0].enqueued_at).getTime());
    await expect.poll(() => caller.heard().join('\n'), { timeout: 10_000 }).toMatch(/稍候|重新/);
  });

  it('a caller sent back to the queue whose new place another node already offered is put in line, not hung up', async () => {
    const h = await start({ ROUTING_OFFER_SECONDS: '30' });
    const a1 = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const caller = await dialThrough(h, unknown(3), HOTLINE, ['1', '0']);
    const offer = await a1.next('call:offered');
    const e = await entryOf(h, caller.sid);
    expect(e.state).toBe('offered');
    // The redirect a failed agent leg sends (back in line, keeping the place) reaching Twilio after routing offered that place.
    const url = `${h.url}/twilio/voice/requeue?entry=${offer.entry_id}&step=${(await h.db('calls').where({ sid: caller.sid }).first()).step}&why=agent_unreachable`;
    const params = { CallSid: caller.sid, AccountSid: h.accountSid, From: unknown(3), To: HOTLINE, CallStatus: 'in-progress' };
    const res = await fetch(url, { method: 'POST', body: new URLSearchParams(params).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(h.authToken, url, params) } });
    const twiml = await res.text();
    expect(twiml).toContain('<Enqueue');
    expect(twiml).not.toContain('<Hangup');
    // The offer still stands: the agent takes the caller.
    await a1.request('call:accept', { entry_id: offer.entry_id });
    await a1.next('call:connected', undefined, 20_000);
    await caller.hangup();
  });

  it('a transfer to an agent who is away or unknown is refused with a code, and the caller stays with the agent', async () => {
    const h = await start();
    const a1 = await online(h, await tokenFor(h.app, h.db, 'agent1'));
    const a2 = await floor.online(h, await tokenFor(h.app, h.db, 'agent2'), 'away');
    const caller = await dialThrough(h, unknown(3), HOTLINE, ['1', '0']);
    const offer = await a1.next('call:offered');
    await a1.request('call:accept', { entry_id: offer.entry_id });
    await a1.next('call:connected');
    await expect(a1.request('call:transfer', { to: 'agent', agent_id: a2.id })).rejects.toThrow('SB_ERR_TRANSFER_TARGET_UNAVAILABLE');
    await expect(a1.request('call:transfer', { to: 'agent', agent_id: 999_999 })).rejects.toThrow('SB_ERR_TRANSFER_TARGET_INVALID');
    expect((await entryOf(h, caller.sid)).state).toBe('connected');
    await caller.waitFor('conference');
  });
});

describe('nobody waits for nobody', () => {
  it('no caller waits a second while an agent who may take them by policy is free (routing miss = 0)', { timeout: 90_000 }, async () => {
    const h = await start({ ROUTING_OFFER_SECONDS: '10' });
    const timing: OverflowTiming = { overflowSeconds: h.config.ROUTING_OVERFLOW_SECONDS, levels: parseServiceLevels(h.config.SERVICE_LEVELS), rmWaitSeconds: h.config.ROUTING_RM_WAIT_SECONDS };
    const made = [
      ...(await makeAgents(h.app, h.db, 'gen', 2, { general: 1 })),
      ...(await makeAgents(h.app, h.db, 'card', 1, { cards: 1, general: 1 })),
    ];
    // Agents who take every offer and end each call after a moment, then wrap up at once.
    const agents = await Promise.all(made.map((m) => online(h, m)));
    let stop = false;
    const work = agents.map(async (a) => {
      while (!stop) {
        const offer = await a.next('call:offered', undefined, 1000).catch(() => null);
        if (!offer) continue;
        await a.request('call:accept', { entry_id: offer.entry_id }).catch(() => undefined);
        await a.next('call:connected', undefined, 10_000).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
        await a.request('call:end').catch(() => undefined);
        await a.next('agent:state', (s) => s.state === 'wrap_up', 10_000).catch(() => undefined);
        await a.request('wrapup:complete', { disposition: 'resolved' }).catch(() => undefined);
      }
    });

    // A burst of callers of both kinds, some hanging up while they wait.
    const callers: ReturnType<Hotline['sim']['dial']>[] = [];
    const dialing = (async () => {
      for (let i = 0; i < 16; i++) {
        callers.push(i % 4 === 0
          ? h.sim.dial({ from: unknown(100 + i), to: LOST_CARD_LINE })
          : h.sim.dial({ from: unknown(100 + i), to: HOTLINE }));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const answerMenus = (async () => {
      const done = new Set<string>();
      while (!stop) {
        for (const c of callers) {
          if (done.has(c.sid) || c.state !== 'gathering') continue;
          done.add(c.sid);
          void (async () => {
            if (c.to === LOST_CARD_LINE) { await c.press('1'); await c.waitFor('gathering'); await c.press('123456789012#'); } else { await c.press('1'); await c.waitFor('gathering'); await c.press('0'); }
          })().catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    // Sample: a waiting caller and a free agent who may take them, seen together in two samples more
    // than a second apart, is a miss. Measured conservatively, from the end of the first sample's
    // reads to the start of the later one's, so a slow read never counts against the server.
    const firstSeen = new Map<string, number>();
    const misses: string[] = [];
    let samples = 0;
    let longest = 0;
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      const readFrom = Date.now();
      const [waiting, free] = await Promise.all([
        h.db('queue_entries').where({ state: 'waiting' }).whereNotNull('call_sid'),
        h.db('agents as a').join('users as u', 'u.id', 'a.user_id').where({ 'a.state': 'available' }).where('a.lease_until', '>', clock.now()).select('a.user_id', 'a.skills', 'a.languages', 'u.rm_id', 'a.idle_since'),
      ]);
      const readTo = Date.now();
      const now = clock.now();
      samples++;
      const pairs = new Set<string>();
      for (const e of waiting) {
        for (const a of free) {
          if (canServe({ ...a, skills: typeof a.skills === 'string' ? JSON.parse(a.skills) : a.skills }, { ...e, declined_by: e.declined_by ?? [] }, now, timing)) pairs.add(`${e.id}:${a.user_id}`);
        }
      }
      for (const p of [...firstSeen.keys()]) if (!pairs.has(p)) firstSeen.delete(p);
      for (const p of pairs) {
        const since = firstSeen.get(p);
        if (since === undefined) { firstSeen.set(p, readTo); continue; }
        longest = Math.max(longest, readFrom - since);
        if (readFrom - since > 1000 && !misses.includes(p)) misses.push(p);
      }
      if (callers.length === 16 && waiting.length === 0 && Number((await h.db('queue_entries').whereNotNull('agent_id').countDistinct<{ n: string }[]>('call_sid as n'))[0]!.n) === 16) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    stop = true;
    await dialing;
    await Promise.all([...work, answerMenus]);
    expect(samples).toBeGreaterThan(20);
    // Every caller was served by an agent.
    const served = await h.db('queue_entries').whereIn('state', ['connected', 'ended']).whereNotNull('agent_id').countDistinct<{ n: string }[]>('call_sid as n');
    expect(Number(served[0]!.n)).toBe(16);
    process.stdout.write(`routing miss: ${misses.length} in ${samples} samples; the longest a servable caller was seen waiting: ${longest} ms\n`);
    expect(misses).toEqual([]);
  });
});
