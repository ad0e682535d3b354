import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import type { CallbackBooking } from '../../../ivr/engine.js';
import { appError } from '../../errors.js';
import { BANK_TIME_ZONE, isTimeZone } from '../../lib/local-time.js';
import { isDialable, maskPhone, normalizePhone } from '../../lib/phone.js';
import { agentStateNotice, type Notice } from '../../lib/realtime-notices.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { transition } from '../agents/agents-repository.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { CallsService } from '../calls/calls-service.js';
import { lockCall } from '../calls/calls-repository.js';
import { FINAL_STATUSES, isMachine, unreachedOutcome, type AnswerAction, type OutboundLine, type OutboundOwner } from '../calls/outbound.js';
import { appendEvents, updateSummary } from '../interactions/interactions-repository.js';
import { findEntry, updateEntry, type EntryRow } from '../routing/routing-repository.js';
import { overflowChain } from '../routing/routing-policy.js';
import type { RoutingService } from '../routing/routing-service.js';
import type { ServiceHours } from '../routing/service-hours.js';
import { inCallingWindow, nextWindowOpen } from '../campaigns/pacing.js';
import type { CallbackPop } from '../routing/routing-schemas.js';
import {
  callbackBacklog, dueCallbacks, findCallback, insertCallback, listCallbacks, lostDials, openCallbackFor, updateCallback, type CallbackRow, type NewCallback,
} from './callbacks-repository.js';
import { OPEN_STATES, type Callback } from './callbacks-schemas.js';
import { metrics } from '../../lib/metrics.js';

export interface CallbackPolicy {
  mode: 'agent_first' | 'customer_first';
  /** Dials before the callback closes as failed. */
  attempts: number;
  /** Wait after a dial that did not reach the customer before the next. */
  retrySeconds: number;
  /** The hours of the customer's own day a callback may ring them ("HH:MM"). */
  window: { start: string; end: string };
  ringSeconds: number;
}

export interface CallbacksDeps {
  db: Knex;
  calls: Pick<CallsService, 'openOutbound' | 'openOutboundCall'>;
  routing: Pick<RoutingService, 'enqueue' | 'kick' | 'waitFor'>;
  hours: ServiceHours;
  line: () => OutboundLine;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  policy: CallbackPolicy;
  bankName: { zh: string; en: string };
  /** The bank's number a callback shows when it was not asked for on a hotline (an agent's or a CRM's booking). */
  defaultFrom: string;
  now?: () => Date;
}

/** How long past its ring time a dial Twilio never reported on is given up. */
const LOST_AFTER_SECONDS = 60;
const PROMOTE_BATCH = 200;

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * Callbacks that happen (virtual hold). A request keeps the caller's place: when it is due (its
 * time, the queue's hours, the customer's calling window) it becomes a queue entry with no call
 * yet, ordered with live callers by the same priority time. Its turn offers it to an agent like a
 * call (agent first: the customer is dialled once the agent accepts) or dials the customer when an
 * agent is free (customer first: they join the line in their place once they answer). The dial
 * goes out on the outbound path campaigns use; busy, no answer and machines are retried by policy.
 */
