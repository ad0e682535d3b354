import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import * as repo from './compliance-repository.js';
import { inCallingWindow } from './pacing.js';

/**
 * The one check before every dial (CS-02, MKT-13), and its record. The check is pure: the dialer
 * gathers the facts in the dial's transaction, this decides, and the decision with every input
 * goes into an append-only, hash-chained log that `npm run compliance:verify` re-walks.
 */
export interface ComplianceFacts {
  at: Date;
  timezone: string;
  window_start: string;
  window_end: string;
  /** On the bank's do-not-call register, or flagged do-not-call on the customer. */
  do_not_call: boolean;
  /** Marketing and retention calls need the customer's marketing consent; service calls do not. */
  consent_required: boolean;
  consent: boolean;
  /** Dials to this customer today (their local day) by other campaigns, and by any campaign. */
  other_campaign_dials_today: number;
  dials_today: number;
  max_dials_per_day: number;
  /** An over-dial (predictive, beyond the free agents) and the campaign's abandon figures. */
  overdial: boolean;
  humans: number;
  abandoned: number;
  overdial_in_flight: number;
  max_abandon_rate: number;
  ring_seconds: number;
}

export const MIN_RING_SECONDS = 15;

export interface ComplianceDecision {
  decision: 'allow' | 'deny';
  reasons: string[];
  checks: Record<string, { ok: boolean; [k: string]: unknown }>;
}

export function checkCompliance(f: ComplianceFacts): ComplianceDecision {
  const abandonWorst = f.humans + f.overdial_in_flight + 1 === 0 ? 0 : (f.abandoned + f.overdial_in_flight + 1) / (f.humans + f.overdial_in_flight + 1);
  const checks: ComplianceDecision['checks'] = {
    calling_window: { ok: inCallingWindow(f.at, f.timezone, f.window_start, f.window_end), timezone: f.timezone, window: `${f.window_start}-${f.window_end}` },
    do_not_call: { ok: !f.do_not_call },
    consent: { ok: !f.consent_required || f.consent, required: f.consent_required },
    frequency: { ok: f.other_campaign_dials_today === 0 && f.dials_today < f.max_dials_per_day, other_campaigns_today: f.other_campaign_dials_today, dials_today: f.dials_today, max_per_day: f.max_dials_per_day },
    // Only an over-dial can leave a person without an agent by design; it must keep the worst case within the cap.
    abandon_rate: f.overdial
      ? { ok: abandonWorst <= f.max_abandon_rate, overdial: true, humans: f.humans, abandoned: f.abandoned, cap: f.max_abandon_rate }
      : { ok: true, overdial: false },
    ring_time: { ok: f.ring_seconds >= MIN_RING_SECONDS, ring_seconds: f.ring_seconds, min: MIN_RING_SECONDS },
  };
  const reasons = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
  return { decision: reasons.length === 0 ? 'allow' : 'deny', reasons, checks };
}

export interface ComplianceRow {
  id: string;
  at: Date;
  campaign_id: number;
  entry_id: string;
  attempt_id: string;
  customer_id: number;
  phone_masked: string;
  decision: string;
  reasons: string[];
  checks: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every level: jsonb does not keep key order, the hash must not depend on it. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function rowHash(prevHash: string, r: Omit<ComplianceRow, 'hash' | 'prev_hash'>): string {
  const body = canonical({
    id: String(r.id), at: new Date(r.at).toISOString(), campaign_id: r.campaign_id, entry_id: String(r.entry_id), attempt_id: String(r.attempt_id),
    customer_id: r.customer_id, phone_masked: r.phone_masked, decision: r.decision, reasons: r.reasons, checks: r.checks,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

/** Appends one decision to the chain, in the caller's transaction. */
export async function appendCompliance(trx: Knex, r: Omit<ComplianceRow, 'id' | 'hash' | 'prev_hash'>): Promise<ComplianceRow> {
  const head = await repo.lockHead(trx);
  const prev = head?.last_hash ?? GENESIS;
  // Whole milliseconds: what timestamptz keeps is what was hashed.
  const row = { ...r, id: await repo.nextLogId(trx), at: new Date(Math.floor(r.at.getTime())) };
  const hash = rowHash(prev, row);
  await repo.appendRow(trx, { ...row, prev_hash: prev, hash });
  return { ...row, prev_hash: prev, hash };
}

export interface VerifyResult { ok: boolean; rows: number; problems: { id: string | null; problem: string }[] }

/** Re-walks the whole chain: an edited row breaks its own hash, a removed one its successor's link, a cut tail the head. */
export async function verifyCompliance(db: Knex, batch = 5000): Promise<VerifyResult> {
  const problems: VerifyResult['problems'] = [];
  let prev = GENESIS;
  let lastId: string | null = null;
  let rows = 0;
  for (;;) {
    const page = await repo.logPage(db, lastId, batch);
    for (const r of page) {
      rows++;
      if (r.prev_hash !== prev) problems.push({ id: String(r.id), problem: 'chain broken before this row: a row was removed or re-written' });
      if (rowHash(r.prev_hash, r) !== r.hash) problems.push({ id: String(r.id), problem: 'row content does not match its hash: edited' });
      prev = r.hash;
      lastId = String(r.id);
    }
    if (page.length < batch) break;
  }
  const head = await repo.readHead(db);
  if (head && (String(head.last_id) !== lastId || head.last_hash !== prev)) problems.push({ id: lastId, problem: `the chain should end at row ${head.last_id}: rows were removed from the end` });
  if (!head && rows > 0) problems.push({ id: null, problem: 'the chain head is missing' });
  return { ok: problems.length === 0, rows, problems };
}
