import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { advance, startSession, type IvrAction, type IvrEvent, type IvrInput, type IvrSession, type Lang } from '../../../ivr/engine.js';
import type { Flow } from '../../../ivr/flow-schema.js';
import { customerId, isVerified } from '../../../ivr/context.js';
import { isDialable, maskPhone } from '../../lib/phone.js';
import type { Notice } from '../../lib/realtime-notices.js';
import {
  appendEvents, attachCall, insertInteraction, outcomeFacts, selfServiceOf, setOutboundParty, updateSummary, type EventRow, type SummaryChange,
} from '../interactions/interactions-repository.js';
import { findCall, insertCall, updateCall, type CallRow } from './calls-repository.js';
import { createIvrPorts, type IvrServices } from './ivr-ports.js';

/** What the telephony adapter renders for the caller: the IVR's actions, or nothing more to do. */
export interface Turn {
  actions: IvrAction[];
  step: number;
  lang: Lang;
  /** Routing may have new work: the caller joined a queue or booked a callback, or left a queue or an agent on the way here. */
  routing: boolean;
  /** Present when this turn starts (true) or ends (false) asking for a secret: a recording pauses or resumes. */
  secureInput?: boolean;
}

/** Session variable: the last turn asked for a secret (a PIN, a card number). */
const SECRET_ASKED = '_secret_asked';

export type CallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';

const FINAL: ReadonlySet<string> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
// A call only moves forward along this order; callbacks that would move it back are late.
const RANK: Record<string, number> = { queued: 0, initiated: 1, ringing: 2, 'in-progress': 3 };
const rank = (status: string) => (FINAL.has(status) ? 9 : RANK[status] ?? 0);

export const isFinal = (status: string) => FINAL.has(status);

/** The interaction summary an IVR event implies (the event itself is always kept as it is). */
function summaryOf(e: IvrEvent, now: Date): SummaryChange {
  const d = e.data;
  switch (e.type) {
    case 'identified': return { customer_id: d.customer_id as number, tier_at_time: (d.tier as string | undefined) ?? null };
    case 'language_selected': return { language: d.lang as string };
    case 'verified': return { verified: true };
    case 'self_service': return { add_self_service: d.service as string };
    case 'queued': return { queue_skill: d.skill as string, queued_at: now };
    case 'callback_requested': return { outcome: 'callback' };
    case 'transferred': return { outcome: 'transferred' };
    case 'survey_score': return { survey_score: d.score as number };
    default: return {};
  }
}

/** What the IVR learned, for the agent's pop: never PINs (those are secret vars, not in the path). */
function findings(s: IvrSession, selfService: string[], reason: string): Record<string, unknown> {
  return { path: s.path.slice(-12), verified: isVerified(s), self_service: selfService, reason, skill: s.vars._queue_skill ?? null, language: s.lang };
}

/** How a call that has ended is summed up, unless something on the way already said. */
function outcomeAtEnd(row: { outcome: string | null; queued_at: Date | null; answered_at: Date | null; self_service: string[] }, status: string): string {
  if (row.outcome) return row.outcome;
  if (status !== 'completed') return 'failed';
  if (row.queued_at && !row.answered_at) return 'abandoned';
  if (row.self_service.length > 0) return 'self_service';
  return 'hangup_in_ivr';
}

/** How the hotline hands callers to routing and tells it they are gone (webhook transaction). */
export interface QueuePort {
  enqueue(trx: Knex, c: { interaction_id: string; call_sid: string; skill: string; language: string; customer_id: number | null; tier: string | null; priority: number; ivr: Record<string, unknown> }): Promise<string>;
  /** The caller left a queue without an agent: hung up, or left to be called back. */
  callerLeft(trx: Knex, callSid: string, why: 'abandoned' | 'callback' | 'failed' | 'unavailable'): Promise<Notice[]>;
  /** The caller's conversation with an agent is over (left the conference, or hung up). */
  callerDone(trx: Knex, callSid: string, reason: string): Promise<Notice[]>;
}

export interface CallsServiceDeps {
  flows: ReadonlyMap<string, Flow>;
  /** DNIS (the hotline number dialled) -> the flow it enters. */
  hotlines: ReadonlyMap<string, string>;
  defaultFlow: string;
  queue: QueuePort;
  /** What the IVR asks of routing (can this queue serve the caller now?) and of callbacks. */
  ivr: IvrServices;
  /** The IVR's clock (business hours, event times); routing keeps its own real-time clock. */
  now?: () => Date;
}

