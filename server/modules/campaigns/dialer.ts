import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { isTimeZone, startOfLocalDay } from '../../lib/local-time.js';
import { maskPhone } from '../../lib/phone.js';
import { agentStateNotice, type Notice } from '../../lib/realtime-notices.js';
import type { JobsPort } from '../../plugins/jobs.js';
import { findAgent, transition } from '../agents/agents-repository.js';
import { findCall } from '../calls/calls-repository.js';
import type { CallsService } from '../calls/calls-service.js';
import { FINAL_STATUSES, isMachine, unreachedOutcome, type AnswerAction, type OutboundLine, type OutboundOwner } from '../calls/outbound.js';
import type { CustomersService } from '../customers/customers-service.js';
import { findUser } from '../users/users-service.js';
import { appendEvents, updateSummary } from '../interactions/interactions-repository.js';
import type { EntryRow as QueueEntryRow } from '../routing/routing-repository.js';
import type { RoutingService } from '../routing/routing-service.js';
import type { CampaignPop } from '../routing/routing-schemas.js';
import { appendCompliance, checkCompliance } from './compliance.js';
import {
  abandonedPreviews, addDoNotCall, agentOnCampaignCall, attemptOfCall, backedInFlight, claimAgent, dialsToday, dueEntries, endedButUnsettled, findAttempt,
  listHasOpenEntries, lockCustomerDials, nameAttemptCall, pacedCampaigns, queuedSince, silentDials, tryLockSkillPlan, updateCampaign, insertAttempt, findCampaign, findListEntry, freeAgentCount, liveDials, dialOutcomes, onDoNotCall, updateAttempt, updateListEntry,
  type AttemptRow, type CampaignRow, type EntryRow,
} from './campaigns-repository.js';
import { CONSENT_PURPOSES, DISPOSITIONS } from './campaigns-schemas.js';
import { dialsNow, inCallingWindow, nextWindowOpen, pacingRatio } from './pacing.js';
import { metrics } from '../../lib/metrics.js';

export type { AnswerAction, OutboundLine };

export interface DialerDeps {
  db: Knex;
  jobs: JobsPort;
  customers: CustomersService;
  /**
   * The webhook side (web nodes only; a worker process only dials): the calls service opens each
   * dial's interaction and call row on the one outbound path shared with callbacks, and routing
   * puts a person who answered through to the agent claimed for them.
   */
  calls?: Pick<CallsService, 'openOutbound' | 'openOutboundCall'>;
  routing?: Pick<RoutingService, 'assign'>;
  line: () => OutboundLine;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  /** After accepting a person's answer, how long the agent's leg has to join (routing's connect deadline). */
  connectSeconds: number;
  maxDialsPerDay: number;
  /** A dial sent to Twilio that never reported back for this long past its ring time is given up as lost. */
  lostAfterSeconds: number;
  bankName: { zh: string; en: string };
  now?: () => Date;
}

export const DIAL_JOB = 'campaign-dial';

/** What an agent's pop shows of a campaign: what to say and offer, and the dispositions to choose from. */
export function campaignPop(c: CampaignRow): CampaignPop {
  return { id: c.id, name: c.name, purpose: c.purpose, script: c.script, offer: c.offer, dispositions: [...DISPOSITIONS] };
}
/** A person who answers must have an agent within this many seconds, or the call counts as abandoned. */
export const ABANDON_AFTER_SECONDS = 2;
/** A queued dial with no job running it for this long gets its job again (lost with a Redis restart). */
const REQUEUE_AFTER_MS = 10_000;
/** An agent has this long to dial or skip a previewed customer. */
const PREVIEW_TIMEOUT_MS = 5 * 60_000;



/**
 * The outbound dialer. Pacing runs on every node's sweep (one node at a time per campaign, by an
 * advisory lock) and claims due list entries into dial attempts; each attempt becomes one job
 * (BullMQ on Redis, or in-process) whose worker runs the compliance check and places the call.
 * The attempt row is the truth: a job that runs twice, or after a worker died, finds its attempt
 * already past `queued` and dials nobody twice.
 */
