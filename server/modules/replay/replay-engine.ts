import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { pino } from 'pino';
import type { Calendar } from '../../../ivr/flow-schema.js';
import { loadConfig, type Config } from '../../config.js';
import type { Notice } from '../../lib/realtime-notices.js';
import { createAgentsService } from '../agents/agents-service.js';
import { createCustomersService } from '../customers/customers-service.js';
import type { ContactsRow } from '../reports/reports-schemas.js';
import { createReportsService } from '../reports/reports-service.js';
import { createConversationService } from '../routing/conversation-service.js';
import { createRoutingService, routingPolicy } from '../routing/routing-service.js';
import { serviceLevelShare } from '../routing/service-levels.js';
import type { VoiceControl } from '../telephony/voice-control.js';
import { DEFAULT_TIER_MODEL } from '../tiers/tier-model.js';
import { createTiersService } from '../tiers/tiers-service.js';
import { createUser } from '../users/users-service.js';
import type { Arrival, ReplayConfig } from './replay-day.js';
import { openCaller } from './replay-repository.js';

/** Who is staffed from `at` until the next step: agents per team. */
export interface StaffingStep {
  at: Date;
  until: Date;
  agents: Record<string, number>;
}

/** What the day came to under one configuration: the reports' own figures from the replay's database. */
export interface ReplayResult {
  /** Per tier, then the total (key null): the contacts report over the whole day. */
  tiers: ContactsRow[];
  /** Per staffing step: the contacts report's total over the step, the load, and the agents staffed. */
  steps: { step: StaffingStep; figures: ContactsRow | null; arrivals: Arrival[] }[];
  /** Agents' time at work: seconds per state summed over everyone. */
  agentSeconds: Record<string, number>;
  /** Callers sent to their flow's fallback because nobody could serve their queue any more. */
  turnedAway: number;
  /** The settings the routing ran with. */
  settings: Config;
}

const DAY_MS = 86_400_000;
/** Seconds between sweeps while callers wait: what notices a queue nobody can serve (the matcher's own wake-ups are exact). */
const SWEEP_SECONDS = 5;
/** Longer than any replayed day: the agents' consoles never lapse. */
const LEASE_SECONDS = 7 * 86_400;

/** The staffing as steps over the day: overlapping intervals add up; a team absent from a step has nobody. */
export function staffingSteps(config: ReplayConfig, day: Date): StaffingStep[] {
  const at = (hhmm: string) => new Date(day.getTime() + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60_000);
  const edges = [...new Set(config.staffing.flatMap((s) => [at(s.from).getTime(), at(s.to).getTime()]))].sort((a, b) => a - b);
  const steps: StaffingStep[] = [];
  for (let i = 0; i < edges.length - 1; i++) {
    const [from, until] = [edges[i]!, edges[i + 1]!];
    const agents: Record<string, number> = {};
    for (const s of config.staffing.filter((x) => at(x.from).getTime() <= from && at(x.to).getTime() >= until)) {
      for (const [team, n] of Object.entries(s.agents)) agents[team] = (agents[team] ?? 0) + n;
    }
    steps.push({ at: new Date(from), until: new Date(until), agents });
  }
  return steps;
}

/** A time-ordered agenda: equal times run in the order they were scheduled, so a replay always runs the same way. */
function agenda() {
  const heap: { at: number; seq: number; run: () => Promise<void> }[] = [];
  let seq = 0;
  const before = (a: (typeof heap)[number], b: (typeof heap)[number]) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  return {
    add(at: number, run: () => Promise<void>) {
      heap.push({ at, seq: seq++, run });
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!before(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    },
    next() {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          const [l, r] = [2 * i + 1, 2 * i + 2];
          let m = i;
          if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!];
          i = m;
        }
      }
      return top;
    },
    get size() { return heap.length; },
  };
}

