import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { agentStateNotice, type Notice } from '../../lib/realtime-notices.js';
import { recordAudit } from '../audit/audit-repository.js';
import { lapsedAgents, transition } from '../agents/agents-repository.js';
import type { CustomersService } from '../customers/customers-service.js';
import { appendEvents } from '../interactions/interactions-repository.js';
import {
  anyoneStaffed, arrivalsByTier, callsAhead, estimateAccuracy, expiredOffers, recentCalls, queueSnapshot, findEntry, freeAgents, insertEntry, liveEntryOfCall,
  liveEntryOfCallback, lockCandidates, rmLoggedIn, skillFloor, skillLoad, staffedSkills, updateEntry, waitingPage,
  type EntryRow, type LockedCandidate,
} from './routing-repository.js';
import {
  allowedSkills, canServe, explain, nextWidening, overflowChain, overflowStep, parseHeadStarts, priorityAt, reachOf, rmWaitSeconds, ruleFor,
  type HeadStarts, type OverflowTiming, type RoutingRule,
} from './routing-policy.js';
import { parseServiceHours, type ServiceHours } from './service-hours.js';
import { parseServiceLevels } from './service-levels.js';
import { arrivalRate, estimateWait } from './wait-model.js';
import type { QueueStatus } from '../../../ivr/engine.js';
import type { Calendar } from '../../../ivr/flow-schema.js';
import type { Config } from '../../config.js';
import type { Profile } from '../customers/customers-schemas.js';
import type { CallbackPop, CallOffer, CampaignPop, IvrFindings } from './routing-schemas.js';
import { metrics } from '../../lib/metrics.js';
import { traceOffer } from '../../lib/tracing.js';

export interface RoutingPolicy {
  headStarts: HeadStarts;
  offerSeconds: number;
  leaseSeconds: number;
  /** Overflow steps and the relationship-manager wait, bounded by each tier's service-level target. */
  timing: OverflowTiming;
  /** The hours each skill's agents keep. */
  hours: ServiceHours;
}

type PolicyConfig = Pick<Config, 'ROUTING_TIER_HEADSTART' | 'ROUTING_OFFER_SECONDS' | 'AGENT_LEASE_SECONDS' | 'ROUTING_OVERFLOW_SECONDS' | 'SERVICE_LEVELS' | 'ROUTING_RM_WAIT_SECONDS' | 'SERVICE_HOURS'>;

/** The routing policy a configuration describes (the server, the benches and the what-if replay read it the same way). */
export function routingPolicy(config: PolicyConfig, calendars: Record<string, Calendar>): RoutingPolicy {
  return {
    headStarts: parseHeadStarts(config.ROUTING_TIER_HEADSTART), offerSeconds: config.ROUTING_OFFER_SECONDS, leaseSeconds: config.AGENT_LEASE_SECONDS,
    timing: { overflowSeconds: config.ROUTING_OVERFLOW_SECONDS, levels: parseServiceLevels(config.SERVICE_LEVELS), rmWaitSeconds: config.ROUTING_RM_WAIT_SECONDS },
    hours: parseServiceHours(config.SERVICE_HOURS, calendars),
  };
}

/** What routing needs of callbacks (the callbacks module implements it; wired in app.ts). */
export interface CallbackHooks {
  /** customer_first: a callback's turn dials the customer, who is put in line once they answer. */
  customerFirst: boolean;
  /** Dials the customer of a callback entry the matcher set `dialing` (after its commit). */
  dial(entryId: string): Promise<void>;
}

export interface RoutingDeps {
  db: Knex;
  customers: CustomersService;
  policy: RoutingPolicy;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  callbacks?: () => CallbackHooks | null;
  /** Takes a waiting caller out of a queue nobody can serve any more (their flow's fallback runs). */
  unservable?: (entry: EntryRow) => Promise<void>;
  now?: () => Date;
  /**
   * Wakes the matcher at `at` (null: no wake-up pending), when the next waiting call widens to more
   * agents. A real timer by default; a simulated clock (the what-if replay) schedules it itself.
   */
  wakeAt?: (at: Date | null) => void;
}

