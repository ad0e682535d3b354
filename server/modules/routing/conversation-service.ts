import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { agentStateNotice, type Notice } from '../../lib/realtime-notices.js';
import { recordAudit } from '../audit/audit-repository.js';
import { countConnectFailure, findAgent, resetConnectFailures, transition, type AgentRow, type AgentState } from '../agents/agents-repository.js';
import { bankNumber, findCall } from '../calls/calls-repository.js';
import { isMachine } from '../calls/outbound.js';
import type { CustomersService } from '../customers/customers-service.js';
import { appendEvents, updateSummary } from '../interactions/interactions-repository.js';
import type { StaffLine, VoiceControl } from '../telephony/voice-control.js';
import { findEntry, updateEntry, type EntryRow } from './routing-repository.js';
import { offerPayload, type RoutingService } from './routing-service.js';
import { metrics } from '../../lib/metrics.js';

export interface Wrapup {
  disposition: string;
  reason_codes: string[];
  products_discussed: string[];
  notes?: string;
  callback_at?: string;
  /** With a callback: offered to this agent first, then to the skill. */
  callback_to_me?: boolean;
  /** With follow_up: when the follow-up task is due. */
  follow_up_at?: string;
}

/**
 * Blind: the caller goes back to a queue (for the skill, or for one named agent who must be free).
 * Consult: the caller is held while a colleague (the RM, a named agent, or a free agent of a skill)
 * is rung into the call; the agent hands over when ready.
 */
export type TransferTarget = { to: 'skill'; skill: string; mode?: 'blind' | 'consult' } | { to: 'agent'; agent_id: number; mode?: 'blind' | 'consult' } | { to: 'rm' };

export interface ConversationDeps {
  db: Knex;
  /** How long the agent's leg has to join after the agent accepted. */
  connectSeconds: number;
  /** Accepted calls in a row that failed to connect (Twilio unreachable) before the agent goes away (connect_failed). */
  connectFailures?: number;
  customers: CustomersService;
  routing: RoutingService;
  voice: VoiceControl;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  now?: () => Date;
  /** Told of every wrap-up inside its transaction (a campaign call's disposition lands on its list entry; a callback is booked). */
  onWrapup?: (trx: Knex, entry: EntryRow, w: Wrapup, agent: { sub: string; username: string; role: string }) => Promise<void>;
  /** Dials the customer of a callback whose offer the agent accepted (the call does not exist yet). */
  dialOut?: (entryId: string) => Promise<void>;
}

/** The heartbeat's answer: the agent's state and the call they hold (its entry's state), for a console to check its view against. */
export interface AgentDigest {
  state: AgentState;
  reason: string | null;
  since: string;
  entry_id: string | null;
  entry_state: EntryRow['state'] | null;
}

/** An agent leg's final statuses that mean nobody answered it. */
const LEG_FAILED: ReadonlySet<string> = new Set(['busy', 'no-answer', 'failed', 'canceled']);

const stateNotice = (agentId: number, state: AgentState, at: Date): Notice => agentStateNotice(agentId, state, null, at);

const agentTarget = (a: AgentRow): StaffLine => ({ kind: 'agent', userId: a.user_id, phone: a.phone });

/**
 * A routed call from the agent's side: accept (caller and agent meet in the call's conference),
 * hold, transfer, end, and the wrap-up that must follow. Twilio's reports of who joined and left
 * the conference drive the timeline, so what is recorded is what happened on the line.
 */
