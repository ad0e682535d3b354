import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { agentStateNotice, type Notice } from '../../plugins/realtime.js';
import { recordAudit } from '../audit/audit-repository.js';
import { lapsedAgents, transition } from '../agents/agents-repository.js';
import type { CustomersService } from '../customers/customers-service.js';
import { appendEvents } from '../interactions/interactions-repository.js';
import { expectedWait, remainingWait } from './erlang.js';
import {
  callsAhead, estimateAccuracy, expiredOffers, queueSnapshot, findEntry, freeAgents, insertEntry, liveEntryOfCall, lockCandidates, rmLoggedIn, skillLoad, updateEntry, waitingPage,
  type EntryRow, type LockedCandidate,
} from './routing-repository.js';
import { allowedSkills, canServe, explain, priorityAt, ruleFor, type HeadStarts, type RoutingRule } from './routing-policy.js';
import type { Profile } from '../customers/customers-schemas.js';
import type { CallOffer, CampaignPop, IvrFindings } from './routing-schemas.js';

export interface RoutingPolicy {
  headStarts: HeadStarts;
  offerSeconds: number;
  rmWaitSeconds: number;
  overflowSeconds: number;
  leaseSeconds: number;
}

export interface RoutingDeps {
  db: Knex;
  customers: CustomersService;
  policy: RoutingPolicy;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  now?: () => Date;
}

/** Handle time assumed until a queue has answered calls of its own (seconds). */
export const DEFAULT_HANDLE_SECONDS = 180;
/** Arrival rate is measured over this window. */
export const LOAD_WINDOW_SECONDS = 900;
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
    // Both were written from these very shapes at enqueue (jsonb reads back untyped).
    profile: e.profile as Profile | null,
    ivr: e.ivr as IvrFindings,
    campaign: (e.campaign as CampaignPop | null | undefined) ?? null,
    waited_s: Math.round((now.getTime() - new Date(e.enqueued_at).getTime()) / 1000),
    expires_at: e.offer_expires_at ? new Date(e.offer_expires_at).toISOString() : null,
    held: e.held,
    why,
  };
}



/**
 * Matches waiting calls with agents. All state is in PostgreSQL: a match claims the call and the
 * agent in one transaction with SKIP LOCKED, so several nodes can run passes at once without
 * ever giving one call to two agents or two calls to one agent, and a node that dies mid-pass
 * leaves nothing half done. Offers that nobody answers expire back to the queue.
 */