/** Handle time assumed until a queue has answered calls of its own (seconds). */
export const DEFAULT_HANDLE_SECONDS = 180;
/** Arrival rate is measured over this window. */
export const LOAD_WINDOW_SECONDS = 900;
/** Higher-tier callers who will overtake are forecast from this recent a window: short, so a quiet spell does not linger. */
const OVERTAKE_WINDOW_SECONDS = 300;
/** A queue left with nobody to serve it for this long sends its waiting callers to their fallback. */
export const UNSERVED_GRACE_SECONDS = 30;
const PAGE = 500;
const TRACE_CANDIDATES = 5;

/** What the agent's screen shows when a call is offered: the pop, prepared before the offer. */
export function offerPayload(e: EntryRow, now: Date, why: { rule: RoutingRule; text: string; candidates: unknown[] } | null): CallOffer {
  return {
    entry_id: String(e.id),
    interaction_id: e.interaction_id,
    state: e.state,
    skill: e.skill,
    tier: e.tier,
    language: e.language,
    customer_id: e.customer_id,
    // All of these were written from these very shapes at enqueue (jsonb reads back untyped).
    profile: e.profile as Profile | null,
    ivr: e.ivr as IvrFindings,
    campaign: (e.campaign as CampaignPop | null | undefined) ?? null,
    callback: (e.callback as CallbackPop | null | undefined) ?? null,
    waited_s: Math.round((now.getTime() - new Date(e.enqueued_at).getTime()) / 1000),
    expires_at: e.offer_expires_at ? new Date(e.offer_expires_at).toISOString() : null,
    held: e.held,
    why,
  };
}

export interface EnqueueInput {
  interaction_id: string;
  /** Null for a callback whose customer is not dialled yet. */
  call_sid: string | null;
  skill: string;
  language: string;
  customer_id: number | null;
  tier: string | null;
  ivr: Record<string, unknown>;
  /** The flow's boost: seconds of head start on top of the tier's. */
  priority?: number;
  target_agent_id?: number | null;
  /** Keeps the caller's place: when they first joined the queue (a failed connection goes back in line). */
  since?: Date;
  /** A campaign call going back to a queue keeps its script, offer and dispositions. */
  campaign?: Record<string, unknown> | null;
  /** A callback's request, and its pop. */
  callback_id?: string | null;
  callback?: Record<string, unknown> | null;
}

/**
 * Matches waiting calls with agents. All state is in PostgreSQL: a match claims the call and the
 * agent in one transaction with SKIP LOCKED, so several nodes can run passes at once without
 * ever giving one call to two agents or two calls to one agent, and a node that dies mid-pass
 * leaves nothing half done. Offers that nobody answers expire back to the queue.
 */
