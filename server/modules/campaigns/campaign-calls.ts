import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { metrics } from '../../lib/metrics.js';
import { maskPhone } from '../../lib/phone.js';
import type { Notice } from '../../lib/realtime-notices.js';
import { findCall } from '../calls/calls-repository.js';
import type { CallsService } from '../calls/calls-service.js';
import { FINAL_STATUSES, isMachine, unreachedOutcome, type AnswerAction, type OutboundOwner } from '../calls/outbound.js';
import type { CustomersService } from '../customers/customers-service.js';
import { appendEvents, updateSummary } from '../interactions/interactions-repository.js';
import type { EntryRow as QueueEntryRow } from '../routing/routing-repository.js';
import type { RoutingService } from '../routing/routing-service.js';
import { findUser } from '../users/users-service.js';
import { campaignPop, freePreviewAgent, settleEntry } from './attempts.js';
import {
  addDoNotCall, attemptOfCall, claimAgent, findAttempt, findCampaign, findListEntry, updateAttempt, updateListEntry, type AttemptRow, type CampaignRow,
} from './campaigns-repository.js';
import { DISPOSITIONS } from './campaigns-schemas.js';

/** A person who answers must have an agent within this many seconds, or the call counts as abandoned. */
export const ABANDON_AFTER_SECONDS = 2;

export interface CampaignCallsDeps {
  customers: Pick<CustomersService, 'dialFacts'>;
  /** The calls service opens each dial's interaction and call row on the one outbound path shared with callbacks. */
  calls: Pick<CallsService, 'openOutbound' | 'openOutboundCall'>;
  /** Routing puts a person who answered through to the agent claimed for them. */
  routing: Pick<RoutingService, 'assign'>;
  /** After accepting a person's answer, how long the agent's leg has to join (routing's connect deadline). */
  connectSeconds: number;
  bankName: { zh: string; en: string };
  now?: () => Date;
}

/**
 * A campaign's calls once placed, as Twilio reports them to a web node: the answer (a person to an
 * agent at once, a machine to the voicemail), each status, and the agent's disposition.
 */