export function createCallbacksService(deps: CallbacksDeps) {
  const { db, policy } = deps;
  const clock = deps.now ?? (() => new Date());

  const text = {
    intro: (lang: 'zh' | 'en') => (lang === 'zh' ? `您好，这里是${deps.bankName.zh}，按您的预约为您回电。` : `Hello, this is ${deps.bankName.en} returning your call, as you asked.`),
    inLine: (lang: 'zh' | 'en') => (lang === 'zh' ? '客服代表马上为您服务，请稍候。' : 'An agent will be with you in a moment, please hold.'),
    machine: (lang: 'zh' | 'en') => (lang === 'zh'
      ? `您好，这里是${deps.bankName.zh}，按您的预约给您回电，未能接通，我们稍后会再次致电。`
      : `Hello, this is ${deps.bankName.en} returning your call as you asked. We will try you again later.`),
  };

  /** When a callback of this skill could be served from `at` on: its chain's next opening, or null (now). */
  function opensAt(skill: string, at: Date): Date | null {
    const chain = overflowChain(skill);
    if (chain.some((s) => deps.hours.isOpen(s, at))) return null;
    return chain.map((s) => deps.hours.nextOpen(s, at)).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  }

  /** What the caller is told of when we will call: the queue's estimate for their place now, or when the hours open. */
  async function eta(executor: Knex, r: Pick<CallbackRow, 'skill' | 'tier' | 'place_since' | 'priority' | 'due_at'>, now: Date) {
    const due = new Date(r.due_at) > now ? new Date(r.due_at) : now;
    const opens = opensAt(r.skill, due);
    if (opens) return { eta_s: null, opens_at: opens.toISOString() };
    if (due > now) return { eta_s: Math.round((due.getTime() - now.getTime()) / 1000), opens_at: null };
    return { eta_s: await deps.routing.waitFor(executor, { skill: r.skill, tier: r.tier, since: new Date(r.place_since), priority: r.priority }), opens_at: null };
  }

  async function open(trx: Knex, c: NewCallback): Promise<CallbackRow> {
    const id = await insertCallback(trx, c);
    return (await findCallback(trx, id))!;
  }

  /** The customer's zone for the calling window (the bank's for callers we do not know). */
  async function zoneOf(trx: Knex, customerId: number | null): Promise<string> {
    if (customerId === null) return BANK_TIME_ZONE;
    const row = await trx('customers').where({ id: customerId }).first('timezone');
    return row?.timezone && isTimeZone(row.timezone) ? row.timezone : BANK_TIME_ZONE;
  }

  function pop(r: CallbackRow, bookedBy: string | null): CallbackPop {
    return { id: String(r.id), requested_at: iso(r.created_at), reason: r.reason, source: r.source, attempt: r.attempts + 1, phone_masked: maskPhone(r.phone), booked_by: bookedBy };
  }

  /** A dial that did not reach the customer: the next try after the retry wait, or the callback closes as failed. */
  async function attemptFailed(trx: Knex, r: CallbackRow, e: EntryRow | undefined, outcome: string, now: Date, notices: Notice[]): Promise<void> {
    const last = r.attempts >= policy.attempts;
    await updateCallback(trx, r.id, last
      ? { state: 'failed', last_outcome: outcome, closed_at: now, entry_id: null }
      : { state: 'scheduled', last_outcome: outcome, due_at: new Date(now.getTime() + policy.retrySeconds * 1000), entry_id: null });
    if (e) {
      await appendEvents(trx, e.interaction_id, [{ type: last ? 'callback_failed' : 'callback_retry', data: { callback_id: r.id, attempt: r.attempts, outcome, ...(last ? {} : { next_at: iso(new Date(now.getTime() + policy.retrySeconds * 1000)) }) }, at: now }]);
      if (['waiting', 'offered', 'dialing', 'connecting'].includes(e.state)) await updateEntry(trx, e.id, { state: 'failed', ended_at: now });
      // Agent first: the agent who accepted is free again; nothing reached them to wrap up.
      if (e.agent_id !== null && (await transition(trx, e.agent_id, 'available', { from: ['on_call', 'reserved'], onlyEntry: e.id, entryId: null, at: now }))) {
        notices.push({ agentId: e.agent_id, event: 'call:ended', payload: { entry_id: String(e.id), reason: 'callback_not_reached' } }, agentStateNotice(e.agent_id, 'available', null, now));
      }
    }
  }

  /** The entry and request of a callback call, the call's row made if this is the first we hear of it. */
  async function attemptOf(trx: Knex, entryId: string, callSid: string) {
    const e = await findEntry(trx, entryId, { lock: 'wait' });
    if (!e || e.callback_id === null) return null;
    const r = (await findCallback(trx, e.callback_id, true))!;
    if (e.call_sid === null) {
      await updateEntry(trx, e.id, { call_sid: callSid });
      e.call_sid = callSid;
    }
    if (e.call_sid === callSid) await deps.calls.openOutboundCall(trx, { sid: callSid, interaction_id: e.interaction_id, from: r.from_number ?? deps.defaultFrom, to: r.phone, flow: 'callback', language: r.language });
    return { e, r };
  }

  const owner: OutboundOwner = {
    async track(trx, ref, callSid) {
      await attemptOf(trx, ref, callSid);
    },

    async answered(trx, ref, p): Promise<AnswerAction> {
      const now = clock();
      const found = await attemptOf(trx, ref, p.callSid);
      if (!found || found.e.call_sid !== p.callSid) return { kind: 'hangup' };
      const { e, r } = found;
      const lang = r.language === 'en' ? 'en' : 'zh';
      if (r.state !== 'dialing' || !['connecting', 'dialing'].includes(e.state)) return { kind: 'hangup' };
      await appendEvents(trx, e.interaction_id, [{ type: 'answered', data: { answered_by: p.answeredBy ?? 'unknown', callback_id: r.id }, at: now }]);
      if (isMachine(p.answeredBy)) {
        // The retry follows from the call's end (its status callback): here only what the machine hears.
        await updateCallback(trx, r.id, { last_outcome: 'machine' });
        await updateSummary(trx, e.interaction_id, { outcome: 'machine' });
        return { kind: 'message', text: text.machine(lang), lang };
      }
      await updateCallback(trx, r.id, { last_outcome: 'human' });
      await updateSummary(trx, e.interaction_id, { queued_at: new Date(e.enqueued_at) });
      if (e.state === 'connecting') return { kind: 'connect', entryId: String(e.id), lang, say: text.intro(lang) };
      // Customer first: in line now, in the place the request kept; routing offers them like any caller.
      await updateEntry(trx, e.id, { state: 'waiting' });
      await appendEvents(trx, e.interaction_id, [{ type: 'callback_in_line', data: { entry_id: e.id, callback_id: r.id }, at: now }]);
      return { kind: 'enqueue', entryId: String(e.id), skill: e.skill, lang, say: `${text.intro(lang)}${text.inLine(lang)}` };
    },

    async statusChanged(trx, ref, p, notices) {
      if (!FINAL_STATUSES.has(p.status)) return;
      const now = clock();
      const found = await attemptOf(trx, ref, p.callSid);
      if (!found || found.e.call_sid !== p.callSid) return;
      const { e, r } = found;
      if (r.state !== 'dialing' || String(r.entry_id) !== String(e.id)) return;
      // A person answered: the callback is made (whatever they did next, the promise was kept).
      const outcome = r.last_outcome === 'human' || r.last_outcome === 'machine' ? r.last_outcome : unreachedOutcome(p.status) ?? 'no_answer'; // completed with neither a person nor a machine: nobody took it
      metrics.dialAttempts.inc({ purpose: 'callback', outcome });
      if (outcome === 'human') {
        await updateCallback(trx, r.id, { state: 'completed', closed_at: now });
        await appendEvents(trx, e.interaction_id, [{ type: 'callback_completed', data: { callback_id: r.id, attempt: r.attempts }, at: now }]);
        return;
      }
      await attemptFailed(trx, r, e, outcome, now, notices);
    },
  };

  return {
    owner,

    /**
     * A caller asks to be called back (the IVR, keeping their place in the queue they were in or
     * wanted). A withheld number is never promised a callback; asking twice keeps one request.
     */
    async request(trx: Knex, c: {
      customer_id: number | null; phone: string; from_number: string; reason: string; skill: string; priority: number; language: string;
      place_since: Date; interaction_id: string; ivr: Record<string, unknown>;
    }, at = clock()): Promise<CallbackBooking> {
      // `at`: the caller's moment (the IVR's clock), for when they are told the bank will call.
      const now = at;
      if (!isDialable(c.phone)) return { booked: false, why: 'withheld' };
      const tier = c.customer_id === null ? 'STANDARD' : ((await trx('customers').where({ id: c.customer_id }).first('tier'))?.tier as string | undefined) ?? 'STANDARD';
      const r = (await openCallbackFor(trx, c.phone, c.skill)) ?? (await open(trx, {
        customer_id: c.customer_id, phone: c.phone, from_number: c.from_number, reason: c.reason, skill: c.skill, tier, language: c.language,
        timezone: await zoneOf(trx, c.customer_id), priority: c.priority, ivr: c.ivr, interaction_id: c.interaction_id,
        place_since: c.place_since, due_at: now, source: 'ivr', requested_by: null, target_agent_id: null,
      }));
      return { booked: true, id: Number(r.id), ...(await eta(trx, r, now)) };
    },

    /**
     * An agent books a callback at a time from a call's wrap-up (inside the wrap-up's transaction):
     * to the call's number, for the call's skill, or to the agent themself first ("call back to me").
     */
    async book(trx: Knex, b: { entry: EntryRow; agent: TokenClaims | { sub: string; username: string; role: string }; at: Date; toMe: boolean; reason: string }): Promise<string> {
      const now = clock();
      const call: { from_number: string; to_number: string; direction: string } | undefined = b.entry.call_sid ? await trx('calls').where({ sid: b.entry.call_sid }).first('from_number', 'to_number', 'direction') : undefined;
      // The customer's number and the bank's, whichever way the call went.
      const outbound = call?.direction.startsWith('outbound') ?? false;
      const phone = call ? (outbound ? call.to_number : call.from_number) : null;
      if (!call || !phone || !isDialable(phone)) throw appError('SB_ERR_CALLBACK_NUMBER_INVALID');
      const zone = await zoneOf(trx, b.entry.customer_id);
      if (b.at <= now || opensAt(b.entry.skill, b.at) !== null || !inCallingWindow(b.at, zone, policy.window.start, policy.window.end)) {
        throw appError('SB_ERR_CALLBACK_TIME_INVALID', `A callback time must be in the future, within the ${b.entry.skill} queue's hours and ${policy.window.start}-${policy.window.end} in the customer's time zone`);
      }
      const r = await open(trx, {
        customer_id: b.entry.customer_id, phone, from_number: outbound ? call.from_number : call.to_number, reason: b.reason,
        skill: b.entry.skill, tier: b.entry.tier, language: b.entry.language, timezone: zone, priority: 0, ivr: b.entry.ivr, interaction_id: b.entry.interaction_id,
        place_since: b.at, due_at: b.at, source: 'agent', requested_by: Number(b.agent.sub), target_agent_id: b.toMe ? Number(b.agent.sub) : null,
      });
      await appendEvents(trx, b.entry.interaction_id, [{ type: 'callback_booked', data: { callback_id: r.id, at: iso(b.at), to_me: b.toMe, agent_id: Number(b.agent.sub) }, at: now }]);
      return r.id;
    },

    /** Another system books a callback for a customer (audited). */
    async create(c: { customer_id: number; phone?: string; skill: string; reason: string; due_at?: string }, actor: TokenClaims, ip?: string): Promise<Callback> {
      const id = await db.transaction((trx) => this.createIn(trx, c, actor, ip));
      return toCallback((await findCallback(db, id))!);
    },

    /**
     * The same inside the caller's transaction; `target_agent_id` offers it to that agent first (a
     * task done by calling the customer: the one who asked takes the call, agent first or not).
     */
    async createIn(trx: Knex, c: { customer_id: number; phone?: string; skill: string; reason: string; due_at?: string; target_agent_id?: number }, actor: Pick<TokenClaims, 'sub' | 'username' | 'role'>, ip?: string): Promise<string> {
      const now = clock();
      const customer = await trx('customers').where({ id: c.customer_id }).first('id', 'tier', 'language');
      if (!customer) throw appError('SB_ERR_CUSTOMER_NOT_FOUND');
      const phone = c.phone ? normalizePhone(c.phone) : ((await trx('customer_phones').where({ customer_id: c.customer_id }).orderBy([{ column: 'is_primary', order: 'desc' }, { column: 'id' }]).first('phone'))?.phone as string | undefined);
      if (!phone || !isDialable(phone)) throw appError('SB_ERR_CALLBACK_NUMBER_INVALID');
      const at = c.due_at ? new Date(c.due_at) : now;
      if (c.due_at && (at <= now || opensAt(c.skill, at) !== null)) throw appError('SB_ERR_CALLBACK_TIME_INVALID', `A callback time must be in the future and within the ${c.skill} queue's hours`);
      const r = await open(trx, {
        customer_id: c.customer_id, phone, from_number: deps.defaultFrom, reason: c.reason, skill: c.skill, tier: customer.tier, language: customer.language === 'en' ? 'en' : 'zh',
        timezone: await zoneOf(trx, c.customer_id), priority: 0, ivr: {}, interaction_id: null, place_since: at, due_at: at,
        source: c.target_agent_id ? 'agent' : 'api', requested_by: Number(actor.sub), target_agent_id: c.target_agent_id ?? null,
      });
      await recordAudit(trx, { actor: actor as TokenClaims, action: 'callback.create', customer_id: c.customer_id, ip, details: { callback_id: r.id, skill: c.skill } });
      return r.id;
    },

    /**
     * Due callbacks join the line, once the queue's hours are open and the customer's day allows a
     * call; one that is not yet allowed waits for that moment. What every node does each sweep.
     */
    async promote(): Promise<number> {
      const now = clock();
      const promoted = await db.transaction(async (trx) => {
        let n = 0;
        for (const r of await dueCallbacks(trx, now, PROMOTE_BATCH)) {
          const opens = opensAt(r.skill, now);
          const window = nextWindowOpen(now, r.timezone, policy.window.start, policy.window.end);
          if (opens || window > now) {
            const later = [opens, window].filter((d): d is Date => d !== null && d > now).sort((a, b) => b.getTime() - a.getTime())[0];
            if (later) await updateCallback(trx, r.id, { due_at: later });
            continue;
          }
          const requester = r.requested_by === null ? null : ((await trx('users').where({ id: r.requested_by }).first('display_name'))?.display_name as string | undefined) ?? null;
          const interactionId = await deps.calls.openOutbound(trx, {
            customer_id: r.customer_id, tier: r.tier, language: r.language, bank_number: r.from_number ?? deps.defaultFrom, to: r.phone, callback_id: r.id,
            event: { type: 'callback_queued', data: { callback_id: r.id, attempt: r.attempts + 1, reason: r.reason, source: r.source, requested_at: iso(r.created_at) } },
          });
          const entryId = await deps.routing.enqueue(trx, {
            interaction_id: interactionId, call_sid: null, skill: r.skill, language: r.language, customer_id: r.customer_id, tier: r.tier, ivr: r.ivr,
            priority: r.priority, since: new Date(r.place_since), callback_id: r.id, callback: pop(r, requester), target_agent_id: r.target_agent_id,
          });
          await updateCallback(trx, r.id, { state: 'queued', entry_id: entryId });
          n++;
        }
        return n;
      });
      if (promoted > 0) void deps.routing.kick();
      return promoted;
    },

    /**
     * Rings the customer of a callback entry: after the agent accepted (agent first), or when the
     * entry's turn came with an agent free (customer first). One dial per attempt: the request moves
     * to `dialing` first, and a second call for the same entry finds it there.
     */
    async dial(entryId: string): Promise<void> {
      const now = clock();
      const go = await db.transaction(async (trx) => {
        const e = await findEntry(trx, entryId, { lock: 'wait' });
        if (!e || e.callback_id === null || e.call_sid !== null || !['connecting', 'dialing'].includes(e.state)) return null;
        const r = (await findCallback(trx, e.callback_id, true))!;
        if (r.state !== 'queued') return null;
        await updateCallback(trx, r.id, { state: 'dialing', attempts: r.attempts + 1, dialed_at: now });
        // The agent's connect deadline runs from when the customer can answer, not from the offer.
        if (e.state === 'connecting') await updateEntry(trx, e.id, { offer_expires_at: new Date(now.getTime() + (policy.ringSeconds + LOST_AFTER_SECONDS) * 1000) });
        await appendEvents(trx, e.interaction_id, [{ type: 'callback_dialled', data: { callback_id: r.id, attempt: r.attempts + 1, mode: policy.mode, agent_id: e.agent_id }, at: now }]);
        return { e, r: { ...r, attempts: r.attempts + 1 } };
      });
      if (!go) return;
      const { e, r } = go;
      let sid: string;
      try {
        sid = await deps.line().dial({ purpose: 'callback', ref: String(e.id), to: r.phone, from: r.from_number ?? deps.defaultFrom, ringSeconds: policy.ringSeconds, machineDetection: 'Enable' });
      } catch (err) {
        // Twilio's message can hold the number dialled: its code only.
        const { code, status } = err as { code?: number; status?: number };
        deps.log.warn({ entry_id: e.id, callback_id: r.id, twilio_code: code ?? null, http_status: status ?? null }, 'callback dial refused by Twilio');
        const notices: Notice[] = [];
        await db.transaction(async (trx) => {
          const fresh = (await findCallback(trx, r.id, true))!;
          if (fresh.state === 'dialing' && String(fresh.entry_id) === String(e.id)) await attemptFailed(trx, fresh, await findEntry(trx, String(e.id), { lock: 'wait' }), 'failed', clock(), notices);
        });
        deps.notify(notices);
        return;
      }
      // Twilio's first request about the call may have named it already.
      await db.transaction(async (trx) => {
        await lockCall(trx, sid);
        await attemptOf(trx, String(e.id), sid);
      });
    },

    /** Promote due callbacks, and give up on dials Twilio never reported back on. */
    async sweep(): Promise<void> {
      await this.promote();
      const now = clock();
      for (const l of await lostDials(db, new Date(now.getTime() - (policy.ringSeconds + LOST_AFTER_SECONDS) * 1000), 50)) {
        const notices: Notice[] = [];
        const callSid = await db.transaction(async (trx) => {
          const r = await findCallback(trx, l.id, true);
          if (!r || r.state !== 'dialing' || r.last_outcome === 'human') return null;
          const e = r.entry_id ? await findEntry(trx, r.entry_id, { lock: 'wait' }) : undefined;
          // Customer first, once they answered, they are a caller in line: not lost.
          if (e && e.state === 'waiting' && e.call_sid) return null;
          await attemptFailed(trx, r, e, 'lost', now, notices);
          return e?.call_sid ?? null;
        });
        deps.notify(notices);
        if (callSid) await deps.line().cancel(callSid).catch(() => undefined);
      }
    },

    async list(q: { state?: string; skill?: string; customer_id?: number; limit: number }) {
      const states = q.state === 'open' ? OPEN_STATES : q.state ? [q.state] : undefined;
      return { callbacks: (await listCallbacks(db, { states, skill: q.skill, customer_id: q.customer_id, limit: q.limit })).map(toCallback) };
    },

    async backlog() {
      const rows = await callbackBacklog(db, clock());
      return rows.map((r) => ({ skill: r.skill as string, tier: r.tier as string, open: Number(r.open), due_now: Number(r.due_now), oldest_since: r.oldest_since ? iso(r.oldest_since) : null }));
    },

    /** A supervisor cancels a callback still owed (not one being dialled): it leaves the line at once. Audited. */
    async cancel(id: string, actor: TokenClaims, ip?: string): Promise<Callback> {
      const now = clock();
      const notices: Notice[] = [];
      await db.transaction(async (trx) => {
        const r = await findCallback(trx, id, true);
        if (!r) throw appError('SB_ERR_CALLBACK_NOT_FOUND');
        if (r.state !== 'scheduled' && r.state !== 'queued') throw appError('SB_ERR_CALLBACK_STATE_INVALID', `The callback is ${r.state}`);
        const e = r.entry_id ? await findEntry(trx, r.entry_id, { lock: 'wait' }) : undefined;
        if (e && e.state === 'offered' && e.agent_id !== null && (await transition(trx, e.agent_id, 'available', { from: ['reserved'], onlyEntry: e.id, entryId: null, at: now }))) {
          notices.push({ agentId: e.agent_id, event: 'call:offer_revoked', payload: { entry_id: String(e.id), reason: 'callback_cancelled' } }, agentStateNotice(e.agent_id, 'available', null, now));
        }
        if (e && (e.state === 'waiting' || e.state === 'offered')) {
          await updateEntry(trx, e.id, { state: 'ended', ended_at: now, agent_id: null, offer_expires_at: null });
          await appendEvents(trx, e.interaction_id, [{ type: 'callback_cancelled', data: { callback_id: r.id, by: actor.username }, at: now }]);
        }
        await updateCallback(trx, r.id, { state: 'cancelled', last_outcome: 'cancelled', closed_at: now, entry_id: null });
        await recordAudit(trx, { actor, action: 'callback.cancel', customer_id: r.customer_id, ip, details: { callback_id: r.id } });
      });
      deps.notify(notices);
      return toCallback((await findCallback(db, id))!);
    },

    /** A supervisor moves a callback not yet being dialled: to another skill's queue, or to a later time. Audited. */
    async move(id: string, change: { skill?: string; due_at?: string }, actor: TokenClaims, ip?: string): Promise<Callback> {
      const now = clock();
      await db.transaction(async (trx) => {
        const r = await findCallback(trx, id, true);
        if (!r) throw appError('SB_ERR_CALLBACK_NOT_FOUND');
        if (r.state !== 'scheduled' && r.state !== 'queued') throw appError('SB_ERR_CALLBACK_STATE_INVALID', `The callback is ${r.state}`);
        const due = change.due_at ? new Date(change.due_at) : undefined;
        const skill = change.skill ?? r.skill;
        if (due && (due <= now || opensAt(skill, due) !== null)) throw appError('SB_ERR_CALLBACK_TIME_INVALID');
        const e = r.entry_id ? await findEntry(trx, r.entry_id, { lock: 'wait' }) : undefined;
        if (e && e.state !== 'waiting') throw appError('SB_ERR_CALLBACK_STATE_INVALID', 'The callback is being offered to an agent');
        if (e && due) {
          // Later: out of the line, back to the schedule.
          await updateEntry(trx, e.id, { state: 'ended', ended_at: now });
          await updateCallback(trx, r.id, { state: 'scheduled', entry_id: null, due_at: due, skill });
        } else {
          if (e) await updateEntry(trx, e.id, { skill });
          await updateCallback(trx, r.id, { skill, ...(due ? { due_at: due } : {}) });
        }
        if (e) await appendEvents(trx, e.interaction_id, [{ type: 'callback_moved', data: { callback_id: r.id, skill, due_at: due ? iso(due) : null, by: actor.username }, at: now }]);
        await recordAudit(trx, { actor, action: 'callback.move', customer_id: r.customer_id, ip, details: { callback_id: r.id, from_skill: r.skill, skill, due_at: due ? iso(due) : null } });
      });
      void deps.routing.kick();
      return toCallback((await findCallback(db, id))!);
    },
  };

  function toCallback(r: CallbackRow): Callback {
    return {
      id: String(r.id), state: r.state, source: r.source, reason: r.reason, skill: r.skill, tier: r.tier, language: r.language, customer_id: r.customer_id,
      phone_masked: maskPhone(r.phone), place_since: iso(r.place_since), due_at: iso(r.due_at), attempts: r.attempts, max_attempts: policy.attempts,
      last_outcome: (r.last_outcome as Callback['last_outcome']) ?? null, requested_by: r.requested_by, target_agent_id: r.target_agent_id,
      created_at: iso(r.created_at), closed_at: r.closed_at ? iso(r.closed_at) : null,
    };
  }
}

export type CallbacksService = ReturnType<typeof createCallbacksService>;
