import type { Knex } from 'knex';
import { agentStateNotice, type Notice } from '../../lib/realtime-notices.js';
import type { JobsPort } from '../../plugins/jobs.js';
import { findAgent, transition } from '../agents/agents-repository.js';
import type { CampaignPop } from '../routing/routing-schemas.js';
import { findListEntry, updateAttempt, updateListEntry, type AttemptRow, type CampaignRow } from './campaigns-repository.js';
import { DISPOSITIONS } from './campaigns-schemas.js';

// A dial attempt's life, as the dial job, the campaign's calls and the pacing sweeps all see it.
// The attempt row is the truth: whatever moves it re-reads it locked, so a job that runs twice, or
// a callback that comes late, changes nothing twice.

export const DIAL_JOB = 'campaign-dial';

/** Hands an attempt to a dial job (one job per attempt, whichever node asks). */
export async function sendToDial(jobs: JobsPort, attemptId: string): Promise<void> {
  await jobs.add(DIAL_JOB, { attempt_id: attemptId }, { jobId: `dial-${attemptId}`, attempts: 5, backoffMs: 500 });
}

/** What an agent's pop shows of a campaign: what to say and offer, and the dispositions to choose from. */
export function campaignPop(c: CampaignRow): CampaignPop {
  return { id: c.id, name: c.name, purpose: c.purpose, script: c.script, offer: c.offer, dispositions: [...DISPOSITIONS] };
}

/**
 * When the entry is tried next after this attempt's `outcome`, or done; a person reached is done
 * until the agent's disposition says otherwise. Only while the entry is still on this attempt: a
 * late or repeated callback must not undo a disposition, or settle a later attempt.
 */
export async function settleEntry(trx: Knex, c: CampaignRow, a: AttemptRow, outcome: string, now: Date): Promise<void> {
  const e = (await findListEntry(trx, a.entry_id, true))!;
  if (e.state !== 'dialing' || e.attempts !== a.attempt) return;
  const delay = c.retry_delays[outcome];
  if (outcome !== 'human' && delay !== undefined && e.attempts < c.max_attempts) {
    await updateListEntry(trx, e.id, { state: 'pending', last_outcome: outcome, next_attempt_at: new Date(now.getTime() + delay * 1000) });
  } else {
    await updateListEntry(trx, e.id, { state: 'done', last_outcome: outcome });
  }
}

/** A previewing agent whose dial ended without a call for them (refused, busy, no answer, a machine) is free again. */
export async function freePreviewAgent(trx: Knex, a: AttemptRow, now: Date): Promise<Notice[]> {
  if (a.agent_id === null || a.queue_entry_id !== null) return [];
  const agent = await findAgent(trx, a.agent_id);
  if (agent?.state !== 'reserved' || agent.reason !== 'preview') return [];
  await transition(trx, a.agent_id, 'available', { from: ['reserved'], entryId: null, at: now });
  return [agentStateNotice(a.agent_id, 'available', null, now)];
}

/** A preview the agent skipped, or left (went offline, or sat on it too long): the customer goes back on the list. */
export async function releasePreview(trx: Knex, a: AttemptRow, now: Date): Promise<Notice[]> {
  const e = (await findListEntry(trx, a.entry_id, true))!;
  await updateAttempt(trx, a.id, { state: 'ended', outcome: 'skipped', ended_at: now });
  await updateListEntry(trx, e.id, { state: 'pending', attempts: e.attempts - 1 });
  return freePreviewAgent(trx, a, now);
}