export function createCampaignCalls(deps: CampaignCallsDeps) {
  const clock = deps.now ?? (() => new Date());

  /** What a person left without an agent hears: who called, from which number, and that we will call again. */
  function identification(c: CampaignRow, lang: 'zh' | 'en'): string {
    return lang === 'zh'
      ? `您好，这里是${deps.bankName.zh}，来电号码${c.caller_id}。我们稍后会再与您联系，打扰了。`
      : `Hello, this is ${deps.bankName.en} calling from ${c.caller_id}. We will call you back later. Thank you.`;
  }

  /** The call's row and its interaction, made by whichever of Twilio's requests about it comes first. */
  async function ensureCall(trx: Knex, a: AttemptRow, callSid: string): Promise<string> {
    const existing = await findCall(trx, callSid);
    if (existing) return existing.interaction_id;
    const c = (await findCampaign(trx, a.campaign_id))!;
    const e = (await findListEntry(trx, a.entry_id))!;
    const customer = await deps.customers.dialFacts(a.customer_id, trx);
    const language = customer?.language ?? 'zh';
    const { calls } = deps;
    const interactionId = await calls.openOutbound(trx, {
      customer_id: a.customer_id, tier: customer?.tier ?? null, language, bank_number: c.caller_id, to: e.phone, campaign_id: c.id,
      event: { type: 'campaign_dial', data: { campaign_id: c.id, attempt_id: a.id, attempt: a.attempt, to: maskPhone(e.phone), mode: c.dialing_mode, overdial: a.overdial } },
    });
    await calls.openOutboundCall(trx, { sid: callSid, interaction_id: interactionId, from: c.caller_id, to: e.phone, flow: 'campaign', language });
    await updateListEntry(trx, e.id, { interaction_id: interactionId });
    if (a.call_sid === null) await updateAttempt(trx, a.id, { call_sid: callSid });
    return interactionId;
  }

  /** Puts the person who answered through to a free agent of the campaign: the agent is on the call at once, no offer to accept. */
  async function connectAgent(trx: Knex, a: AttemptRow, c: CampaignRow, interactionId: string, callSid: string, now: Date, notices: Notice[]): Promise<string | null> {
    const claimed = await claimAgent(trx, c.skill, now, a.agent_id);
    if (!claimed) return null;
    const customer = await deps.customers.dialFacts(a.customer_id, trx);
    const user = (await findUser(trx, claimed.user_id))!;
    const language = customer?.language ?? 'zh';
    const { entryId, notices: told } = await deps.routing.assign(trx, {
      interaction_id: interactionId, call_sid: callSid, skill: c.skill, language, tier: customer?.tier ?? 'STANDARD', customer_id: a.customer_id,
      campaign: campaignPop(c), ivr: { path: [], verified: false, self_service: [], reason: 'campaign', skill: c.skill, language },
    }, { user_id: claimed.user_id, username: user.username, role: user.role }, deps.connectSeconds);
    await updateAttempt(trx, a.id, { queue_entry_id: entryId, agent_id: claimed.user_id });
    await appendEvents(trx, interactionId, [{ type: 'campaign_agent_assigned', data: { entry_id: entryId, agent_id: claimed.user_id, campaign_id: c.id }, at: now }]);
    notices.push(...told);
    return entryId;
  }

  /** A status callback for a campaign call (after the call's own status was applied). */
  async function statusChanged(trx: Knex, attemptId: string, p: { callSid: string; status: string }, notices: Notice[]): Promise<void> {
    const a = await findAttempt(trx, attemptId, true);
    if (!a) return;
    const interactionId = await ensureCall(trx, a, p.callSid);
    if (!FINAL_STATUSES.has(p.status) || a.state === 'ended' || a.state === 'blocked') return;
    const now = clock();
    const outcome = a.outcome ?? unreachedOutcome(p.status) ?? (a.queue_entry_id !== null ? 'human' : a.answered_at ? 'abandoned' : 'failed');
    await updateAttempt(trx, a.id, { state: 'ended', ended_at: now, outcome });
    metrics.dialAttempts.inc({ purpose: 'campaign', outcome });
    await updateSummary(trx, interactionId, { outcome: outcome === 'human' ? 'agent' : outcome });
    await settleEntry(trx, (await findCampaign(trx, a.campaign_id))!, a, outcome, now);
    notices.push(...(await freePreviewAgent(trx, a, now)));
  }

  const api = {
    /** Twilio fetched the answer URL: a machine gets the voicemail (or nothing), a person an agent within 2 s or the identification message. */
    async answered(trx: Knex, attemptId: string, p: { callSid: string; answeredBy?: string; waited: number }, notices: Notice[]): Promise<AnswerAction> {
      const now = clock();
      const a = await findAttempt(trx, attemptId, true);
      if (!a) return { kind: 'hangup' };
      const interactionId = await ensureCall(trx, a, p.callSid);
      const c = (await findCampaign(trx, a.campaign_id))!;
      const customer = await deps.customers.dialFacts(a.customer_id, trx);
      const lang: 'zh' | 'en' = customer?.language === 'en' ? 'en' : 'zh';
      // Given up on (lost) and answered after all: a person still hears who called.
      if (a.state === 'ended' && a.outcome === 'lost' && !isMachine(p.answeredBy)) return { kind: 'message', text: identification(c, lang), lang };
      if (a.state === 'ended' || a.queue_entry_id !== null || a.outcome === 'abandoned' || a.outcome === 'machine') return { kind: 'hangup' };
      if (a.answered_at === null) {
        await updateAttempt(trx, a.id, { state: 'answered', answered_at: now, answered_by: p.answeredBy ?? null });
        await appendEvents(trx, interactionId, [{ type: 'answered', data: { answered_by: p.answeredBy ?? 'unknown' }, at: now }]);
      }
      if (isMachine(p.answeredBy)) {
        await updateAttempt(trx, a.id, { outcome: 'machine' });
        await updateSummary(trx, interactionId, { outcome: 'machine' });
        if (c.machine_action === 'voicemail') {
          const text = c.voicemail_text ?? (lang === 'zh' ? `您好，这里是${deps.bankName.zh}，我们稍后会再与您联系。` : `Hello, this is ${deps.bankName.en}. We will call you again soon.`);
          await appendEvents(trx, interactionId, [{ type: 'voicemail_left', data: {}, at: now }]);
          return { kind: 'message', text, lang };
        }
        return { kind: 'hangup' };
      }
      const entryId = await connectAgent(trx, a, c, interactionId, p.callSid, now, notices);
      if (entryId) {
        await updateSummary(trx, interactionId, { queued_at: now });
        return { kind: 'connect', entryId, lang };
      }
      if (p.waited < ABANDON_AFTER_SECONDS) return { kind: 'wait', next: p.waited + 1 };
      // Nobody free within 2 s of a person answering: abandoned. They hear who called and that we will call again.
      await updateAttempt(trx, a.id, { outcome: 'abandoned' });
      await appendEvents(trx, interactionId, [{ type: 'campaign_abandoned', data: { waited_s: p.waited, campaign_id: c.id }, at: now }]);
      await updateSummary(trx, interactionId, { outcome: 'abandoned' });
      return { kind: 'message', text: identification(c, lang), lang };
    },

    /** Makes sure the call of a dial attempt has its call row and interaction (before the call's status is applied to them). */
    async track(trx: Knex, attemptId: string, callSid: string): Promise<void> {
      const a = await findAttempt(trx, attemptId, true);
      if (a) await ensureCall(trx, a, callSid);
    },

    statusChanged,

    /**
     * The agent's wrap-up (inside the wrap-up's transaction). A campaign call's disposition lands on
     * its list entry; "call me back at" re-opens it for then. A do-not-call request, on any call,
     * puts the number on the register at once, for every campaign. Returns whether it was a
     * campaign call (its callback is the list's, not a callback request).
     */
    async disposition(trx: Knex, entry: Pick<QueueEntryRow, 'call_sid' | 'customer_id'>, w: { disposition: string; callback_at?: string }, agentId: number): Promise<boolean> {
      // By the call, not the queue entry: a call re-queued (a failed agent leg, a transfer) is the same attempt.
      const a = entry.call_sid ? await attemptOfCall(trx, entry.call_sid) : undefined;
      if (!a) {
        if (w.disposition === 'do_not_call' && entry.call_sid) {
          const call = await findCall(trx, entry.call_sid);
          const phone = call ? (call.direction.startsWith('outbound') ? call.to_number : call.from_number) : null;
          if (phone) await addDoNotCall(trx, { phone, customer_id: entry.customer_id, source: 'customer_request', added_by: agentId });
        }
        return false;
      }
      if (!(DISPOSITIONS as readonly string[]).includes(w.disposition)) throw appError('SB_ERR_CAMPAIGN_DISPOSITION_INVALID');
      const e = (await findListEntry(trx, a.entry_id, true))!;
      const now = clock();
      if (w.disposition === 'callback') {
        const at = w.callback_at ? new Date(w.callback_at) : null;
        if (!at || at <= now) throw appError('SB_ERR_CAMPAIGN_DISPOSITION_INVALID', 'A callback needs callback_at in the future');
        // A disposition means an agent spoke with the person: the outcome is set here, since the call's final status may come later and must not override it.
        await updateListEntry(trx, e.id, { state: 'pending', last_outcome: 'human', disposition: 'callback', callback_at: at, next_attempt_at: at, attempts: Math.min(e.attempts, (await findCampaign(trx, a.campaign_id))!.max_attempts - 1) });
      } else {
        await updateListEntry(trx, e.id, { state: 'done', last_outcome: 'human', disposition: w.disposition });
      }
      if (w.disposition === 'do_not_call') await addDoNotCall(trx, { phone: e.phone, customer_id: e.customer_id, source: 'customer_request', campaign_id: a.campaign_id, added_by: agentId });
      return true;
    },
  };
  /** What the outbound path tells the campaign of its calls (the reference is the dial attempt). */
  const owner: OutboundOwner = { track: api.track, answered: api.answered, statusChanged: api.statusChanged };
  return { ...api, owner };
}

export type CampaignCalls = ReturnType<typeof createCampaignCalls>;