/**
 * The life of a hotline call, independent of Twilio: start it, feed the IVR what the caller did,
 * follow its status to the end, and keep the interaction timeline. Every method runs on the
 * caller's transaction, with the call already locked, so one webhook is one atomic step.
 */
export function createCallsService(deps: CallsServiceDeps) {
  const now = deps.now ?? (() => new Date());

  async function record(trx: Knex, interactionId: string, events: EventRow[], summary: SummaryChange = {}): Promise<void> {
    await appendEvents(trx, interactionId, events);
    await updateSummary(trx, interactionId, summary);
  }

  async function runIvr(trx: Knex, call: CallRow, input: IvrInput, left = false): Promise<Turn> {
    const flow = deps.flows.get(call.flow);
    if (!flow) throw new Error(`call ${call.sid} is in unknown flow ${call.flow}`);
    const session = call.ivr_session;
    let latest = session;
    const ports = createIvrPorts(trx, {
      interactionId: call.interaction_id, ani: call.from_number, dnis: call.to_number,
      queuedAt: () => (typeof session.vars.queued_at === 'string' ? new Date(session.vars.queued_at) : null),
      // Read only when a callback is booked: most turns never need it.
      findings: async () => findings(latest, await selfServiceOf(trx, call.interaction_id), 'callback'),
    }, deps.ivr, now);
    const result = await advance(flow, session, input, ports);
    latest = result.session;
    const at = now();
    const next: IvrSession = result.session;
    for (const e of result.events) {
      if (e.type === 'queued' && next.vars.queued_at === undefined) {
        next.vars.queued_at = at.toISOString();
        next.vars.queue_skill = e.data.skill;
      }
    }
    const summary = Object.assign({}, ...result.events.map((e) => summaryOf(e, at))) as SummaryChange;
    await record(trx, call.interaction_id, result.events.map((e) => ({ type: e.type, node: e.node, data: e.data, at })), summary);
    for (const e of result.events.filter((x) => x.type === 'queued')) {
      await deps.queue.enqueue(trx, {
        interaction_id: call.interaction_id, call_sid: call.sid, skill: e.data.skill as string, language: next.lang,
        customer_id: customerId(next), tier: (e.data.tier as string | null) ?? null, priority: Number(e.data.priority ?? 0),
        ivr: findings(next, await selfServiceOf(trx, call.interaction_id), e.node),
      });
    }
    // Whether the call's recording (if any) must pause for a secret or may resume: told only when that changes.
    const secret = result.actions.some((a) => a.type === 'gather' && a.secret);
    const wasSecret = session.vars[SECRET_ASKED] === true;
    if (secret) next.vars[SECRET_ASKED] = true;
    else delete next.vars[SECRET_ASKED];
    const step = call.step + 1;
    await updateCall(trx, call.sid, { ivr_session: next, step });
    return {
      actions: result.actions, step, lang: next.lang,
      routing: left || result.events.some((e) => e.type === 'queued' || e.type === 'callback_requested'),
      ...(secret !== wasSecret ? { secureInput: secret } : {}),
    };
  }

  /** Creates the call and its interaction; used by the incoming webhook and by a status callback that comes first. */
  async function createCall(trx: Knex, c: { sid: string; from: string; to: string; direction: string; status: string }): Promise<CallRow> {
    const flowId = deps.hotlines.get(c.to) ?? deps.defaultFlow;
    const flow = deps.flows.get(flowId);
    if (!flow) throw new Error(`hotline ${c.to} maps to unknown flow ${flowId}`);
    const session = startSession(flow, { ani: c.from, dnis: c.to });
    const interactionId = randomUUID();
    const at = now();
    await insertInteraction(trx, {
      id: interactionId, channel: 'phone', direction: c.direction.startsWith('outbound') ? 'outbound' : 'inbound', call_sid: c.sid,
      ani_masked: maskPhone(c.from), dnis: c.to, language: session.lang, started_at: at,
    });
    await appendEvents(trx, interactionId, [{ type: 'started', data: { from: maskPhone(c.from), to: c.to, flow: flowId }, at }]);
    const row = { sid: c.sid, interaction_id: interactionId, direction: c.direction, from_number: c.from, to_number: c.to, flow: flowId, status: c.status, ivr_session: session };
    await insertCall(trx, row);
    return { ...row, status_seq: -1, step: 0, queue_sid: null, created_at: at, ended_at: null };
  }

  return {
    findCall,

    /**
     * The interaction of an outbound contact (a campaign's dial, a callback's attempt), opened when
     * it is planned: its call row follows once Twilio names the call (openOutboundCall).
     */
    async openOutbound(trx: Knex, o: {
      customer_id: number | null; tier: string | null; language: string; bank_number: string; to: string;
      campaign_id?: number; callback_id?: string; event: EventRow;
    }): Promise<string> {
      const interactionId = randomUUID();
      const at = now();
      await insertInteraction(trx, { id: interactionId, channel: 'phone', direction: 'outbound', call_sid: null, ani_masked: maskPhone(o.to), dnis: o.bank_number, language: o.language, started_at: at });
      await setOutboundParty(trx, interactionId, { customer_id: o.customer_id, tier_at_time: o.tier, campaign_id: o.campaign_id ?? null, callback_id: o.callback_id ?? null });
      await appendEvents(trx, interactionId, [{ at, ...o.event }]);
      return interactionId;
    },

    /** The call row of an outbound contact's call, made by whichever of Twilio's requests about it comes first. */
    async openOutboundCall(trx: Knex, c: { sid: string; interaction_id: string; from: string; to: string; flow: 'campaign' | 'callback'; language: string }): Promise<CallRow> {
      const existing = await findCall(trx, c.sid);
      if (existing) return existing;
      const row = { sid: c.sid, interaction_id: c.interaction_id, direction: 'outbound-api', from_number: c.from, to_number: c.to, flow: c.flow, status: 'queued', ivr_session: { lang: c.language } as unknown as IvrSession };
      await insertCall(trx, row);
      await attachCall(trx, c.interaction_id, c.sid);
      return { ...row, status_seq: -1, step: 0, queue_sid: null, created_at: now(), ended_at: null };
    },

    /** A new inbound call: open its interaction and run the IVR from the flow's start. */
    async start(trx: Knex, c: { sid: string; from: string; to: string; direction: string }): Promise<Turn | 'ended' | null> {
      const existing = await findCall(trx, c.sid);
      if (existing && isFinal(existing.status)) return 'ended';
      // A second incoming request for a call already in the IVR (a retry whose parameters
      // changed) must not restart the flow: answer with what the call was last told.
      if (existing && existing.step > 0) return null;
      // A call no IVR flow runs (a campaign's outbound call) is never started on the voice URL.
      if (existing && !deps.flows.has(existing.flow)) return null;
      return runIvr(trx, existing ?? (await createCall(trx, { ...c, status: 'ringing' })), { kind: 'start' });
    },

    /**
     * What the caller did at the step the IVR was waiting on. A turn for another step is stale
     * (a retry that lost the race): `null` tells the adapter to answer what it answered before.
     */
    async input(trx: Knex, sid: string, step: number, input: IvrInput): Promise<Turn | 'ended' | null> {
      const call = await findCall(trx, sid);
      if (!call || isFinal(call.status)) return 'ended';
      if (step !== call.step) return null;
      return runIvr(trx, call, input);
    },

    /**
     * The caller left the Twilio queue: redirected to an agent's conference (routing did that;
     * nothing more to say), hung up (abandoned), left for a callback, or the queue failed.
     */
    async queueExit(trx: Knex, sid: string, step: number, result: string, waitedSeconds: number, notices: Notice[]): Promise<Turn | 'ended' | 'silent' | null> {
      const call = await findCall(trx, sid);
      if (!call) return 'ended';
      const at = now();
      await record(trx, call.interaction_id, [{ type: 'left_queue', data: { result, waited_s: waitedSeconds }, at }]);
      if (result === 'redirected' || result === 'redirected-from-bridged') return 'silent';
      notices.push(...(await deps.queue.callerLeft(trx, sid, result === 'hangup' ? 'abandoned' : result === 'leave' ? 'callback' : 'failed')));
      // A call outside the IVR (a callback put in line) has no flow to go on with.
      if (result === 'hangup' || isFinal(call.status) || !deps.flows.has(call.flow)) return 'ended';
      if (step !== call.step) return null;
      return runIvr(trx, call, { kind: 'queue_exit', result: result as Extract<IvrInput, { kind: 'queue_exit' }>['result'] }, true);
    },

    /** Nobody can serve the queue the caller waits in any more (its agents left, its hours ended): the flow's fallback. */
    async queueClosed(trx: Knex, sid: string, _entryId: string, step: number, notices: Notice[]): Promise<Turn | 'ended' | null> {
      const call = await findCall(trx, sid);
      if (!call || isFinal(call.status)) return 'ended';
      if (step !== call.step) return null;
      const left = await deps.queue.callerLeft(trx, sid, 'unavailable');
      notices.push(...left);
      await record(trx, call.interaction_id, [{ type: 'left_queue', data: { result: 'unavailable' }, at: now() }]);
      if (!deps.flows.has(call.flow)) return 'ended';
      return runIvr(trx, call, { kind: 'queue_exit', result: 'unavailable' }, true);
    },

    /** The caller's time with the agent is over (their conference <Dial> returned): the IVR goes on (the survey). */
    async afterAgent(trx: Knex, sid: string, step: number, notices: Notice[]): Promise<Turn | 'ended' | null> {
      const call = await findCall(trx, sid);
      if (!call) return 'ended';
      notices.push(...(await deps.queue.callerDone(trx, sid, 'conference_ended')));
      // A call outside the IVR (a campaign's) simply ends with its agent.
      if (isFinal(call.status) || !deps.flows.has(call.flow)) return 'ended';
      if (step !== call.step) return null;
      return runIvr(trx, call, { kind: 'queue_exit', result: 'bridged' }, true);
    },

    /**
     * The caller pressed a key while waiting. 1 asks to be called back, keeping their place: they
     * leave the queue and the flow books it. A number that cannot be called back stays in line.
     */
    async waitingKey(trx: Knex, sid: string, digits: string): Promise<'leave' | 'stay' | 'withheld'> {
      const call = await findCall(trx, sid);
      if (!call || isFinal(call.status) || digits !== '1' || !deps.flows.has(call.flow)) return 'stay';
      if (!isDialable(call.from_number)) {
        await record(trx, call.interaction_id, [{ type: 'callback_refused', data: { why: 'withheld' }, at: now() }]);
        return 'withheld';
      }
      await record(trx, call.interaction_id, [{ type: 'callback_offer_accepted', data: {}, at: now() }]);
      return 'leave';
    },

    /** Whether a waiting caller can be offered a callback at all (their number is not withheld). */
    canCallBack: (call: Pick<CallRow, 'from_number' | 'flow'>) => deps.flows.has(call.flow) && isDialable(call.from_number),

    /**
     * A status callback. Twilio retries them and delivers them out of order: one older than what
     * we have (by SequenceNumber, then by the order of states) is ignored, and nothing moves a call
     * back from a final state. A `completed` that arrives before anything else still ends the call.
     */
    async status(
      trx: Knex, s: { sid: string; from: string; to: string; direction: string; status: CallStatus; seq: number; duration?: number }, notices: Notice[],
      /** An outbound call's owner (a campaign, a callback) is told of each status applied, before the call's end is handled. */
      whenApplied?: () => Promise<void>,
    ): Promise<'applied' | 'stale'> {
      const call = (await findCall(trx, s.sid)) ?? (await createCall(trx, { ...s, status: 'queued' }));
      // Without a SequenceNumber (-1) only the order of states can tell a late callback.
      const late = s.seq >= 0 ? s.seq <= call.status_seq : rank(s.status) <= rank(call.status);
      if (isFinal(call.status) || late || rank(s.status) < rank(call.status)) return 'stale';
      const at = now();
      await updateCall(trx, s.sid, { status: s.status, status_seq: Math.max(s.seq, call.status_seq), ...(isFinal(s.status) ? { ended_at: at } : {}) });
      await whenApplied?.();
      if (!isFinal(s.status)) {
        await record(trx, call.interaction_id, [{ type: 'status', data: { status: s.status }, at }]);
        return 'applied';
      }
      // Hung up while waiting (abandoned) or while with an agent (the agent goes to wrap-up).
      notices.push(...(await deps.queue.callerLeft(trx, s.sid, 'abandoned')), ...(await deps.queue.callerDone(trx, s.sid, 'caller_hung_up')));
      const row = (await outcomeFacts(trx, call.interaction_id))!; // the call's interaction is made with it
      await record(trx, call.interaction_id, [{ type: 'ended', data: { status: s.status, duration_s: s.duration ?? null }, at }], {
        ended_at: at, outcome: outcomeAtEnd(row, s.status),
      });
      return 'applied';
    },

    /**
     * A waiting caller's language (the position and wait come from Twilio). Notes the Twilio queue
     * the call waits in: queue members are addressed by queue SID, which only this request tells.
     */
    async waiting(db: Knex, sid: string, queueSid: string | undefined): Promise<Lang> {
      const call = await findCall(db, sid);
      if (call && queueSid && call.queue_sid !== queueSid) await updateCall(db, sid, { queue_sid: queueSid });
      return call?.ivr_session.lang ?? 'zh';
    },
  };
}

export type CallsService = ReturnType<typeof createCallsService>;