export function createConversationService(deps: ConversationDeps) {
  const { db, voice } = deps;
  const clock = deps.now ?? (() => new Date());

  /** The entry the agent is working on, locked, in one of `states`; else a coded 409. */
  async function agentsEntry(trx: Knex, agentId: number, states: readonly EntryRow['state'][]): Promise<{ agent: AgentRow; entry: EntryRow }> {
    const agent = await findAgent(trx, agentId);
    const entry = agent?.entry_id ? await findEntry(trx, agent.entry_id, { lock: 'wait' }) : undefined;
    if (!agent || !entry || entry.agent_id !== agentId || !states.includes(entry.state)) throw appError('SB_ERR_CALL_NOT_ACTIVE');
    return { agent, entry };
  }

  /** The caller is gone from the conference (hung up, or the call was ended): the agent goes to wrap-up. */
  async function finish(trx: Knex, e: EntryRow, now: Date, reason: string): Promise<Notice[]> {
    if (e.state !== 'connecting' && e.state !== 'connected') return [];
    await updateEntry(trx, e.id, { state: 'ended', ended_at: now });
    await appendEvents(trx, e.interaction_id, [{ type: 'agent_call_ended', data: { entry_id: e.id, agent_id: e.agent_id, reason }, at: now }]);
    const notices: Notice[] = [];
    if (e.agent_id !== null && (await transition(trx, e.agent_id, 'wrap_up', { from: ['on_call'], onlyEntry: e.id, at: now }))) {
      notices.push({ agentId: e.agent_id, event: 'call:ended', payload: { entry_id: String(e.id), reason } }, stateNotice(e.agent_id, 'wrap_up', now));
    }
    if (e.consult_agent_id !== null && (await transition(trx, e.consult_agent_id, 'available', { from: ['on_call'], onlyEntry: e.id, entryId: null, at: now }))) {
      notices.push({ agentId: e.consult_agent_id, event: 'call:ended', payload: { entry_id: String(e.id), reason } }, stateNotice(e.consult_agent_id, 'available', now));
    }
    return notices;
  }

  /**
   * The agent's leg did not join (not answered, busy, failed, a voicemail, or the connect deadline
   * passed): the caller goes back into the queue in their old place and hears why; the agent goes
   * to away (missed). Returns what to tell and do after the commit.
   */
  async function backInLine(trx: Knex, e: EntryRow, why: string, now: Date, blame: 'agent' | 'line' = 'agent'): Promise<{ notices: Notice[]; after: () => Promise<void> } | null> {
    const call = e.call_sid ? await findCall(trx, e.call_sid) : undefined;
    if (!call || e.agent_id === null) return null;
    await updateEntry(trx, e.id, { state: 'failed', ended_at: now });
    const next = await deps.routing.enqueue(trx, {
      interaction_id: e.interaction_id, call_sid: call.sid, skill: e.skill, language: e.language, customer_id: e.customer_id, tier: e.tier, ivr: e.ivr,
      priority: e.priority, since: new Date(e.enqueued_at), campaign: e.campaign,
    });
    await appendEvents(trx, e.interaction_id, [{ type: 'agent_leg_failed', data: { entry_id: e.id, agent_id: e.agent_id, next_entry_id: next, why }, at: now }]);
    const agentId = e.agent_id;
    // Twilio could not ring the agent (the line's fault): free again, unless it keeps happening.
    const to = blame === 'agent' ? { state: 'away' as const, reason: 'missed_offer' } : await afterLineFailure(trx, agentId);
    await transition(trx, agentId, to.state, { from: ['on_call'], onlyEntry: e.id, reason: to.reason, entryId: null, at: now });
    const { conference_sid: conference, agent_call_sid: leg } = e;
    return {
      notices: [{ agentId, event: 'call:ended', payload: { entry_id: String(e.id), reason: blame === 'agent' ? 'agent_leg_failed' : 'connect_failed' } }, agentStateNotice(agentId, to.state, to.reason, now)],
      after: async () => {
        await voice.requeue(call.sid, next, call.step, 'agent_unreachable').catch((err) => deps.log.warn({ err, entry_id: e.id }, 'could not return the caller to the queue'));
        if (conference && leg) await voice.dropLeg(conference, leg).catch(() => undefined);
        void deps.routing.kick();
      },
    };
  }

  /**
   * Twilio refused the redirect into the conference, retries and all (an outage). The caller never
   * left Twilio's queue: a new entry in their old place is all they need, and the next agent's
   * accept redirects them. The agent is not to blame and is free again, unless their connects keep
   * failing: then they go away (connect_failed), so agents do not drain the queue into the fault.
   * A callback's entry is the callbacks' to retry (its customer was never dialled).
   */
  async function connectFailed(trx: Knex, entryId: string, agentId: number, now: Date, callerGone: boolean): Promise<Notice[]> {
    const e = await findEntry(trx, entryId, { lock: 'wait' });
    if (!e || e.state !== 'connecting' || e.agent_id !== agentId) return [];
    await updateEntry(trx, e.id, { state: 'failed', ended_at: now });
    const call = e.call_sid ? await findCall(trx, e.call_sid) : undefined;
    if (callerGone || !call) {
      // The caller is gone (or a callback's customer was never dialled: the callbacks retry it); the agent is free, and not to blame.
      await appendEvents(trx, e.interaction_id, [{ type: 'connect_failed', data: { entry_id: e.id, agent_id: agentId, next_entry_id: null }, at: now }]);
      const freed = await transition(trx, agentId, 'available', { from: ['on_call'], onlyEntry: e.id, entryId: null, at: now });
      return freed ? [{ agentId, event: 'call:ended', payload: { entry_id: String(e.id), reason: 'caller_gone' } }, stateNotice(agentId, 'available', now)] : [];
    }
    const next = !call.ended_at ? await deps.routing.enqueue(trx, {
      interaction_id: e.interaction_id, call_sid: call.sid, skill: e.skill, language: e.language, customer_id: e.customer_id, tier: e.tier, ivr: e.ivr,
      priority: e.priority, since: new Date(e.enqueued_at), campaign: e.campaign,
    }) : null;
    await appendEvents(trx, e.interaction_id, [{ type: 'connect_failed', data: { entry_id: e.id, agent_id: agentId, next_entry_id: next }, at: now }]);
    const to = await afterLineFailure(trx, agentId);
    const moved = await transition(trx, agentId, to.state, { from: ['on_call'], onlyEntry: e.id, entryId: null, reason: to.reason, at: now });
    const ended: Notice = { agentId, event: 'call:ended', payload: { entry_id: String(e.id), reason: 'connect_failed' } };
    return moved ? [ended, agentStateNotice(agentId, to.state, to.reason, now)] : [ended];
  }

  /** Where an agent goes after Twilio failed their call: available, or away (connect_failed) after `connectFailures` in a row. */
  async function afterLineFailure(trx: Knex, agentId: number): Promise<{ state: 'available' | 'away'; reason: string | null }> {
    if ((await countConnectFailure(trx, agentId)) < (deps.connectFailures ?? 2)) return { state: 'available', reason: null };
    await resetConnectFailures(trx, agentId);
    return { state: 'away', reason: 'connect_failed' };
  }

  /** The colleague rung in for a consult did not answer: they are free again, the caller back with the agent. */
  async function consultFailed(trx: Knex, e: EntryRow, why: string, now: Date): Promise<{ notices: Notice[]; after?: () => Promise<void> }> {
    const consultant = e.consult_agent_id!;
    await updateEntry(trx, e.id, { consult_agent_id: null, consult_call_sid: null, held: false });
    await appendEvents(trx, e.interaction_id, [{ type: 'consult_failed', data: { entry_id: e.id, agent_id: consultant, why }, at: now }]);
    await transition(trx, consultant, 'available', { from: ['on_call'], onlyEntry: e.id, entryId: null, at: now });
    const conference = e.conference_sid;
    return {
      notices: [{ agentId: e.agent_id!, event: 'call:consult_ended', payload: { entry_id: String(e.id), reason: 'consult_unreachable' } }, stateNotice(consultant, 'available', now)],
      after: conference && e.call_sid ? () => voice.hold(conference, e.call_sid!, false) : undefined,
    };
  }

  return {
    /** Restores a console after a reload: the agent's state and the call it holds, if any. */
    async current(agentId: number) {
      const agent = await findAgent(db, agentId);
      if (!agent) return null;
      const entry = agent.entry_id ? await findEntry(db, agent.entry_id) : undefined;
      const holds = entry && (entry.agent_id === agentId || entry.consult_agent_id === agentId);
      return {
        state: agent.state, reason: agent.reason, since: new Date(agent.state_since).toISOString(),
        call: holds ? offerPayload(entry, clock(), null) : null,
      };
    },

    /**
     * Where the agent stands, in brief: what every heartbeat answers. A console compares it with
     * its own view and asks for `current` when they differ.
     */
    async digest(agentId: number): Promise<AgentDigest | null> {
      const agent = await findAgent(db, agentId);
      if (!agent) return null;
      const entry = agent.entry_id ? await findEntry(db, agent.entry_id) : undefined;
      const holds = entry && (entry.agent_id === agentId || entry.consult_agent_id === agentId);
      return { state: agent.state, reason: agent.reason, since: new Date(agent.state_since).toISOString(), entry_id: holds ? String(entry.id) : null, entry_state: holds ? entry.state : null };
    },

    /** The customer's data changed (a CRM or core-banking feed): refresh the pop on every screen showing it. */
    async profileChanged(customerId: number) {
      const live = await db('queue_entries').where({ customer_id: customerId }).whereIn('state', ['offered', 'connecting', 'connected']).whereNotNull('agent_id');
      if (live.length === 0) return;
      const profile = await deps.customers.prefetchProfile(customerId);
      if (!profile) return;
      const notices: Notice[] = [];
      for (const e of live as EntryRow[]) {
        await updateEntry(db, e.id, { profile: profile as unknown as Record<string, unknown> });
        for (const agentId of [e.agent_id, e.consult_agent_id]) {
          if (agentId !== null) notices.push({ agentId, event: 'profile:updated', payload: { entry_id: String(e.id), profile } });
        }
      }
      deps.notify(notices);
    },

    /** The agent takes the offered call: caller and agent are connected through the call's conference. */
    async accept(agentId: number, entryId: string) {
      const now = clock();
      const claimed = await db.transaction(async (trx) => {
        const e = await findEntry(trx, entryId, { lock: 'wait' });
        if (!e || e.state !== 'offered' || e.agent_id !== agentId || (e.offer_expires_at && new Date(e.offer_expires_at) < now)) throw appError('SB_ERR_OFFER_GONE');
        const agent = await transition(trx, agentId, 'on_call', { from: ['reserved'], onlyEntry: e.id, at: now });
        if (!agent) throw appError('SB_ERR_OFFER_GONE');
        // While connecting, offer_expires_at is the deadline for the agent's leg to join.
        await updateEntry(trx, e.id, { state: 'connecting', offer_expires_at: new Date(now.getTime() + deps.connectSeconds * 1000) });
        await appendEvents(trx, e.interaction_id, [{ type: 'accepted', data: { agent_id: agentId, entry_id: e.id }, at: now }]);
        return { e, agent };
      });
      deps.notify([stateNotice(agentId, 'on_call', now)]);
      metrics.accepts.inc();
      try {
        // A callback has no caller yet: the customer is dialled now, and joins the conference on answering.
        if (claimed.e.call_sid === null) await deps.dialOut?.(entryId);
        else await voice.connect({ entryId, callerSid: claimed.e.call_sid });
      } catch (err) {
        // Twilio's status and code only: its message may name the number.
        const { status, code } = err as { status?: number; code?: string | number };
        deps.log.warn({ entry_id: entryId, http_status: status ?? null, twilio_code: code ?? null }, 'connecting the caller failed (after retries)');
        // A 4xx (not 429) is Twilio saying the call is gone (the caller hung up): nobody to put back in line.
        const callerGone = typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
        deps.notify(await db.transaction((trx) => connectFailed(trx, entryId, agentId, clock(), callerGone)));
        void deps.routing.kick();
        throw appError('SB_ERR_CALL_GONE');
      }
      return { entry_id: entryId, state: 'connecting' as const };
    },

    /**
     * Accepted calls whose agent leg never joined (the browser or phone did not answer): the
     * caller goes back into the queue in their old place, the agent to away (missed).
     */
    async sweepConnects(): Promise<void> {
      const now = clock();
      // A callback whose customer never joined is the callbacks' to retry (not a caller to put back in line).
      const stuck: EntryRow[] = await db('queue_entries').where('state', 'connecting').where('offer_expires_at', '<', now)
        .where((q) => q.whereNull('callback_id').orWhereNotNull('conference_sid'));
      for (const s of stuck) {
        const moved = await db.transaction(async (trx) => {
          const e = await findEntry(trx, s.id, { lock: 'skip' });
          if (!e || e.state !== 'connecting' || e.agent_id === null) return null;
          return backInLine(trx, e, 'timeout', now);
        });
        if (!moved) continue;
        deps.notify(moved.notices);
        await moved.after();
      }
    },

    /**
     * Twilio reports the agent's leg ended without answering (busy, no answer, failed, canceled):
     * the caller goes back in line in their place at once, hearing why; the agent goes away (missed).
     * A consulted colleague who does not answer just leaves the caller with the agent.
     */
    async legEnded(trx: Knex, entryId: string, leg: { callSid: string; status: string }): Promise<{ notices: Notice[]; after?: () => Promise<void> }> {
      if (!LEG_FAILED.has(leg.status)) return { notices: [] };
      const now = clock();
      const e = await findEntry(trx, entryId, { lock: 'wait' });
      if (!e || leg.callSid === e.call_sid) return { notices: [] };
      if (e.state === 'connecting' && e.agent_id !== null && (e.agent_call_sid === null || e.agent_call_sid === leg.callSid)) {
        const moved = await backInLine(trx, e, leg.status, now);
        return moved ? { notices: moved.notices, after: moved.after } : { notices: [] };
      }
      if (e.consult_call_sid === leg.callSid && e.consult_agent_id !== null) return consultFailed(trx, e, leg.status, now);
      return { notices: [] };
    },

    /** An agent's phone was answered by its voicemail: that leg is hung up and the caller goes back in line, never put through to it. */
    async legAnsweredBy(trx: Knex, entryId: string, leg: { callSid: string; answeredBy: string }): Promise<{ notices: Notice[]; after?: () => Promise<void> }> {
      if (!isMachine(leg.answeredBy)) return { notices: [] };
      const now = clock();
      const e = await findEntry(trx, entryId, { lock: 'wait' });
      if (!e || leg.callSid === e.call_sid) return { notices: [] };
      const hangUp = () => voice.hangup(leg.callSid).catch(() => undefined);
      if ((e.state === 'connecting' || e.state === 'connected') && e.agent_id !== null && (e.agent_call_sid === null || e.agent_call_sid === leg.callSid) && e.consult_call_sid !== leg.callSid) {
        const moved = await backInLine(trx, e, 'voicemail', now);
        return moved ? { notices: moved.notices, after: async () => { await hangUp(); await moved.after(); } } : { notices: [] };
      }
      if (e.consult_call_sid === leg.callSid && e.consult_agent_id !== null) {
        const r = await consultFailed(trx, e, 'voicemail', now);
        return { notices: r.notices, after: async () => { await hangUp(); await r.after?.(); } };
      }
      return { notices: [] };
    },

    /** Twilio reports a participant joining or leaving the call's conference (TwiML webhook transaction). */
    async conferenceEvent(trx: Knex, entryId: string, ev: { event: string; callSid: string; conferenceSid: string }): Promise<{ notices: Notice[]; after?: () => Promise<void> }> {
      const now = clock();
      const e = await findEntry(trx, entryId, { lock: 'wait' });
      if (!e) return { notices: [] };
      if (ev.event === 'participant-join' && ev.callSid === e.call_sid && e.state === 'connecting' && e.agent_id !== null) {
        // The caller is in the room: now ring the agent into this very conference.
        await updateEntry(trx, e.id, { conference_sid: ev.conferenceSid });
        const agent = (await findAgent(trx, e.agent_id))!;
        const call = await findCall(trx, e.call_sid);
        const conferenceSid = ev.conferenceSid;
        return {
          notices: [],
          after: async () => {
            let leg: string;
            try {
              leg = await voice.addLeg({ entryId: String(e.id), conferenceSid, from: call ? bankNumber(call) : '', to: agentTarget(agent) });
            } catch (err) {
              // Retries and all, Twilio would not ring the agent: the caller goes back in line now, not at the connect deadline.
              const { status, code } = err as { status?: number; code?: string | number };
              deps.log.warn({ entry_id: e.id, http_status: status ?? null, twilio_code: code ?? null }, 'ringing the agent failed (after retries)');
              const moved = await db.transaction(async (t2) => {
                const fresh = await findEntry(t2, String(e.id), { lock: 'wait' });
                return fresh?.state === 'connecting' && fresh.agent_id === e.agent_id ? backInLine(t2, fresh, 'connect_failed', clock(), 'line') : null;
              });
              if (moved) {
                deps.notify(moved.notices);
                await moved.after();
              }
              return;
            }
            await db('queue_entries').where({ id: e.id }).update({ agent_call_sid: leg });
          },
        };
      }
      if (ev.event === 'participant-join' && ev.callSid !== e.call_sid) {
        if (e.state === 'connecting') {
          await updateEntry(trx, e.id, { state: 'connected', answered_at: now, agent_call_sid: ev.callSid });
          // Connects work again: the count of failed ones starts over.
          if (e.agent_id !== null) await resetConnectFailures(trx, e.agent_id);
          await appendEvents(trx, e.interaction_id, [{ type: 'connected', data: { entry_id: e.id, agent_id: e.agent_id, waited_s: Math.round((now.getTime() - new Date(e.enqueued_at).getTime()) / 1000) }, at: now }]);
          await updateSummary(trx, e.interaction_id, { answered_at: now, outcome: 'agent', agent_user_id: e.agent_id ?? undefined });
          return { notices: [{ agentId: e.agent_id!, event: 'call:connected', payload: { entry_id: String(e.id) } }] };
        }
        if (ev.callSid === e.consult_call_sid) {
          await appendEvents(trx, e.interaction_id, [{ type: 'consult_joined', data: { entry_id: e.id, agent_id: e.consult_agent_id }, at: now }]);
          return { notices: [{ agentId: e.agent_id!, event: 'call:consult_joined', payload: { entry_id: String(e.id) } }] };
        }
        return { notices: [] };
      }
      if (ev.event !== 'participant-leave' || e.state !== 'connected') return { notices: [] };
      if (ev.callSid === e.agent_call_sid && e.consult_agent_id !== null && e.consult_call_sid !== null) {
        // The agent left a consult: the caller now belongs to the relationship manager.
        const from = e.agent_id!;
        const rm = e.consult_agent_id;
        await updateEntry(trx, e.id, { agent_id: rm, agent_call_sid: e.consult_call_sid, consult_agent_id: null, consult_call_sid: null, held: false });
        await appendEvents(trx, e.interaction_id, [{ type: 'transferred', data: { entry_id: e.id, from_agent_id: from, to_agent_id: rm, mode: 'consult' }, at: now }]);
        await updateSummary(trx, e.interaction_id, { agent_user_id: rm });
        await transition(trx, from, 'wrap_up', { from: ['on_call'], at: now });
        const conference = ev.conferenceSid;
        const caller = e.call_sid!;
        return {
          notices: [{ agentId: from, event: 'call:ended', payload: { entry_id: String(e.id), reason: 'transferred' } }, stateNotice(from, 'wrap_up', now), { agentId: rm, event: 'call:connected', payload: { entry_id: String(e.id) } }],
          after: () => voice.hold(conference, caller, false),
        };
      }
      if (ev.callSid === e.agent_call_sid) {
        // The agent hung up their own leg: end the conference, so the caller moves on (the survey).
        const conference = ev.conferenceSid;
        return { notices: [], after: () => voice.endConference(conference) };
      }
      if (ev.callSid === e.consult_call_sid && e.consult_agent_id !== null) {
        await updateEntry(trx, e.id, { consult_agent_id: null, consult_call_sid: null });
        await appendEvents(trx, e.interaction_id, [{ type: 'consult_ended', data: { entry_id: e.id, agent_id: e.consult_agent_id }, at: now }]);
        await transition(trx, e.consult_agent_id, 'available', { from: ['on_call'], onlyEntry: e.id, entryId: null, at: now });
        return { notices: [{ agentId: e.agent_id!, event: 'call:consult_ended', payload: { entry_id: String(e.id) } }, stateNotice(e.consult_agent_id, 'available', now)] };
      }
      return { notices: [] };
    },

    /** The caller left the conference or hung up while being connected (webhook transaction). */
    async callerDone(trx: Knex, callSid: string, reason: string): Promise<Notice[]> {
      const e = await trx('queue_entries').where({ call_sid: callSid }).whereIn('state', ['connecting', 'connected']).orderBy('id', 'desc').forUpdate().first();
      return e ? finish(trx, e, clock(), reason) : [];
    },

    async hold(agentId: number, on: boolean) {
      const { entry } = await agentsEntry(db, agentId, ['connected']);
      if (!entry.conference_sid || !entry.call_sid) throw appError('SB_ERR_CALL_NOT_ACTIVE');
      await voice.hold(entry.conference_sid, entry.call_sid, on);
      const now = clock();
      await db.transaction(async (trx) => {
        await updateEntry(trx, entry.id, { held: on });
        await appendEvents(trx, entry.interaction_id, [{ type: on ? 'held' : 'unheld', data: { entry_id: entry.id, agent_id: agentId }, at: now }]);
      });
      return { entry_id: String(entry.id), held: on };
    },

    /** Ends the call for both sides; the caller then hears the survey. */
    async end(agentId: number) {
      const { entry } = await agentsEntry(db, agentId, ['connected']);
      if (!entry.conference_sid) throw appError('SB_ERR_CALL_NOT_ACTIVE');
      await voice.endConference(entry.conference_sid);
      return { entry_id: String(entry.id) };
    },

    /**
     * Transfer. Blind (to a skill, or to a named agent who is free now): the caller goes back to a
     * queue, keeping the pop and the IVR's findings, and this agent goes to wrap-up; a named agent
     * who does not take it within the offer time leaves it to the skill's queue. Consult (to the
     * caller's RM, a named agent, or any free agent of a skill): the caller is held while the
     * colleague is rung into the conference, and the agent leaves when ready. Nobody free to take
     * it is refused at once: the caller is never sent where no one can answer.
     */
    async transfer(agentId: number, target: TransferTarget) {
      const now = clock();
      const { entry } = await db.transaction((trx) => agentsEntry(trx, agentId, ['connected']));
      if (target.to === 'rm' || target.mode === 'consult') {
        if (!entry.conference_sid || !entry.call_sid) throw appError('SB_ERR_CALL_NOT_ACTIVE');
        if (target.to === 'rm' && entry.rm_id === null) throw appError('SB_ERR_TRANSFER_TARGET_INVALID', 'The caller has no relationship manager');
        if (target.to === 'agent' && !(await findAgent(db, target.agent_id))) throw appError('SB_ERR_TRANSFER_TARGET_INVALID', `No agent ${target.agent_id}`);
        const colleague = await db.transaction(async (trx) => {
          const q = trx('agents as a').join('users as u', 'u.id', 'a.user_id').where('a.state', 'available').where('a.lease_until', '>', now).where('u.active', true)
            .whereNot('a.user_id', agentId).whereRaw('a.languages @> ARRAY[?]::text[]', [entry.language]).forUpdate('a').skipLocked();
          if (target.to === 'rm') q.where('u.rm_id', entry.rm_id);
          else if (target.to === 'agent') q.where('a.user_id', target.agent_id);
          else q.whereRaw('jsonb_exists(a.skills, ?)', [target.skill]).orderByRaw('COALESCE((a.skills->>?)::int, 0) DESC, a.idle_since ASC NULLS FIRST', [target.skill]);
          const candidate = await q.first('a.*', 'u.username', 'u.role', 'u.rm_id');
          if (!candidate) throw appError('SB_ERR_TRANSFER_TARGET_UNAVAILABLE', target.to === 'rm' ? "The caller's relationship manager is not available" : undefined);
          await transition(trx, candidate.user_id, 'on_call', { from: ['available'], entryId: entry.id, at: now });
          await updateEntry(trx, entry.id, { consult_agent_id: candidate.user_id, held: true });
          await appendEvents(trx, entry.interaction_id, [{ type: 'consult_started', data: { entry_id: entry.id, agent_id: agentId, to_agent_id: candidate.user_id, to: target }, at: now }]);
          if (entry.customer_id !== null) {
            await recordAudit(trx, { actor: { sub: String(candidate.user_id), username: candidate.username, role: candidate.role }, action: 'customer.view', customer_id: entry.customer_id, purpose: 'call', call_sid: entry.call_sid, details: { via: 'consult', entry_id: entry.id } });
          }
          return candidate as AgentRow;
        });
        await voice.hold(entry.conference_sid, entry.call_sid, true);
        const call = await findCall(db, entry.call_sid);
        const leg = await voice.addLeg({ entryId: String(entry.id), conferenceSid: entry.conference_sid, from: call ? bankNumber(call) : '', to: agentTarget(colleague) });
        await db('queue_entries').where({ id: entry.id }).whereNull('consult_call_sid').where({ consult_agent_id: colleague.user_id }).update({ consult_call_sid: leg });
        deps.notify([stateNotice(colleague.user_id, 'on_call', now), { agentId: colleague.user_id, event: 'call:consult', payload: offerPayload({ ...entry, consult_agent_id: colleague.user_id }, now, null) }]);
        return { entry_id: String(entry.id), state: 'consulting' as const };
      }
      const result = await db.transaction(async (trx) => {
        const e = (await findEntry(trx, entry.id, { lock: 'wait' }))!;
        if (e.state !== 'connected' || e.agent_id !== agentId || !e.call_sid) throw appError('SB_ERR_CALL_NOT_ACTIVE');
        if (target.to === 'agent') {
          const to = await findAgent(trx, target.agent_id);
          if (!to) throw appError('SB_ERR_TRANSFER_TARGET_INVALID', `No agent ${target.agent_id}`);
          if (to.state !== 'available' || !to.lease_until || new Date(to.lease_until) <= now || !to.languages.includes(e.language) || to.user_id === agentId) {
            throw appError('SB_ERR_TRANSFER_TARGET_UNAVAILABLE', `Agent ${target.agent_id} is ${to.state === 'available' ? 'not able to take this call' : to.state}`);
          }
        }
        const call = (await findCall(trx, e.call_sid))!;
        await updateEntry(trx, e.id, { state: 'transferred', ended_at: now });
        const next = await deps.routing.enqueue(trx, {
          interaction_id: e.interaction_id, call_sid: e.call_sid, skill: target.to === 'skill' ? target.skill : e.skill, language: e.language,
          customer_id: e.customer_id, tier: e.tier, ivr: e.ivr, target_agent_id: target.to === 'agent' ? target.agent_id : null, campaign: e.campaign, priority: e.priority,
        });
        await appendEvents(trx, e.interaction_id, [{ type: 'transferred', data: { entry_id: e.id, from_agent_id: agentId, to: target, next_entry_id: next, mode: 'blind' }, at: now }]);
        await transition(trx, agentId, 'wrap_up', { from: ['on_call'], at: now });
        return { next, step: call.step, callSid: e.call_sid };
      });
      await voice.requeue(result.callSid, result.next, result.step);
      deps.notify([{ agentId, event: 'call:ended', payload: { entry_id: String(entry.id), reason: 'transferred' } }, stateNotice(agentId, 'wrap_up', now)]);
      void deps.routing.kick();
      return { entry_id: String(entry.id), next_entry_id: result.next, state: 'transferred' as const };
    },

    /** The agent hands the caller to the consulted RM: their own leg leaves, and the conference report completes the handover. */
    async completeConsult(agentId: number) {
      const { entry } = await agentsEntry(db, agentId, ['connected']);
      if (entry.consult_agent_id === null || !entry.consult_call_sid || !entry.conference_sid || !entry.agent_call_sid) throw appError('SB_ERR_CALL_NOT_ACTIVE', 'No consult in progress');
      await voice.dropLeg(entry.conference_sid, entry.agent_call_sid);
      return { entry_id: String(entry.id), state: 'handing_over' as const };
    },

    /** Wrap-up: disposition, reasons, products and notes on the interaction; then the agent is free. */
    async wrapup(agentId: number, w: Wrapup) {
      const now = clock();
      const entryId = await db.transaction(async (trx) => {
        const agent = await findAgent(trx, agentId);
        if (!agent || agent.state !== 'wrap_up' || !agent.entry_id) throw appError('SB_ERR_WRAPUP_NOT_PENDING');
        const e = (await findEntry(trx, agent.entry_id))!;
        // First, so its locks come in the order the call's own webhooks take them (attempt, then interaction).
        const user = await trx('users').where({ id: agentId }).first('username', 'role');
        await deps.onWrapup?.(trx, e, w, { sub: String(agentId), username: user.username as string, role: user.role as string });
        await trx('interactions').where({ id: e.interaction_id }).update({
          disposition: w.disposition, reason_codes: w.reason_codes, products_discussed: w.products_discussed, notes: w.notes ?? null, wrapped_up_at: now,
        });
        await appendEvents(trx, e.interaction_id, [{ type: 'wrapup', data: { entry_id: e.id, agent_id: agentId, disposition: w.disposition, reason_codes: w.reason_codes, products_discussed: w.products_discussed, has_notes: Boolean(w.notes), ...(w.callback_at ? { callback_at: w.callback_at, to_me: Boolean(w.callback_to_me) } : {}) }, at: now }]);
        await transition(trx, agentId, 'available', { from: ['wrap_up'], entryId: null, at: now });
        return e.id;
      });
      deps.notify([stateNotice(agentId, 'available', now)]);
      void deps.routing.kick();
      return { entry_id: String(entryId), state: 'available' as const };
    },
  };
}

export type ConversationService = ReturnType<typeof createConversationService>;
