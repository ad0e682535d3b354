import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { isTimeZone } from '../../lib/local-time.js';
import { maskPhone } from '../../lib/phone.js';
import { agentStateNotice, type Notice } from '../../lib/realtime-notices.js';
import type { JobsPort } from '../../plugins/jobs.js';
import { findAgent, transition } from '../agents/agents-repository.js';
import { recordAudit, type Actor } from '../audit/audit-repository.js';
import type { CustomersService } from '../customers/customers-service.js';
import { listFromCsv, listFromSegment } from './call-list.js';
import {
  addDoNotCall, attemptCounts, dialOutcomes, dueEntries, findAttempt, findCampaign, insertAttempt, insertCampaign, latestCampaigns, listCounts, listPage, liveCampaigns, pendingCount, runningPreviewCampaigns, updateAttempt, updateCampaign, updateListEntry,
  type CampaignRow,
} from './campaigns-repository.js';
import { CampaignPatch, RetryDelays, type Campaign, type CampaignInput, type ListEntry, type Progress, type Segment } from './campaigns-schemas.js';
import { campaignPop, sendToDial } from './attempts.js';
import type { Dialer } from './dialer.js';
import { inCallingWindow, pacingRatio } from './pacing.js';
import { Value } from 'typebox/value';

export interface CampaignsDeps {
  db: Knex;
  dialer: Dialer;
  jobs: JobsPort;
  customers: CustomersService;
  notify: (notices: Notice[]) => void;
  recentContactDays: number;
  now?: () => Date;
}