export function createDialer(deps: DialerDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());
  const webhookSide = () => {
    if (!deps.calls || !deps.routing) throw new Error('the dialer answers Twilio\'s webhooks on web nodes only (calls and routing not given)');
    return { calls: deps.calls, routing: deps.routing };
  };

  /**
   * When the entry is tried next after this attempt's `outcome`, or done; a person reached is done
   * until the agent's disposition says otherwise. Only while the entry is still on this attempt: a
   * late or repeated callback must not undo a disposition, or settle a later attempt.
   */
  async function settleEntry(trx: Knex, c: CampaignRow, a: AttemptRow, outcome: string, now: Date): Promise<void> {
    const e = (await findListEntry(trx, a.entry_id, true))!;
    if (e.state !== 'dialing' || e.attempts !== a.attempt) return;
    const delay = c.retry_delays[outcome];
    if (outcome !== 'human' && delay !== undefined && e.attempts < c.max_attempts) {
      await updateListEntry(trx, e.id, { state: 'pending', last_outcome: outcome, next_attempt_at: new Date(now.getTime() + delay * 1000) });
    } else {
      await updateListEntry(trx, e.id, { state: 'done', last_outcome: outcome });
    }
  }

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
    const { calls } = webhookSide();
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
    const { entryId, notices: told } = await webhookSide().routing.assign(trx, {
      interaction_id: interactionId, call_sid: callSid, skill: c.skill, language, tier: customer?.tier ?? 'STANDARD', customer_id: a.customer_id,
      campaign: campaignPop(c), ivr: { path: [], verified: false, self_service: [], reason: 'campaign', skill: c.skill, language },
    }, { user_id: claimed.user_id, username: user.username, role: user.role }, deps.connectSeconds);
    await updateAttempt(trx, a.id, { queue_entry_id: entryId, agent_id: claimed.user_id });
    await appendEvents(trx, interactionId, [{ type: 'campaign_agent_assigned', data: { entry_id: entryId, agent_id: claimed.user_id, campaign_id: c.id }, at: now }]);
    notices.push(...told);
    return entryId;
  }

  /** A previewing agent whose dial ended without a call for them (refused, busy, no answer, a machine) is free again. */
  async function freePreviewAgent(trx: Knex, a: AttemptRow, now: Date): Promise<Notice[]> {
    if (a.agent_id === null || a.queue_entry_id !== null) return [];
    const agent = await findAgent(trx, a.agent_id);
    if (agent?.state !== 'reserved' || agent.reason !== 'preview') return [];
    await transition(trx, a.agent_id, 'available', { from: ['reserved'], entryId: null, at: now });
    return [agentStateNotice(a.agent_id, 'available', null, now)];
  }

  /** Dial jobs: the compliance check and, if it allows, the call. Idempotent per attempt. */
  async function dial(attemptId: string): Promise<void> {
    const now = clock();
    const notices: Notice[] = [];
    const go = await db.transaction(async (trx) => {
      const a = await findAttempt(trx, attemptId, true);
      if (!a || a.state !== 'queued') return null;
      // One dial decision per customer at a time, across campaigns and workers: the frequency cap
      // and do-not-call read below must not be read by two dials at once.
      await lockCustomerDials(trx, a.customer_id);
      const c = (await findCampaign(trx, a.campaign_id))!;
      const e = (await findListEntry(trx, a.entry_id, true))!;
      // Paused or cancelled since it was planned: the entry goes back, this was no attempt.
      if (c.state !== 'running') {
        await updateAttempt(trx, a.id, { state: 'ended', outcome: 'canceled', ended_at: now });
        await updateListEntry(trx, e.id, { state: 'pending', attempts: e.attempts - 1 });
        notices.push(...(await freePreviewAgent(trx, a, now)));
        return null;
      }
      const customer = await deps.customers.dialFacts(a.customer_id, trx);
      const today = await dialsToday(trx, a.customer_id, c.id, e.timezone, now);
      // The campaign's abandon figures matter only to an over-dial: nobody else pays for the pass over its attempts.
      const live = await liveDials(trx, c.id);
      const figures = a.overdial ? { ...live, ...(await dialOutcomes(trx, c.id)) } : { ...live, humans: 0, abandoned: 0 };
      const verdict = checkCompliance({
        at: now, timezone: e.timezone, window_start: c.window_start, window_end: c.window_end,
        do_not_call: await onDoNotCall(trx, e.phone, a.customer_id),
        consent_required: CONSENT_PURPOSES.has(c.purpose), consent: Boolean(customer?.marketing_consent),
        other_campaign_dials_today: today.otherCampaigns, dials_today: today.all, max_dials_per_day: deps.maxDialsPerDay,
        overdial: a.overdial, humans: figures.humans, abandoned: figures.abandoned, overdial_in_flight: Math.max(0, figures.overdialInFlight - (a.overdial ? 1 : 0)),
        max_abandon_rate: c.max_abandon_rate, ring_seconds: c.ring_seconds,
      });
      await appendCompliance(trx, { at: now, campaign_id: c.id, entry_id: e.id, attempt_id: a.id, customer_id: a.customer_id, phone_masked: maskPhone(e.phone), decision: verdict.decision, reasons: verdict.reasons, checks: verdict.checks });
      if (verdict.decision === 'deny') {
        await updateAttempt(trx, a.id, { state: 'blocked', outcome: 'blocked', ended_at: now });
        const reasons = new Set(verdict.reasons);
        // Never to be called: off the list. Not now: back in line, and this was no attempt.
        if (reasons.has('do_not_call') || reasons.has('consent')) {
          await updateListEntry(trx, e.id, { state: 'excluded', excluded_reason: reasons.has('do_not_call') ? 'do_not_call' : 'no_consent', attempts: e.attempts - 1, last_outcome: 'blocked' });
        } else {
          // Too many calls today: the customer's next day, once their window opens.
          const tomorrow = startOfLocalDay(new Date(startOfLocalDay(now, e.timezone).getTime() + 36 * 3600_000), e.timezone);
          const later = reasons.has('calling_window') ? nextWindowOpen(now, e.timezone, c.window_start, c.window_end)
            : reasons.has('frequency') ? nextWindowOpen(tomorrow, e.timezone, c.window_start, c.window_end) : new Date(now.getTime() + 1000);
          await updateListEntry(trx, e.id, { state: 'pending', attempts: e.attempts - 1, next_attempt_at: later, last_outcome: 'blocked' });
        }
        notices.push(...(await freePreviewAgent(trx, a, now)));
        return null;
      }
      await updateAttempt(trx, a.id, { state: 'dialing', dialed_at: now });
      return { a, c, e };
    });
    deps.notify(notices);
    if (!go) return;
    const { a, c, e } = go;
    let sid: string;
    try {
      sid = await deps.line().dial({ purpose: 'campaign', ref: String(a.id), to: e.phone, from: c.caller_id, ringSeconds: c.ring_seconds, machineDetection: c.machine_action === 'voicemail' ? 'DetectMessageEnd' : 'Enable' });
    } catch (err) {
      // Twilio's message can hold the number dialled: log its code only.
      const { code, status } = err as { code?: number; status?: number };
      deps.log.warn({ attempt_id: a.id, twilio_code: code ?? null, http_status: status ?? null }, 'campaign dial refused by Twilio');
      deps.notify(await db.transaction(async (trx) => {
        const now2 = clock();
        const fresh = await findAttempt(trx, a.id, true);
        // A timeout may hide a call Twilio did place: once it reported back, it is no failure.
        if (!fresh || fresh.state !== 'dialing' || fresh.call_sid !== null || fresh.answered_at !== null) return [];
        await updateAttempt(trx, a.id, { state: 'ended', outcome: 'failed', ended_at: now2 });
        await settleEntry(trx, c, fresh, 'failed', now2);
        return freePreviewAgent(trx, fresh, now2);
      }));
      return;
    }
    // The status callback may have named the call first.
    await nameAttemptCall(db, a.id, sid);
  }

  /** One pacing pass over one campaign: how many to dial now, and which entries. */
  async function planCampaign(trx: Knex, c: CampaignRow, now: Date): Promise<string[]> {
    if (c.state === 'scheduled' && (!c.starts_at || new Date(c.starts_at) <= now)) {
      await updateCampaign(trx, c.id, { state: 'running', updated_at: now });
      c = { ...c, state: 'running' };
    }
    if (c.state !== 'running') return [];
    // Not finished while an agent is still on, or wrapping up, one of its calls: a callback may
    // re-open an entry. Asked first, so a wrap-up committing in between is seen by the list check.
    const talking = await agentOnCampaignCall(trx, c.id);
    const open = await listHasOpenEntries(trx, c.id);
    if ((c.ends_at && new Date(c.ends_at) <= now) || (!open && !talking)) {
      await updateCampaign(trx, c.id, { state: 'completed', updated_at: now });
      return [];
    }
    if (c.dialing_mode === 'preview') return [];
    // Only predictive pacing needs the outcomes so far (the answer rate, the abandon figures).
    const live = await liveDials(trx, c.id);
    const figures = c.dialing_mode === 'predictive' ? { ...live, ...(await dialOutcomes(trx, c.id)) } : { ...live, finished: 0, humans: 0, abandoned: 0 };
    // The rate limit as slots 1/cps apart: this tick may use the slots since the last one used, and
    // no more than a second's worth saved up while idle, so fractional rates hold and a busy
    // campaign's calls go out evenly, tick by tick.
    const spacing = 1000 / c.calls_per_second;
    const from = Math.max(figures.lastSlot ?? 0, now.getTime() - Math.max(spacing, 1000));
    // Agents of a skill are shared: calls other campaigns of the skill have ringing for them are not free.
    const free = (await freeAgentCount(trx, c.skill, now)) - (await backedInFlight(trx, c.skill, c.id));
    const plan = dialsNow({
      mode: c.dialing_mode, freeAgents: free, inFlight: figures.inFlight, overdialInFlight: figures.overdialInFlight,
      finished: figures.finished, humans: figures.humans, abandoned: figures.abandoned, maxAbandonRate: c.max_abandon_rate,
      rateBudget: Math.floor((now.getTime() - from) / spacing),
    });
    const wanted = plan.backed + plan.overdial;
    if (wanted === 0) return [];
    const picked: EntryRow[] = [];
    for (const e of await dueEntries(trx, c, now, wanted * 4)) {
      if (picked.length === wanted) break;
      // A zone Intl cannot read: excluded, rather than stopping the planner.
      if (!isTimeZone(e.timezone)) {
        await updateListEntry(trx, e.id, { state: 'excluded', excluded_reason: 'bad_timezone' });
        continue;
      }
      // Outside the customer's calling hours: not now, and not looked at again before they open.
      if (!inCallingWindow(now, e.timezone, c.window_start, c.window_end)) {
        await updateListEntry(trx, e.id, { next_attempt_at: nextWindowOpen(now, e.timezone, c.window_start, c.window_end) });
        continue;
      }
      picked.push(e);
    }
    const ids: string[] = [];
    for (const [i, e] of picked.entries()) {
      await updateListEntry(trx, e.id, { state: 'dialing', attempts: e.attempts + 1, callback_at: null });
      ids.push(await insertAttempt(trx, {
        campaign_id: c.id, entry_id: e.id, customer_id: e.customer_id, attempt: e.attempts + 1, state: 'queued', overdial: i >= plan.backed, queued_at: new Date(from + (i + 1) * spacing),
      }));
    }
    return ids;
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

  /** A preview the agent skipped, or left (went offline, or sat on it too long): the customer goes back on the list. */
  async function releasePreview(trx: Knex, a: AttemptRow, now: Date): Promise<Notice[]> {
    const e = (await findListEntry(trx, a.entry_id, true))!;
    await updateAttempt(trx, a.id, { state: 'ended', outcome: 'skipped', ended_at: now });
    await updateListEntry(trx, e.id, { state: 'pending', attempts: e.attempts - 1 });
    return freePreviewAgent(trx, a, now);
  }

  const api = {
    dial,
    releasePreview,

    /** What every node does each tick: plan the running campaigns, re-send lost jobs, give up on dials that never reported back. */
    async pace(): Promise<void> {
      const now = clock();
      const live = await pacedCampaigns(db);
      for (const c of live) {
        try {
          // One planner per skill at a time, on any node: campaigns sharing a skill share its agents.
          const ids = await db.transaction(async (trx) => {
            if (!(await tryLockSkillPlan(trx, c.skill))) return [];
            const fresh = await findCampaign(trx, c.id);
            return fresh ? planCampaign(trx, fresh, now) : [];
          });
          for (const id of ids) await deps.jobs.add(DIAL_JOB, { attempt_id: id }, { jobId: `dial-${id}`, attempts: 5, backoffMs: 500 });
        } catch (err) {
          // One campaign's trouble must not stop the others (or the sweeps below).
          deps.log.error({ err, campaign_id: c.id }, 'campaign pacing failed');
        }
      }
      const stale = await queuedSince(db, new Date(now.getTime() - REQUEUE_AFTER_MS), 500);
      try {
        for (const s of stale) await deps.jobs.add(DIAL_JOB, { attempt_id: String(s.id) }, { jobId: `dial-${s.id}`, attempts: 5, backoffMs: 500 });
      } catch (err) {
        // Redis is down: the attempts stay queued in the database and are sent again next tick; the sweeps below need no Redis.
        deps.log.warn({ err: (err as Error).message, queued: stale.length }, 'dial jobs could not be re-sent (Redis unreachable?)');
      }
      // Previews whose agent went away, or sat on them too long.
      const previews = await abandonedPreviews(db, new Date(now.getTime() - PREVIEW_TIMEOUT_MS), 100);
      for (const stale of previews) {
        const notices = await db.transaction(async (trx) => {
          const a = await findAttempt(trx, stale.id, true);
          return a?.state === 'preview' ? releasePreview(trx, a, now) : [];
        });
        deps.notify(notices);
      }
      // Sent to Twilio (or a worker died sending it) and never heard of again: lost, and retried by policy.
      const lost = await silentDials(db, new Date(now.getTime() - deps.lostAfterSeconds * 1000), 100);
      for (const l of lost) {
        const gaveUp = await db.transaction(async (trx) => {
          const a = await findAttempt(trx, l.id, true);
          if (!a || a.state !== 'dialing' || a.answered_at) return null;
          await updateAttempt(trx, a.id, { state: 'ended', outcome: 'lost', ended_at: now });
          await settleEntry(trx, (await findCampaign(trx, a.campaign_id))!, a, 'failed', now);
          deps.notify(await freePreviewAgent(trx, a, now));
          return a;
        });
        // A call Twilio still holds (queued behind the account's rate) must not ring after we gave up on it.
        if (gaveUp?.call_sid) await deps.line().cancel(gaveUp.call_sid).catch(() => undefined);
      }
      // Answered, and the call ended, but its last status callback never came: settle from the call's own row.
      const unsettled = await endedButUnsettled(db, new Date(now.getTime() - 60_000), 100);
      for (const u of unsettled) {
        deps.notify(await db.transaction(async (trx) => {
          const notices: Notice[] = [];
          await statusChanged(trx, String(u.id), { callSid: u.call_sid, status: u.status }, notices);
          return notices;
        }));
      }
    },

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

    /** Live pacing figures, for the progress report. */
    async ratio(campaignId: number): Promise<number> {
      const f = await dialOutcomes(db, campaignId);
      return pacingRatio(f);
    },
  };
  /** What the outbound path tells the dialer of its calls (the reference is the dial attempt). */
  const owner: OutboundOwner = { track: api.track, answered: api.answered, statusChanged: api.statusChanged };
  return { ...api, owner };
}

export type Dialer = ReturnType<typeof createDialer>;