export function createRoutingService(deps: RoutingDeps) {
  const { db, policy } = deps;
  const clock = deps.now ?? (() => new Date());

  /** The queueing model's wait for the next caller of a skill, and what it is based on. */
  async function estimate(executor: Knex, skill: string, waitingNow: number, now: Date) {
    const load = await skillLoad(executor, skill, now, LOAD_WINDOW_SECONDS);
    const handleSeconds = load.handleSeconds ?? DEFAULT_HANDLE_SECONDS;
    const seconds = expectedWait({ arrivalRate: load.arrivals / LOAD_WINDOW_SECONDS, handleSeconds, agents: load.agents }, waitingNow);
    return { seconds: Number.isFinite(seconds) ? Math.round(seconds) : null, handleSeconds, agents: load.agents, arrivals: load.arrivals };
  }

  /** One claim attempt for one waiting call; null when it is taken, or no agent may have it now. */
  async function tryMatch(entryId: string, now: Date): Promise<Notice[] | null> {
    return db.transaction(async (trx) => {
      const e = await findEntry(trx, entryId, { lock: 'skip' });
      if (!e || e.state !== 'waiting') return null;
      const waited = (now.getTime() - new Date(e.enqueued_at).getTime()) / 1000;
      let chosen: LockedCandidate[] = [];
      // The caller's own relationship manager first; a busy RM is worth a short wait.
      if (e.rm_id !== null && e.target_agent_id === null) {
        chosen = await lockCandidates(trx, e, [], now, 1, { rm_id: e.rm_id });
        if (chosen.length === 0 && waited < policy.rmWaitSeconds && (await rmLoggedIn(trx, e.rm_id, now))) return null;
      }
      const skills = allowedSkills(e.skill, waited, policy.overflowSeconds);
      if (chosen.length === 0) chosen = await lockCandidates(trx, e, skills, now, TRACE_CANDIDATES);
      // Agents who let this call pass come back into play once nobody else can take it.
      if (chosen.length === 0 && e.declined_by.length > 0) chosen = await lockCandidates(trx, e, skills, now, TRACE_CANDIDATES, undefined, false);
      const agent = chosen[0];
      if (!agent) return null;
      const rule = ruleFor(agent, e);
      const why = {
        rule,
        text: explain(rule, agent, e),
        candidates: chosen.map((c) => ({ agent_id: c.user_id, level: c.level, idle_s: c.idle_since ? Math.round((now.getTime() - new Date(c.idle_since).getTime()) / 1000) : null })),
      };
      const expires = new Date(now.getTime() + policy.offerSeconds * 1000);
      await updateEntry(trx, e.id, { state: 'offered', agent_id: agent.user_id, offer_expires_at: expires, offers: e.offers + 1 });
      await transition(trx, agent.user_id, 'reserved', { from: ['available'], entryId: e.id, at: now });
      await appendEvents(trx, e.interaction_id, [
        { type: 'routing_decision', data: { ...why, entry_id: e.id, waited_s: Math.round(waited), skill: e.skill, tier: e.tier, skills_allowed: allowedSkills(e.skill, waited, policy.overflowSeconds) }, at: now },
        { type: 'offered', data: { agent_id: agent.user_id, entry_id: e.id, expires_at: expires.toISOString() }, at: now },
      ]);
      if (e.customer_id !== null) {
        await recordAudit(trx, { actor: { sub: String(agent.user_id), username: agent.username, role: agent.role }, action: 'customer.view', customer_id: e.customer_id, purpose: 'call', call_sid: e.call_sid, details: { via: 'screen_pop', entry_id: e.id } });
      }
      const offered = { ...e, state: 'offered' as const, agent_id: agent.user_id, offer_expires_at: expires };
      return [agentStateNotice(agent.user_id, 'reserved', null, now), { agentId: agent.user_id, event: 'call:offered', payload: offerPayload(offered, now, why) }];
    });
  }

  /** One pass: the free agents against the waiting calls in priority order, until one side runs out. */
  async function matchPass(): Promise<number> {
    const now = clock();
    const free = await freeAgents(db, now);
    let made = 0;
    let after: { priority_at: Date; id: string } | null = null;
    while (free.length > 0) {
      const page = await waitingPage(db, after, PAGE);
      for (const e of page) {
        if (!free.some((a) => canServe(a, { ...e, declined_by: [] }, now, policy.overflowSeconds))) continue;
        const notices = await tryMatch(e.id, now);
        if (notices) {
          made++;
          const agentId = notices[0]!.agentId;
          free.splice(free.findIndex((a) => a.user_id === agentId), 1);
          deps.notify(notices);
        }
        if (free.length === 0) break;
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = { priority_at: last.priority_at, id: last.id };
    }
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

  /** Offers nobody accepted in time go back to the queue; the agent goes to away (missed offer). */
  async function expireOffers(): Promise<void> {
    const now = clock();
    const notices = await db.transaction(async (trx) => {
      const out: Notice[] = [];
      for (const e of await expiredOffers(trx, now)) {
        await updateEntry(trx, e.id, { state: 'waiting', agent_id: null, offer_expires_at: null, declined_by: [...e.declined_by, e.agent_id!] });
        await appendEvents(trx, e.interaction_id, [{ type: 'offer_expired', data: { agent_id: e.agent_id, entry_id: e.id }, at: now }]);
        if (await transition(trx, e.agent_id!, 'away', { from: ['reserved'], onlyEntry: e.id, reason: 'missed_offer', entryId: null, at: now })) {
          out.push({ agentId: e.agent_id!, event: 'call:offer_revoked', payload: { entry_id: String(e.id), reason: 'expired' } }, agentStateNotice(e.agent_id!, 'away', 'missed_offer', now));
        }
      }
      return out;
    });
    deps.notify(notices);
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

  return {
    kick,
    matchPass,
    estimate,

    /** Expire offers and leases, then route: what every node does every ROUTING_SWEEP_MS. */
    async sweep(): Promise<void> {
      await expireOffers();
      await expireLeases();
      await kick();
    },

    /**
     * The IVR queued the call: a queue entry with what the agent's pop will need, fetched now
     * while the caller still hears the IVR, so the offer does not wait on the database.
     */
    async enqueue(trx: Knex, c: {
      interaction_id: string; call_sid: string; skill: string; language: string; customer_id: number | null; tier: string | null;
      ivr: Record<string, unknown>; target_agent_id?: number | null;
      /** Keeps the caller's place: when they first joined the queue (a failed connection goes back in line). */
      since?: Date;
      /** A campaign call going back to a queue keeps its script, offer and dispositions. */
      campaign?: Record<string, unknown> | null;
    }): Promise<string> {
      // A call waits in one queue at a time: a repeated enqueue (a retried or stale IVR turn) keeps the entry it has.
      const existing = await trx('queue_entries').where({ call_sid: c.call_sid }).whereIn('state', ['waiting', 'offered', 'connecting', 'connected']).first('id');
      if (existing) return String(existing.id);
      const at = c.since ?? clock();
      const tier = c.tier ?? 'STANDARD';
      const customer = c.customer_id === null ? undefined : await trx('customers').where({ id: c.customer_id }).first('rm_id');
      const profile = c.customer_id === null ? null : ((await deps.customers.prefetchProfile(c.customer_id, trx)) ?? null);
      const waiting = await trx('queue_entries').where({ state: 'waiting', skill: c.skill }).count<{ count: string }[]>('* as count').first();
      const predicted = await estimate(trx, c.skill, Number(waiting?.count ?? 0), at);
      const id = await insertEntry(trx, {
        interaction_id: c.interaction_id, call_sid: c.call_sid, skill: c.skill, language: c.language, tier,
        customer_id: c.customer_id, rm_id: (customer?.rm_id as number | null | undefined) ?? null, target_agent_id: c.target_agent_id ?? null,
        enqueued_at: at, priority_at: priorityAt(at, tier, policy.headStarts), profile: profile as Record<string, unknown> | null, ivr: c.ivr,
        estimated_wait_s: predicted.seconds, campaign: c.campaign ?? null,
      });
      await appendEvents(trx, c.interaction_id, [{ type: 'entered_queue', data: { entry_id: id, skill: c.skill, tier, customer_id: c.customer_id, rm_id: (customer?.rm_id as number | null | undefined) ?? null, estimated_wait_s: predicted.seconds }, at: clock() }]);
      return id;
    },

    /** Live queues per skill and tier, each skill's staffing and model estimate, and how good past estimates were. */
    async queues() {
      const now = clock();
      const [rows, accuracy] = await Promise.all([queueSnapshot(db, now), estimateAccuracy(db, now)]);
      const skills = [...new Set(rows.map((r) => r.skill as string))].sort();
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

    /** Where a waiting caller stands: position in their queue and the wait still ahead, from live data. */
    async standing(callSid: string): Promise<{ position: number; seconds: number | null } | null> {
      const e = await db('queue_entries').where({ call_sid: callSid, state: 'waiting' }).orderBy('id', 'desc').first();
      if (!e) return null;
      const now = clock();
      const position = (await callsAhead(db, e)) + 1;
      const load = await estimate(db, e.skill, 0, now);
      const seconds = remainingWait(position, load.handleSeconds, load.agents);
      return { position, seconds: Number.isFinite(seconds) ? Math.round(seconds) : null };
    },

    /**
     * The caller left the queue without an agent: hung up (abandoned, with the time waited), or
     * left to be called back (keeping their place). An agent holding the offer is released.
     */
    async callerLeft(trx: Knex, callSid: string, why: 'abandoned' | 'callback' | 'failed'): Promise<Notice[]> {
      const now = clock();
      const e = await liveEntryOfCall(trx, callSid);
      if (!e || (e.state !== 'waiting' && e.state !== 'offered')) return [];
      const waited = Math.round((now.getTime() - new Date(e.enqueued_at).getTime()) / 1000);
      await updateEntry(trx, e.id, { state: why, ended_at: now, agent_id: null, offer_expires_at: null });
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
        await updateEntry(trx, e.id, { state: 'waiting', agent_id: null, offer_expires_at: null, declined_by: [...e.declined_by, agentId] });
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