/**
 * Replays a day of arrivals under one configuration through the real routing and conversation
 * services, on `db` (a private, freshly migrated database: the replay writes calls, agents and
 * events into it), with a simulated clock that jumps from one event to the next. Agents accept
 * every offer after `answer_seconds`, talk for the call's handle time less `wrap_seconds`, then
 * wrap up; a caller with a patience hangs up once it runs out. The line itself is simulated: the
 * caller and the agent are in the call's conference the moment it is connected.
 */
export async function replayDay(db: Knex, arrivals: Arrival[], config: ReplayConfig, opts: { day: Date; calendars: Record<string, Calendar> }): Promise<ReplayResult> {
  const settings = loadConfig(Object.fromEntries(Object.entries(config.settings ?? {}).map(([k, v]) => [k, String(v)])), {}, { telephony: false });
  const answerSeconds = config.answer_seconds ?? 2;
  if (answerSeconds >= settings.ROUTING_OFFER_SECONDS) throw new RangeError(`answer_seconds (${answerSeconds}) must be below ROUTING_OFFER_SECONDS (${settings.ROUTING_OFFER_SECONDS}): every offer would expire`);
  const wrapSeconds = config.wrap_seconds ?? 0;
  const steps = staffingSteps(config, opts.day);

  let now = new Date(Math.min(arrivals[0]?.at.getTime() ?? Infinity, steps[0]?.at.getTime() ?? Infinity));
  const clock = () => now;
  const log = pino({ level: 'warn' });
  const todo = agenda();
  const at = (seconds: number) => now.getTime() + seconds * 1000;

  // What the sockets would carry: offers are answered; the rest only matters to a screen.
  const offers: { agentId: number; entryId: string; interactionId: string }[] = [];
  const notify = (notices: Notice[]) => {
    for (const n of notices) {
      if (n.event !== 'call:offered' || !('agentId' in n)) continue;
      const offer = n.payload as { entry_id: string; interaction_id: string };
      offers.push({ agentId: n.agentId, entryId: offer.entry_id, interactionId: offer.interaction_id });
    }
  };
  // The simulated line: connecting a caller puts them in the conference at once; ringing an agent in gives a leg that answers.
  const joins: { entryId: string; callerSid: string }[] = [];
  const voice: VoiceControl = {
    connect: async (c) => { joins.push(c); },
    addLeg: async (c) => `CAleg${c.entryId}`,
    hold: async () => undefined,
    requeue: async () => undefined,
    closeQueue: async () => undefined,
    dropLeg: async () => undefined,
    addMonitor: async () => { throw new Error('no supervisor listens in a replay'); },
    setMonitor: async () => undefined,
    endConference: async () => undefined,
    hangup: async () => undefined,
  };

  const customers = createCustomersService({ db, tiers: createTiersService(DEFAULT_TIER_MODEL) });
  let wakeToken = 0;
  let turnedAway = 0;
  const waiting = new Set<string>(); // call sids in line (not yet with an agent, not gone)
  const routing = createRoutingService({
    db, customers, notify, log, now: clock, policy: routingPolicy(settings, opts.calendars),
    // The matcher's wake-ups (a waiting call widening to more agents) are events on the replay's clock.
    wakeAt: (when) => {
      const token = ++wakeToken;
      if (when) todo.add(Math.max(when.getTime(), now.getTime()), async () => { if (token === wakeToken) await routing.kick(); });
    },
    unservable: async (e) => {
      if (!e.call_sid || !waiting.has(e.call_sid)) return;
      notify(await db.transaction((trx) => routing.callerLeft(trx, e.call_sid!, 'unavailable')));
      waiting.delete(e.call_sid);
      turnedAway++;
    },
  });
  const conversation = createConversationService({ db, connectSeconds: settings.ROUTING_CONNECT_SECONDS, customers, routing, voice, notify, log, now: clock });
  const agents = createAgentsService({ db, leaseSeconds: LEASE_SECONDS, notify, onAvailable: () => undefined, now: clock });

  // The floor: as many agents per team as the busiest step needs, made once.
  const admin = await createUser(db, { username: 'replay-admin', password: randomBytes(18).toString('base64url'), role: 'admin' });
  const adminClaims = { sub: String(admin.id), username: admin.username, role: admin.role, rm_id: null };
  const pool = new Map<string, { id: number; claims: typeof adminClaims }[]>();
  for (const [team, def] of Object.entries(config.teams)) {
    const most = Math.max(0, ...steps.map((s) => s.agents[team] ?? 0));
    const people = [];
    for (let i = 1; i <= most; i++) {
      const u = await createUser(db, { username: `${team}-${i}`, password: randomBytes(18).toString('base64url'), role: 'agent' });
      await agents.configure(u.id, { skills: def.skills, languages: def.languages ?? ['zh'], team }, adminClaims);
      people.push({ id: u.id, claims: { sub: String(u.id), username: u.username, role: u.role, rm_id: null } });
    }
    pool.set(team, people);
  }
  const leaving = new Set<number>(); // agents past their shift, to sign off after the call in hand

  async function signOff(agent: { id: number; claims: typeof adminClaims }) {
    const state = (await conversation.digest(agent.id))?.state;
    if (state === 'available' || state === 'away') {
      await agents.setState(agent.id, { state: 'offline' }, agent.claims);
      leaving.delete(agent.id);
    } else if (state !== 'offline') leaving.add(agent.id);
  }

  for (const step of steps) {
    todo.add(step.at.getTime(), async () => {
      for (const [team, people] of pool) {
        const want = step.agents[team] ?? 0;
        for (const [i, agent] of people.entries()) {
          if (i < want) {
            leaving.delete(agent.id);
            await agents.heartbeat(agent.id);
            if ((await conversation.digest(agent.id))?.state === 'offline') await agents.setState(agent.id, { state: 'available' }, agent.claims);
          } else await signOff(agent);
        }
      }
    });
  }
  // The last step's end: everyone signs off (once their call is done).
  const close = steps.at(-1)?.until;
  if (close) todo.add(close.getTime(), async () => { for (const people of pool.values()) for (const a of people) await signOff(a); });

  let sweeping = false;
  function sweepSoon() {
    if (sweeping) return;
    sweeping = true;
    todo.add(at(SWEEP_SECONDS), async () => {
      sweeping = false;
      await routing.sweep();
      if (waiting.size > 0) sweepSoon();
    });
  }

  const byAgent = new Map<number, { agent: { id: number; claims: typeof adminClaims } }>();
  for (const people of pool.values()) for (const a of people) byAgent.set(a.id, { agent: a });

  async function answer(offer: { agentId: number; entryId: string }, talkSeconds: number, wrap: number) {
    try {
      await conversation.accept(offer.agentId, offer.entryId);
    } catch {
      return; // the caller hung up in the meantime: the offer is gone
    }
    for (const j of joins.splice(0)) {
      const room = `CFreplay${j.entryId}`;
      const caller = await db.transaction((trx) => conversation.conferenceEvent(trx, j.entryId, { event: 'participant-join', callSid: j.callerSid, conferenceSid: room }));
      notify(caller.notices);
      await caller.after?.();
      const agentLeg = await db.transaction((trx) => conversation.conferenceEvent(trx, j.entryId, { event: 'participant-join', callSid: `CAleg${j.entryId}`, conferenceSid: room }));
      notify(agentLeg.notices);
      waiting.delete(j.callerSid);
      todo.add(at(talkSeconds), async () => {
        notify(await db.transaction((trx) => conversation.callerDone(trx, j.callerSid, 'caller_hangup')));
        todo.add(at(wrap), async () => {
          await conversation.wrapup(offer.agentId, { disposition: 'resolved', reason_codes: [], products_discussed: [] });
          await routing.kick();
          const who = byAgent.get(offer.agentId);
          if (who && leaving.has(offer.agentId)) await signOff(who.agent);
        });
      });
    }
  }

  // What each caller needs, by their interaction.
  const needs = new Map<string, Arrival>();
  arrivals.forEach((a, i) => {
    todo.add(a.at.getTime(), async () => {
      const sid = `CAreplay${String(i).padStart(8, '0')}`;
      const interactionId = randomUUID();
      needs.set(interactionId, a);
      await db.transaction(async (trx) => {
        await openCaller(trx, { id: interactionId, callSid: sid, language: a.language, at: now });
        await routing.enqueue(trx, {
          interaction_id: interactionId, call_sid: sid, skill: a.skill, language: a.language, customer_id: null, tier: a.tier, priority: a.priority,
          ivr: { path: [], verified: false, self_service: [], reason: 'replay', skill: a.skill, language: a.language },
        });
      });
      waiting.add(sid);
      sweepSoon();
      if (a.patienceSeconds !== null) {
        todo.add(at(a.patienceSeconds), async () => {
          if (!waiting.has(sid)) return;
          notify(await db.transaction((trx) => routing.callerLeft(trx, sid, 'abandoned')));
          waiting.delete(sid);
        });
      }
    });
  });

  const horizon = (arrivals.at(-1)?.at.getTime() ?? now.getTime()) + DAY_MS;
  while (todo.size > 0) {
    const next = todo.next()!;
    if (next.at > horizon) break;
    now = new Date(Math.max(now.getTime(), next.at));
    await next.run();
    // Every change may free an agent or a caller: the matcher runs to rest before the clock moves on.
    await routing.kick();
    for (const offer of offers.splice(0)) {
      const need = needs.get(offer.interactionId);
      if (!need) continue;
      const wrap = Math.min(wrapSeconds, need.handleSeconds);
      todo.add(at(answerSeconds), () => answer(offer, need.handleSeconds - wrap, wrap));
    }
  }
  routing.stop();

  // The figures, as the supervisor's reports give them.
  const reports = createReportsService({ db, levels: routingPolicy(settings, opts.calendars).timing.levels, now: clock });
  const from = new Date(Math.min(opts.day.getTime(), arrivals[0]?.at.getTime() ?? opts.day.getTime()));
  const to = new Date(Math.max(now.getTime(), from.getTime()) + 1000);
  const range = { from: from.toISOString(), to: to.toISOString(), tz: 'UTC' };
  const byTier = (await reports.contacts({ ...range, interval: 'day', by: 'tier' })).rows;
  const total = (await reports.contacts({ ...range, interval: 'day', by: 'total' })).rows;
  const states = (await reports.agentStates({ ...range, interval: 'day' })).rows;
  const agentSeconds: Record<string, number> = {};
  for (const r of states) for (const [k, v] of Object.entries(r)) if (k.endsWith('_s') && typeof v === 'number') agentSeconds[k.slice(0, -2)] = (agentSeconds[k.slice(0, -2)] ?? 0) + v;

  return {
    tiers: [...sumByKey(byTier), ...sumByKey(total)],
    // Each step's report over exactly its span (a step need not start on a quarter hour).
    steps: await Promise.all(steps.map(async (step) => ({
      step,
      figures: sumByKey((await reports.contacts({ from: step.at.toISOString(), to: step.until.toISOString(), tz: 'UTC', interval: 'day', by: 'total' })).rows)[0] ?? null,
      arrivals: arrivals.filter((a) => a.at >= step.at && a.at < step.until),
    }))),
    agentSeconds,
    turnedAway,
    settings,
  };
}

/** Report rows of several buckets added up per key (counts summed; shares and averages recomputed from them). */
export function sumByKey(rows: ContactsRow[]): ContactsRow[] {
  const out = new Map<string | null, ContactsRow>();
  for (const r of rows) {
    const o = out.get(r.key);
    if (!o) { out.set(r.key, { ...r }); continue; }
    const asaSum = (o.asa_s ?? 0) * o.answered + (r.asa_s ?? 0) * r.answered;
    for (const k of ['offered', 'answered', 'abandoned', 'answered_within_target', 'abandoned_after_target', 'handled'] as const) o[k] += r[k];
    o.asa_s = o.answered === 0 ? null : asaSum / o.answered;
    o.service_level = serviceLevelShare(o.answered_within_target, o.answered, o.abandoned_after_target);
  }
  return [...out.values()];
}
