import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { isTimeZone } from '../../lib/local-time.js';
import type { Notice } from '../../lib/realtime-notices.js';
import type { JobsPort } from '../../plugins/jobs.js';
import type { OutboundLine } from '../calls/outbound.js';
import { freePreviewAgent, releasePreview, sendToDial, settleEntry } from './attempts.js';
import type { CampaignCalls } from './campaign-calls.js';
import {
  abandonedPreviews, agentOnCampaignCall, backedInFlight, dialOutcomes, dueEntries, endedButUnsettled, findAttempt, findCampaign, freeAgentCount, insertAttempt,
  listHasOpenEntries, liveDials, pacedCampaigns, queuedSince, silentDials, tryLockSkillPlan, updateAttempt, updateCampaign, updateListEntry,
  type CampaignRow, type EntryRow,
} from './campaigns-repository.js';
import { dialsNow, inCallingWindow, nextWindowOpen } from './pacing.js';

/** A queued dial with no job running it for this long gets its job again (lost with a Redis restart). */
const REQUEUE_AFTER_MS = 10_000;
/** An agent has this long to dial or skip a previewed customer. */
const PREVIEW_TIMEOUT_MS = 5 * 60_000;

export interface PacerDeps {
  db: Knex;
  jobs: JobsPort;
  line: () => OutboundLine;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  /** A dial sent to Twilio that never reported back for this long past its ring time is given up as lost. */
  lostAfterSeconds: number;
  /** Settles an answered call whose last status callback never came, as the callback would have. */
  statusChanged: CampaignCalls['statusChanged'];
  now?: () => Date;
}

/**
 * Pacing, on every web node's tick (one node at a time per skill, by an advisory lock): claims due
 * list entries into dial attempts, each handed to a dial job; and the sweeps that re-send lost
 * jobs, release abandoned previews and give up on dials Twilio never reported back on.
 */
export function createPacer(deps: PacerDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());
  const { statusChanged } = deps;

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

  return {
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
          for (const id of ids) await sendToDial(deps.jobs, id);
        } catch (err) {
          // One campaign's trouble must not stop the others (or the sweeps below).
          deps.log.error({ err, campaign_id: c.id }, 'campaign pacing failed');
        }
      }
      const stale = await queuedSince(db, new Date(now.getTime() - REQUEUE_AFTER_MS), 500);
      try {
        for (const s of stale) await sendToDial(deps.jobs, String(s.id));
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
  };
}

export type Pacer = ReturnType<typeof createPacer>;