export function createRoutingService(deps: RoutingDeps) {
  const { db, policy } = deps;
  const { timing, hours } = policy;
  const clock = deps.now ?? (() => new Date());

  /** The queueing model's wait for the next caller of a skill, and what it is based on (the queues API). */
  async function estimate(executor: Knex, skill: string, waitingNow: number, now: Date) {
    const load = await skillLoad(executor, skill, now, LOAD_WINDOW_SECONDS);
    const handleSeconds = load.handleSeconds ?? DEFAULT_HANDLE_SECONDS;
    const seconds = await waitFrom(executor, { skill, tier: 'STANDARD', priority_at: now, ahead: waitingNow }, now);
    return { seconds, handleSeconds, agents: load.agents, arrivals: load.arrivals };
  }

  /**
   * The wait still ahead of a caller of `tier` in `skill` whose priority time is `priority_at`,
   * with `ahead` callers before them (see wait-model.ts). Null when nobody of the skill works.
   */
  async function waitFrom(executor: Knex, c: { skill: string; tier: string; priority_at: Date; ahead: number }, now: Date): Promise<number | null> {
    const floor = await skillFloor(executor, c.skill, now);
    const calls = await recentCalls(executor, c.skill, now);
    const arrivals = await arrivalsByTier(executor, c.skill, now, OVERTAKE_WINDOW_SECONDS);
    const own = policy.headStarts[c.tier] ?? 0;
    // A caller of tier U arriving at s has priority s - head(U): ahead of this one while s < priority_at + head(U).
    const overtakers = Object.entries(policy.headStarts).filter(([, head]) => head > own).map(([tier, head]) => ({
      rate: arrivalRate(arrivals[tier]?.count ?? 0, arrivals[tier]?.firstAgoSeconds ?? 0, OVERTAKE_WINDOW_SECONDS),
      windowSeconds: (new Date(c.priority_at).getTime() + head * 1000 - now.getTime()) / 1000,
    }));
    const seconds = estimateWait({ ahead: c.ahead, free: floor.free, busyElapsed: floor.busyElapsed, handleSamples: calls.handle, answerSamples: calls.answer, defaultHandleSeconds: DEFAULT_HANDLE_SECONDS, overtakers });
    return seconds === null ? null : Math.round(seconds);
  }

  /** Whether the caller could be served in `skill` now: some skill of its chain within its hours, with an agent at work. */
  async function availability(executor: Knex, q: { skill: string; language: string; customer_id: number | null }, now = clock()): Promise<QueueStatus> {
    const chain = overflowChain(q.skill);
    const open = chain.filter((s) => hours.isOpen(s, now));
    if (open.length === 0) {
      const opens = chain.map((s) => hours.nextOpen(s, now)).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0];
      return { servable: false, reason: 'closed', opens_at: opens ? opens.toISOString() : null };
    }
    const rmId = q.customer_id === null ? null : ((await executor('customers').where({ id: q.customer_id }).first('rm_id'))?.rm_id as number | null | undefined) ?? null;
    const staffed = await anyoneStaffed(executor, { skills: open, language: q.language, rm_id: rmId }, now);
    return staffed ? { servable: true, reason: 'open', opens_at: null } : { servable: false, reason: 'unstaffed', opens_at: null };
  }

  type Claim = { notices: Notice[]; agentId: number } | { dial: string; agentId: number };

  /** One claim attempt for one waiting call; null when it is taken, or no agent may have it now. */
  async function tryMatch(entryId: string, now: Date): Promise<Claim | null> {
    return db.transaction(async (trx) => {
      const e = await findEntry(trx, entryId, { lock: 'skip' });
      if (!e || e.state !== 'waiting') return null;
      const waited = (now.getTime() - new Date(e.enqueued_at).getTime()) / 1000;
      let chosen: LockedCandidate[] = [];
      // The caller's own relationship manager first; a busy RM is worth a short wait.
      if (e.rm_id !== null && e.target_agent_id === null) {
        chosen = await lockCandidates(trx, e, [], now, 1, { rm_id: e.rm_id });
        if (chosen.length === 0 && waited < rmWaitSeconds(timing, e.tier) && (await rmLoggedIn(trx, e.rm_id, now))) return null;
      }
      const skills = allowedSkills(e.skill, waited, overflowStep(timing, e.tier, e.skill));
      if (chosen.length === 0) chosen = await lockCandidates(trx, e, skills, now, TRACE_CANDIDATES);
      // Agents who let this call pass come back into play once nobody else can take it.
      if (chosen.length === 0 && e.declined_by.length > 0) chosen = await lockCandidates(trx, e, skills, now, TRACE_CANDIDATES, undefined, false);
      const agent = chosen[0];
      if (!agent) return null;
      // Customer first: an agent is free for this callback, so ring the customer now; they join the
      // line in their place when they answer, and are offered like any caller.
      const hooks = deps.callbacks?.();
      if (e.callback_id !== null && e.call_sid === null && hooks?.customerFirst) {
        await updateEntry(trx, e.id, { state: 'dialing' });
        return { dial: String(e.id), agentId: agent.user_id };
      }
      const rule = ruleFor(agent, e);
      const why = {
        rule,
        text: explain(rule, agent, e),
        candidates: chosen.map((c) => ({ agent_id: c.user_id, level: c.level, idle_s: c.idle_since ? Math.round((now.getTime() - new Date(c.idle_since).getTime()) / 1000) : null })),
      };
      const expires = new Date(now.getTime() + policy.offerSeconds * 1000);
      await updateEntry(trx, e.id, { state: 'offered', agent_id: agent.user_id, offer_expires_at: expires, offers: e.offers + 1, ...(e.offered_at ? {} : { offered_at: now }) });
      await transition(trx, agent.user_id, 'reserved', { from: ['available'], entryId: e.id, at: now });
      await appendEvents(trx, e.interaction_id, [
        { type: 'routing_decision', data: { ...why, entry_id: e.id, waited_s: Math.round(waited), skill: e.skill, tier: e.tier, skills_allowed: skills }, at: now },
        { type: 'offered', data: { agent_id: agent.user_id, entry_id: e.id, expires_at: expires.toISOString() }, at: now },
      ]);
      if (e.customer_id !== null) {
        await recordAudit(trx, { actor: { sub: String(agent.user_id), username: agent.username, role: agent.role }, action: 'customer.view', customer_id: e.customer_id, purpose: 'call', call_sid: e.call_sid, details: { via: 'screen_pop', entry_id: e.id } });
      }
      const offered = { ...e, state: 'offered' as const, agent_id: agent.user_id, offer_expires_at: expires };
      return { agentId: agent.user_id, notices: [agentStateNotice(agent.user_id, 'reserved', null, now), { agentId: agent.user_id, event: 'call:offered', payload: offerPayload(offered, now, why) }] };
    });
  }

  // The next moment a waiting call widens to more agents: the matcher wakes then, not at its next sweep.
  let wake: NodeJS.Timeout | null = null;
  let stopped = false;
  function wakeAt(at: Date | null): void {
    if (deps.wakeAt) return deps.wakeAt(stopped ? null : at);
    if (wake) clearTimeout(wake);
    wake = null;
    if (!at || stopped) return;
    wake = setTimeout(() => { wake = null; void kick(); }, Math.max(0, at.getTime() - clock().getTime()) + 5);
    wake.unref();
  }

  /** One pass: the free agents against the waiting calls in priority order, until one side runs out. */
  async function matchPass(): Promise<number> {
    const now = clock();
    const free = await freeAgents(db, now);
    if (free.length === 0) { wakeAt(null); return 0; }
    // A customer-first callback being rung holds the agent it was dialled for (any one who may take it).
    for (const d of await db('queue_entries').where({ state: 'dialing' }).select('skill', 'tier', 'language', 'rm_id', 'target_agent_id', 'declined_by', 'enqueued_at') as EntryRow[]) {
      const i = free.findIndex((a) => canServe(a, { ...d, declined_by: [] }, now, timing));
      if (i >= 0) free.splice(i, 1);
    }
    // Calls none of these agents could take at any wait are not read at all.
    const reach = reachOf(free);
    let made = 0;
    let soonest: Date | null = null;
    let after: { priority_at: Date; id: string } | null = null;
    const dials: string[] = [];
    while (free.length > 0) {
      const page = await waitingPage(db, reach, after, PAGE);
      for (const e of page) {
        if (!free.some((a) => canServe(a, { ...e, declined_by: [] }, now, timing))) {
          const widens = nextWidening(e, now, timing);
          if (widens && (!soonest || widens < soonest)) soonest = widens;
          continue;
        }
        const timer = metrics.routingDecision.startTimer();
        const claim = await traceOffer(e.id, { 'switchboard.skill': e.skill, 'switchboard.tier': e.tier }, () => tryMatch(e.id, now));
        timer({ outcome: claim ? 'claimed' : 'none' });
        if (claim) {
          metrics.offers.inc({ kind: 'dial' in claim ? 'callback_dial' : 'offer' });
          made++;
          free.splice(free.findIndex((a) => a.user_id === claim.agentId), 1);
          if ('dial' in claim) dials.push(claim.dial);
          else deps.notify(claim.notices);
        }
        if (free.length === 0) break;
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = { priority_at: last.priority_at, id: last.id };
    }
    wakeAt(soonest);
    const hooks = deps.callbacks?.();
    for (const id of dials) await hooks?.dial(id).catch((err) => deps.log.error({ err, entry_id: id }, 'callback dial failed'));
    return made;
  }

  // One pass at a time per node; a kick during a pass asks for one more pass after it.
  let running: Promise<void> | null = null;
  let again = false;
  function kick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await matchPass();
        } while (again);
      } catch (err) {
        deps.log.error({ err }, 'routing pass failed');
      } finally {
        running = null;
      }
    })();
    return running;
  }

  /**
   * Offers nobody accepted in time go back to the queue; the agent goes to away (missed offer). A
   * call transferred to a named agent who let it pass goes to the skill's queue instead.
   */
  async function expireOffers(): Promise<void> {
    const now = clock();
    const notices = await db.transaction(async (trx) => {
      const out: Notice[] = [];
      for (const e of await expiredOffers(trx, now)) {
        metrics.expiries.inc();
        await updateEntry(trx, e.id, { state: 'waiting', agent_id: null, offer_expires_at: null, declined_by: [...e.declined_by, e.agent_id!], target_agent_id: null });
        await appendEvents(trx, e.interaction_id, [{ type: 'offer_expired', data: { agent_id: e.agent_id, entry_id: e.id, ...(e.target_agent_id !== null ? { to_skill: e.skill } : {}) }, at: now }]);
        if (await transition(trx, e.agent_id!, 'away', { from: ['reserved'], onlyEntry: e.id, reason: 'missed_offer', entryId: null, at: now })) {
          out.push({ agentId: e.agent_id!, event: 'call:offer_revoked', payload: { entry_id: String(e.id), reason: 'expired' } }, agentStateNotice(e.agent_id!, 'away', 'missed_offer', now));
        }
      }
      return out;
    });
    deps.notify(notices);
  }

  /** A call waiting for a named agent (a transfer, a "call back to me") who has not become free within the offer time: to the skill's queue. */
  async function releaseTargets(): Promise<void> {
    const now = clock();
    const stale: EntryRow[] = await db('queue_entries as e').where('e.state', 'waiting').whereNotNull('e.target_agent_id')
      .where('e.enqueued_at', '<', new Date(now.getTime() - policy.offerSeconds * 1000))
      .whereNotExists((q) => q.select(db.raw('1')).from('agents as a').whereRaw('a.user_id = e.target_agent_id').where('a.state', 'available').where('a.lease_until', '>', now))
      .select('e.*').limit(100);
    for (const s of stale) {
      await db.transaction(async (trx) => {
        const e = await findEntry(trx, s.id, { lock: 'skip' });
        if (!e || e.state !== 'waiting' || e.target_agent_id === null) return;
        await updateEntry(trx, e.id, { target_agent_id: null });
        await appendEvents(trx, e.interaction_id, [{ type: 'target_released', data: { entry_id: e.id, agent_id: e.target_agent_id, to_skill: e.skill }, at: now }]);
      });
    }
  }

  /** Agents whose console vanished (no heartbeat within the lease) go offline; an offer to them is re-routed. */
  async function expireLeases(): Promise<void> {
    const now = clock();
    for (const a of await lapsedAgents(db, now)) {
      const notices = await db.transaction(async (trx) => {
        const before = await transition(trx, a.user_id, 'offline', { from: [a.state], reason: 'lease_expired', entryId: null, at: now });
        if (!before) return [];
        if (before.state === 'reserved' && before.entry_id) {
          const e = await findEntry(trx, before.entry_id, { lock: 'wait' });
          if (e?.state === 'offered' && e.agent_id === a.user_id) {
            await updateEntry(trx, e.id, { state: 'waiting', agent_id: null, offer_expires_at: null });
            await appendEvents(trx, e.interaction_id, [{ type: 'offer_revoked', data: { agent_id: a.user_id, entry_id: e.id, reason: 'agent_offline' }, at: now }]);
          }
        }
        if (before.state === 'wrap_up' && before.entry_id) {
          const e = await findEntry(trx, before.entry_id);
          if (e) await appendEvents(trx, e.interaction_id, [{ type: 'wrapup_missing', data: { agent_id: a.user_id, entry_id: e.id }, at: now }]);
        }
        return [agentStateNotice(a.user_id, 'offline', 'lease_expired', now)];
      });
      deps.notify(notices);
    }
  }

  // Per node: since when each (skill, language) with callers waiting has had nobody to serve it.
  const unserved = new Map<string, number>();
  /** Callers waiting in a queue that nobody can serve any more (its agents left, its hours ended) go to their fallback. */
  async function sweepUnserved(): Promise<void> {
    if (!deps.unservable) return;
    const now = clock();
    const groups: { skill: string; language: string }[] = await db('queue_entries').where({ state: 'waiting' }).whereNotNull('call_sid').whereNull('campaign')
      .distinct('skill', 'language');
    const seen = new Set<string>();
    for (const g of groups) {
      const key = `${g.skill}|${g.language}`;
      seen.add(key);
      const status = await availability(db, { ...g, customer_id: null }, now);
      if (status.servable) {
        unserved.delete(key);
        continue;
      }
      const since = unserved.get(key) ?? now.getTime();
      unserved.set(key, since);
      if (now.getTime() - since < UNSERVED_GRACE_SECONDS * 1000) continue;
      const waiting: EntryRow[] = await db('queue_entries').where({ state: 'waiting', skill: g.skill, language: g.language }).whereNotNull('call_sid').whereNull('campaign').limit(100);
      for (const e of waiting) {
        // Their own relationship manager at work can still take them.
        if (e.rm_id !== null && (await anyoneStaffed(db, { skills: [], language: e.language, rm_id: e.rm_id }, now))) continue;
        await deps.unservable(e).catch((err) => deps.log.warn({ err, entry_id: e.id }, 'could not move a caller out of an unserved queue'));
      }
    }
    for (const key of [...unserved.keys()]) if (!seen.has(key)) unserved.delete(key);
  }

  return {
    kick,
    matchPass,
    estimate,
    availability,

    /** Stops the wake-up timer (the app is closing). */
    stop(): void {
      stopped = true;
      wakeAt(null);
    },

    /** Expire offers and leases, then route: what every node does every ROUTING_SWEEP_MS. */
    async sweep(): Promise<void> {
      await expireOffers();
      await releaseTargets();
      await expireLeases();
      await kick();
      await sweepUnserved();
    },

    /**
     * A call (or a callback) joins a queue: an entry with what the agent's pop will need, fetched
     * now while the caller still hears the IVR, so the offer does not wait on the database.
     */
    async enqueue(trx: Knex, c: EnqueueInput): Promise<string> {
      // A call waits in one queue at a time: a repeated enqueue (a retried or stale IVR turn) keeps the entry it has.
      const existing = c.callback_id ? await liveEntryOfCallback(trx, c.callback_id) : c.call_sid ? await liveEntryOfCall(trx, c.call_sid) : undefined;
      if (existing) return String(existing.id);
      const at = c.since ?? clock();
      const tier = c.tier ?? 'STANDARD';
      const priority = c.priority ?? 0;
      const customer = c.customer_id === null ? undefined : await trx('customers').where({ id: c.customer_id }).first('rm_id');
      const profile = c.customer_id === null ? null : ((await deps.customers.prefetchProfile(c.customer_id, trx)) ?? null);
      const priorityTime = priorityAt(at, tier, policy.headStarts, priority);
      const ahead = await trx('queue_entries').where({ state: 'waiting', skill: c.skill }).where('priority_at', '<', priorityTime).count<{ count: string }[]>('* as count').first();
      const predicted = await waitFrom(trx, { skill: c.skill, tier, priority_at: priorityTime, ahead: Number(ahead?.count ?? 0) }, clock());
      const rmId = (customer?.rm_id as number | null | undefined) ?? null;
      const id = await insertEntry(trx, {
        interaction_id: c.interaction_id, call_sid: c.call_sid, callback_id: c.callback_id ?? null, skill: c.skill, language: c.language, tier,
        customer_id: c.customer_id, rm_id: rmId, target_agent_id: c.target_agent_id ?? null,
        enqueued_at: at, priority_at: priorityTime, priority, profile: profile as Record<string, unknown> | null, ivr: c.ivr,
        estimated_wait_s: predicted, campaign: c.campaign ?? null, callback: c.callback ?? null,
      });
      await appendEvents(trx, c.interaction_id, [{ type: 'entered_queue', data: { entry_id: id, skill: c.skill, tier, priority, customer_id: c.customer_id, rm_id: rmId, estimated_wait_s: predicted, ...(c.callback_id ? { callback_id: c.callback_id } : {}) }, at: clock() }]);
      return id;
    },

    /**
     * Puts an outbound call a person answered (a campaign's) straight through to the agent chosen
     * for it: an entry already connecting to that agent, no offer to accept. The caller joins the
     * entry's conference and the agent is rung in, as for any call.
     */
    async assign(trx: Knex, c: EnqueueInput & { call_sid: string }, agent: { user_id: number; username: string; role: string }, connectSeconds: number): Promise<{ entryId: string; notices: Notice[] }> {
      const now = clock();
      const customer = c.customer_id === null ? undefined : await trx('customers').where({ id: c.customer_id }).first('rm_id');
      const profile = c.customer_id === null ? null : ((await deps.customers.prefetchProfile(c.customer_id, trx)) ?? null);
      const entryId = await insertEntry(trx, {
        interaction_id: c.interaction_id, call_sid: c.call_sid, callback_id: null, skill: c.skill, language: c.language, tier: c.tier ?? 'STANDARD',
        customer_id: c.customer_id, rm_id: (customer?.rm_id as number | null | undefined) ?? null, target_agent_id: agent.user_id, enqueued_at: now, priority_at: now, priority: 0,
        profile: profile as Record<string, unknown> | null, ivr: c.ivr, estimated_wait_s: null, campaign: c.campaign ?? null, callback: null,
      });
      await updateEntry(trx, entryId, { state: 'connecting', agent_id: agent.user_id, offers: 1, offered_at: now, offer_expires_at: new Date(now.getTime() + connectSeconds * 1000) });
      await transition(trx, agent.user_id, 'on_call', { from: ['available', 'reserved'], entryId, at: now });
      if (c.customer_id !== null) {
        await recordAudit(trx, { actor: { sub: String(agent.user_id), username: agent.username, role: agent.role as never }, action: 'customer.view', customer_id: c.customer_id, purpose: 'call', call_sid: c.call_sid, details: { via: 'assigned', entry_id: entryId } });
      }
      const entry = (await findEntry(trx, entryId))!;
      return { entryId, notices: [agentStateNotice(agent.user_id, 'on_call', null, now), { agentId: agent.user_id, event: 'call:assigned', payload: offerPayload(entry, now, null) }] };
    },

    /** Live queues per skill and tier, each staffed skill's model estimate (queues with nobody waiting too), and how good past estimates were. */
    async queues() {
      const now = clock();
      const [rows, accuracy, staffed] = await Promise.all([queueSnapshot(db, now), estimateAccuracy(db, now), staffedSkills(db, now)]);
      const skills = [...new Set([...rows.map((r) => r.skill as string), ...staffed])].sort();
      const perSkill = await Promise.all(skills.map(async (skill) => {
        const waiting = rows.filter((r) => r.skill === skill).reduce((n, r) => n + Number(r.waiting), 0);
        const model = await estimate(db, skill, waiting, now);
        const past = accuracy.find((a) => a.skill === skill);
        return {
          skill, waiting, agents_staffed: model.agents, arrivals_15m: model.arrivals, handle_s: Math.round(model.handleSeconds),
          estimated_wait_s: model.seconds,
          estimate_accuracy: past ? { calls: Number(past.calls), mean_estimated_s: Number(past.mean_estimated_s), mean_actual_s: Number(past.mean_actual_s) } : null,
        };
      }));
      return {
        at: now.toISOString(),
        queues: rows.map((r) => ({ skill: r.skill as string, tier: r.tier as string, waiting: Number(r.waiting), offered: Number(r.offered), longest_wait_s: Number(r.longest_wait_s) })),
        skills: perSkill,
      };
    },

    /** The wait ahead of a caller (or a callback) who would stand in `skill` with this place and priority now. */
    async waitFor(executor: Knex, c: { skill: string; tier: string; since: Date; priority: number }): Promise<number | null> {
      const priorityTime = priorityAt(c.since, c.tier, policy.headStarts, c.priority);
      const ahead = await executor('queue_entries').where({ state: 'waiting', skill: c.skill }).where('priority_at', '<', priorityTime).count<{ count: string }[]>('* as count').first();
      return waitFrom(executor, { skill: c.skill, tier: c.tier, priority_at: priorityTime, ahead: Number(ahead?.count ?? 0) }, clock());
    },

    /** Where a waiting caller stands: position in their queue and the wait still ahead, from live data (0: an agent is free for them). */
    async standing(callSid: string): Promise<{ position: number; seconds: number | null } | null> {
      const e: EntryRow | undefined = await db('queue_entries').where({ call_sid: callSid }).whereIn('state', ['waiting', 'offered']).orderBy('id', 'desc').first();
      if (!e) return null;
      const now = clock();
      if (e.state === 'offered') return { position: 1, seconds: 0 };
      const ahead = await callsAhead(db, e);
      return { position: ahead + 1, seconds: await waitFrom(db, { skill: e.skill, tier: e.tier, priority_at: e.priority_at, ahead }, now) };
    },

    /**
     * The caller left the queue without an agent: hung up (abandoned, with the time waited), left
     * to be called back (keeping their place), or sent to their fallback because nobody could serve
     * the queue any more. An agent holding the offer is released.
     */
    async callerLeft(trx: Knex, callSid: string, why: 'abandoned' | 'callback' | 'failed' | 'unavailable'): Promise<Notice[]> {
      const now = clock();
      const e = await liveEntryOfCall(trx, callSid);
      if (!e || (e.state !== 'waiting' && e.state !== 'offered')) return [];
      const waited = Math.round((now.getTime() - new Date(e.enqueued_at).getTime()) / 1000);
      await updateEntry(trx, e.id, { state: why === 'unavailable' ? 'ended' : why, ended_at: now, agent_id: null, offer_expires_at: null });
      await appendEvents(trx, e.interaction_id, [{ type: why === 'abandoned' ? 'abandoned' : 'left_queue_entry', data: { entry_id: e.id, waited_s: waited, why }, at: now }]);
      if (e.state !== 'offered' || e.agent_id === null) return [];
      const released = await transition(trx, e.agent_id, 'available', { from: ['reserved'], onlyEntry: e.id, entryId: null, at: now });
      return released
        ? [{ agentId: e.agent_id, event: 'call:offer_revoked', payload: { entry_id: String(e.id), reason: 'caller_left' } }, agentStateNotice(e.agent_id, 'available', null, now)]
        : [];
    },

    /** The agent declines the offer: the call goes to the next agent, the agent to away (rejected offer). */
    async reject(agentId: number, entryId: string): Promise<void> {
      const now = clock();
      const notices = await db.transaction(async (trx) => {
        const e = await findEntry(trx, entryId, { lock: 'wait' });
        if (!e || e.state !== 'offered' || e.agent_id !== agentId) return null;
        await updateEntry(trx, e.id, { state: 'waiting', agent_id: null, offer_expires_at: null, declined_by: [...e.declined_by, agentId], target_agent_id: null });
        await appendEvents(trx, e.interaction_id, [{ type: 'offer_rejected', data: { agent_id: agentId, entry_id: e.id }, at: now }]);
        await transition(trx, agentId, 'away', { from: ['reserved'], reason: 'rejected_offer', entryId: null, at: now });
        return [agentStateNotice(agentId, 'away', 'rejected_offer', now)];
      });
      if (!notices) throw appError('SB_ERR_OFFER_GONE');
      deps.notify(notices);
      void kick();
    },
  };
}

export type RoutingService = ReturnType<typeof createRoutingService>;