type Action = 'start' | 'pause' | 'resume' | 'cancel';
/** From which states each action may be taken. */
const ACTIONS: Record<Action, readonly CampaignRow['state'][]> = {
  start: ['draft'],
  pause: ['scheduled', 'running'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'running', 'paused'],
};
/** How long a node reuses a campaign's progress counts for the wallboard. */
const PROGRESS_REUSE_MS = 5000;
const EDITABLE: readonly CampaignRow['state'][] = ['draft', 'scheduled', 'paused'];
const PATCHABLE: readonly string[] = Object.keys(CampaignPatch.properties);
const pick = (o: object, keys: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function shape(c: CampaignRow): Campaign {
  return {
    ...c, purpose: c.purpose as Campaign['purpose'], retry_delays: c.retry_delays as Campaign['retry_delays'], calls_per_second: Number(c.calls_per_second), max_abandon_rate: Number(c.max_abandon_rate),
    starts_at: iso(c.starts_at), ends_at: iso(c.ends_at), created_at: iso(c.created_at)!, updated_at: iso(c.updated_at)!,
  };
}

function validate(c: { window_start: string; window_end: string; starts_at?: string | null; ends_at?: string | null }, now: Date) {
  if (c.window_end <= c.window_start) throw appError('SB_ERR_CAMPAIGN_INVALID', 'window_end must be after window_start');
  if (c.ends_at && new Date(c.ends_at) <= now) throw appError('SB_ERR_CAMPAIGN_INVALID', 'ends_at is already past');
  if (c.starts_at && c.ends_at && new Date(c.ends_at) <= new Date(c.starts_at)) throw appError('SB_ERR_CAMPAIGN_INVALID', 'ends_at must be after starts_at');
}

/**
 * Campaigns as supervisors run them: define, build the call list, start, pause, resume, cancel,
 * and watch progress; and the preview mode's side for agents (see the next customer, then dial or skip).
 */
export function createCampaignsService(deps: CampaignsDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());

  /** Each node's latest progress per live campaign, for the wallboard (see liveProgress). */
  const recent = new Map<number, { at: number; progress: Progress }>();

  async function progress(id: number): Promise<Progress> {
    const c = await get(id);
    const now = clock();
    const e = await listCounts(db, id);
    const a = await attemptCounts(db, id, new Date(now.getTime() - 300_000));
    const humans = Number(a.humans);
    const remaining = Number(e.remaining);
    // Over the last 5 minutes, or since the first dial if that is sooner.
    const span = a.first_dial ? Math.min(300_000, Math.max(1000, now.getTime() - new Date(a.first_dial).getTime())) : 300_000;
    const perMinute = Math.round((Number(a.recent) / span) * 60_000 * 10) / 10;
    // An ETA from the first few seconds of dialling is noise: give one after a minute of it.
    const settled = span >= 60_000;
    return {
      campaign_id: id, state: c.state, list_size: Number(e.list_size), excluded: Number(e.excluded),
      dialed: Number(a.dialed), blocked: Number(a.blocked), connected: Number(a.connected), humans, machines: Number(a.machines),
      abandoned: Number(a.abandoned), abandon_rate: humans === 0 ? null : Number(a.abandoned) / humans, agent_connected: Number(a.agent_connected),
      conversions: Number(e.conversions), remaining, dials_per_minute: perMinute,
      eta_s: remaining === 0 ? 0 : settled && perMinute > 0 ? Math.round((remaining / perMinute) * 60) : null,
      pacing_ratio: pacingRatio(await dialOutcomes(db, id)),
    };
  }

  async function get(id: number, trx: Knex = db): Promise<CampaignRow> {
    const c = await findCampaign(trx, id, trx !== db);
    if (!c) throw appError('SB_ERR_CAMPAIGN_NOT_FOUND');
    return c;
  }

  async function forList(id: number): Promise<CampaignRow> {
    const c = await get(id);
    if (c.state === 'completed' || c.state === 'cancelled') throw appError('SB_ERR_CAMPAIGN_STATE_INVALID', `The campaign is ${c.state}: its list is closed`);
    return c;
  }

  return {
    async create(input: CampaignInput, actor: Actor) {
      validate(input, clock());
      const retry = Value.Default(RetryDelays, { ...(input.retry_delays ?? {}) });
      const row = await insertCampaign(db, {
        ...input, offer: input.offer ? JSON.stringify(input.offer) : null, retry_delays: JSON.stringify(retry), created_by: Number(actor.sub),
      });
      await recordAudit(db, { actor, action: 'campaign.create', details: { campaign_id: row.id, name: input.name } });
      return shape(row as CampaignRow);
    },

    async update(id: number, patch: CampaignPatch, actor: Actor) {
      return db.transaction(async (trx) => {
        const c = await get(id, trx);
        if (!EDITABLE.includes(c.state)) throw appError('SB_ERR_CAMPAIGN_STATE_INVALID', `A ${c.state} campaign cannot be edited (pause it first)`);
        const next = { ...shape(c), ...patch };
        validate(next, clock());
        // Only the fields a patch may name reach the row, whatever the object holds.
        const change: Record<string, unknown> = { ...pick(patch, PATCHABLE), updated_at: clock() };
        if (patch.offer !== undefined) change.offer = patch.offer ? JSON.stringify(patch.offer) : null;
        if (patch.retry_delays) change.retry_delays = JSON.stringify({ ...c.retry_delays, ...patch.retry_delays });
        const row = await updateCampaign(trx, id, change);
        await recordAudit(trx, { actor, action: 'campaign.update', details: { campaign_id: id, fields: Object.keys(patch) } });
        return shape(row);
      });
    },

    async get(id: number) {
      return shape(await get(id));
    },

    async list() {
      return (await latestCampaigns(db, 500)).map(shape);
    },

    /** Start, pause, resume, cancel: the dialer reads the state on every tick and before every dial, so each takes effect within a second. */
    async act(id: number, action: Action, actor: Actor) {
      const now = clock();
      const row = await db.transaction(async (trx) => {
        const c = await get(id, trx);
        if (!ACTIONS[action].includes(c.state)) throw appError('SB_ERR_CAMPAIGN_STATE_INVALID', `Cannot ${action} a ${c.state} campaign`);
        if (action === 'start') {
          if ((await pendingCount(trx, id)) === 0) throw appError('SB_ERR_CAMPAIGN_STATE_INVALID', 'The call list has nobody to call');
        }
        const future = c.starts_at !== null && new Date(c.starts_at) > now;
        const state = action === 'pause' ? 'paused' : action === 'cancel' ? 'cancelled' : future ? 'scheduled' : 'running';
        const updated = await updateCampaign(trx, id, { state, updated_at: now });
        await recordAudit(trx, { actor, action: `campaign.${action}`, details: { campaign_id: id, from: c.state, to: state } });
        return updated;
      });
      return shape(row);
    },

    async addSegment(id: number, s: Segment, actor: Actor) {
      const c = await forList(id);
      const result = await listFromSegment(db, c, s, { recentDays: deps.recentContactDays, now: clock() });
      await recordAudit(db, { actor, action: 'campaign.list', details: { campaign_id: id, source: 'segment', segment: s, added: result.added } });
      return result;
    },

    async addCsv(id: number, body: Readable, actor: Actor) {
      const c = await forList(id);
      const result = await listFromCsv(db, c, body, { recentDays: deps.recentContactDays, now: clock() });
      await recordAudit(db, { actor, action: 'campaign.list', details: { campaign_id: id, source: 'csv', rows: result.rows, added: result.added, errors: result.error_count } });
      return result;
    },

    /** The list, a page at a time, with phone numbers masked. */
    async entries(id: number, q: { state?: string; limit: number; after?: number }, actor: Actor, ip?: string): Promise<ListEntry[]> {
      await get(id);
      const rows = await listPage(db, id, q);
      // A page of the call list names customers: a bulk read, audited with whom it showed.
      await recordAudit(db, { actor, action: 'campaign.call_list_view', purpose: 'review', ip, details: { campaign_id: id, state: q.state ?? null, after: q.after ?? null, customer_ids: rows.map((r) => r.customer_id) } });
      return rows.map(({ phone, ...r }) => ({ ...r, phone_masked: maskPhone(phone), id: Number(r.id), next_attempt_at: iso(r.next_attempt_at), callback_at: iso(r.callback_at) }) as ListEntry);
    },

    progress,

    /**
     * Progress of every campaign not finished, or finished in the last day, for the wallboard. Its
     * counts read a campaign's whole list, and every node asks every second: each node reuses them
     * for a few seconds, while the state shown is always the current one.
     */
    async liveProgress(): Promise<Progress[]> {
      const live = await liveCampaigns(db, new Date(clock().getTime() - 86_400_000));
      const now = Date.now();
      for (const id of recent.keys()) if (!live.some((c) => c.id === id)) recent.delete(id);
      const out: Progress[] = [];
      for (const c of live) {
        let hit = recent.get(c.id);
        if (!hit || now - hit.at >= PROGRESS_REUSE_MS) {
          hit = { at: now, progress: await progress(c.id) };
          recent.set(c.id, hit);
        }
        out.push({ ...hit.progress, state: c.state });
      }
      return out;
    },

    async addDoNotCall(phone: string, actor: Actor) {
      await db.transaction(async (trx) => {
        const owner = await deps.customers.ownerOfPhone(phone, trx);
        await addDoNotCall(trx, { phone, customer_id: owner, source: 'regulator', added_by: Number(actor.sub) });
        await recordAudit(trx, { actor, action: 'dnc.add', details: { phone_last4: phone.slice(-4) } });
      });
      return { phone, on_register: true as const };
    },

    /**
     * Preview mode: the next customer due in a running preview campaign of the agent's skills.
     * The agent is reserved for them (no other call is offered) until they dial or skip.
     */
    async previewNext(agentId: number, actor: Actor) {
      const now = clock();
      const result = await db.transaction(async (trx) => {
        const agent = await findAgent(trx, agentId);
        if (!agent || agent.state !== 'available') throw appError('SB_ERR_AGENT_STATE_INVALID', 'Be available to take a preview call');
        for (const c of await runningPreviewCampaigns(trx, agent.skills)) {
          const due = await dueEntries(trx, c, now, 20);
          const e = due.find((x) => isTimeZone(x.timezone) && inCallingWindow(now, x.timezone, c.window_start, c.window_end));
          if (!e) continue;
          const profile = await deps.customers.prefetchProfile(e.customer_id, trx);
          if (!profile) continue;
          await updateListEntry(trx, e.id, { state: 'dialing', attempts: e.attempts + 1, callback_at: null });
          const attemptId = await insertAttempt(trx, { campaign_id: c.id, entry_id: e.id, customer_id: e.customer_id, attempt: e.attempts + 1, state: 'preview', agent_id: agentId, queued_at: now });
          if (!(await transition(trx, agentId, 'reserved', { from: ['available'], reason: 'preview', entryId: null, at: now }))) throw appError('SB_ERR_AGENT_STATE_INVALID', 'Be available to take a preview call');
          await recordAudit(trx, { actor, action: 'customer.view', customer_id: e.customer_id, purpose: 'call', details: { via: 'campaign_preview', campaign_id: c.id } });
          return { attempt_id: attemptId, campaign: campaignPop(c), profile };
        }
        throw appError('SB_ERR_PREVIEW_NONE');
      });
      deps.notify([agentStateNotice(agentId, 'reserved', 'preview', now)]);
      return result;
    },

    /** The agent dials the previewed customer: the same compliance check and dial job as any other call. */
    async previewDial(agentId: number, attemptId: string) {
      await db.transaction(async (trx) => {
        const a = await findAttempt(trx, attemptId, true);
        if (!a || a.state !== 'preview' || a.agent_id !== agentId) throw appError('SB_ERR_PREVIEW_GONE');
        await updateAttempt(trx, a.id, { state: 'queued', queued_at: clock() });
      });
      await sendToDial(deps.jobs, attemptId);
      return { attempt_id: attemptId, state: 'dialing' as const };
    },

    async previewSkip(agentId: number, attemptId: string) {
      const notices = await db.transaction(async (trx) => {
        const a = await findAttempt(trx, attemptId, true);
        if (!a || a.state !== 'preview' || a.agent_id !== agentId) throw appError('SB_ERR_PREVIEW_GONE');
        return deps.dialer.releasePreview(trx, a, clock());
      });
      deps.notify(notices);
      return { attempt_id: attemptId, state: 'skipped' as const };
    },
  };
}

export type CampaignsService = ReturnType<typeof createCampaignsService>;
