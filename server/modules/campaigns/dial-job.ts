import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { startOfLocalDay } from '../../lib/local-time.js';
import { maskPhone } from '../../lib/phone.js';
import type { Notice } from '../../lib/realtime-notices.js';
import type { OutboundLine } from '../calls/outbound.js';
import type { CustomersService } from '../customers/customers-service.js';
import { freePreviewAgent, settleEntry } from './attempts.js';
import {
  dialOutcomes, dialsToday, findAttempt, findCampaign, findListEntry, liveDials, lockCustomerDials, nameAttemptCall, onDoNotCall, updateAttempt, updateListEntry,
} from './campaigns-repository.js';
import { CONSENT_PURPOSES } from './campaigns-schemas.js';
import { appendCompliance, checkCompliance } from './compliance.js';
import { nextWindowOpen } from './pacing.js';

export interface DialJobDeps {
  db: Knex;
  customers: Pick<CustomersService, 'dialFacts'>;
  line: () => OutboundLine;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  maxDialsPerDay: number;
  now?: () => Date;
}

/**
 * The dial job, on a web node or a worker: the compliance check and, if it allows, the call.
 * Idempotent per attempt: an attempt already past `queued` is dialled by nobody again.
 */
export function createDialJob(deps: DialJobDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());

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

  return { dial };
}

export type DialJob = ReturnType<typeof createDialJob>;
