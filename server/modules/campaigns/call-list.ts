import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { readFeed } from '../../lib/feed-reader.js';
import { BANK_KEY } from '../../lib/input-rules.js';
import { normalizePhone } from '../../lib/phone.js';
import type { CampaignRow } from './campaigns-repository.js';
import { CONSENT_PURPOSES, type ListResult, type Segment } from './campaigns-schemas.js';

/**
 * Call lists: from a segment of the customer base, or from an uploaded CSV read as a stream (a
 * million rows never sit in memory: they go to PostgreSQL a batch at a time). Every row is
 * scrubbed on the way in, in SQL, against do-not-call (the customer's flag and the register),
 * consent (for marketing and retention) and recent contact by another campaign, and deduplicated
 * by customer. Scrubbed rows stay on the list as excluded, with the reason, so the count reconciles.
 */

const BATCH = 5000;
const ERRORS_KEPT = 100;

/** SQL that reads to each row's product line, for held / not held. */
const HOLDS: Record<string, string> = {
  time_deposit: `EXISTS (SELECT 1 FROM time_deposits x WHERE x.customer_id = c.id AND x.status = 'active')`,
  loan: `EXISTS (SELECT 1 FROM loans x WHERE x.customer_id = c.id AND x.status <> 'closed')`,
  mortgage: `EXISTS (SELECT 1 FROM loans x WHERE x.customer_id = c.id AND x.status <> 'closed' AND x.kind = 'mortgage')`,
  credit_card: `EXISTS (SELECT 1 FROM cards x WHERE x.customer_id = c.id AND x.kind = 'credit')`,
  fund: `EXISTS (SELECT 1 FROM investment_holdings x WHERE x.customer_id = c.id AND x.line = 'fund')`,
  insurance: `EXISTS (SELECT 1 FROM investment_holdings x WHERE x.customer_id = c.id AND x.line = 'insurance')`,
  wealth: `EXISTS (SELECT 1 FROM investment_holdings x WHERE x.customer_id = c.id AND x.line = 'wealth')`,
  ebanking: `EXISTS (SELECT 1 FROM ebanking_activity x WHERE x.customer_id = c.id AND (x.mobile_enrolled OR x.online_enrolled))`,
  international: `EXISTS (SELECT 1 FROM international_business x WHERE x.customer_id = c.id AND (x.fx_volume_12m > 0 OR x.remittances_12m > 0))`,
};

const emptyResult = (): ListResult => ({ rows: 0, added: 0, duplicates: 0, excluded: {}, errors: [], error_count: 0 });

/** The scrub's moment (entries are due from then) and how far back another campaign's dial counts as recent contact. */
export interface ListClock { recentDays: number; now: Date }

/**
 * Inserts candidates (customer, optional phone, CSV line), scrubbed: one statement per batch.
 * `source` is SQL yielding (customer_id, phone, line) rows.
 */
async function insertScrubbed(trx: Knex, c: CampaignRow, { recentDays, now }: ListClock, source: string, bindings: Knex.RawBinding[], into: ListResult): Promise<void> {
  const { rows } = await trx.raw<{ rows: { state: string; excluded_reason: string | null; n: string }[] }>(`
    WITH candidates AS (${source}),
    scrubbed AS (
      SELECT cand.customer_id, cand.line, cu.timezone,
        COALESCE(cand.phone, (SELECT cp.phone FROM customer_phones cp WHERE cp.customer_id = cu.id ORDER BY cp.is_primary DESC, (cp.kind = 'mobile') DESC, cp.id LIMIT 1)) AS phone,
        cu.do_not_call, cu.marketing_consent,
        EXISTS (SELECT 1 FROM dial_attempts d WHERE d.customer_id = cu.id AND d.campaign_id <> ? AND d.dialed_at > ?::timestamptz - make_interval(days => ?)) AS recent
      FROM candidates cand JOIN customers cu ON cu.id = cand.customer_id
    ),
    reasoned AS (
      SELECT s.*, CASE
        WHEN s.phone IS NULL THEN 'no_phone'
        WHEN s.do_not_call OR EXISTS (SELECT 1 FROM do_not_call r WHERE r.phone = s.phone) THEN 'do_not_call'
        WHEN ? AND NOT s.marketing_consent THEN 'no_consent'
        WHEN s.recent THEN 'recent_contact'
      END AS reason
      FROM scrubbed s
    ),
    inserted AS (
      INSERT INTO campaign_entries (campaign_id, customer_id, phone, timezone, state, excluded_reason, source_line, next_attempt_at)
      SELECT DISTINCT ON (customer_id) ?, customer_id, COALESCE(phone, ''), timezone, CASE WHEN reason IS NULL THEN 'pending' ELSE 'excluded' END, reason, line, ?::timestamptz
      FROM reasoned ORDER BY customer_id, line
      ON CONFLICT (campaign_id, customer_id) DO NOTHING
      RETURNING state, excluded_reason
    )
    SELECT state, excluded_reason, count(*) AS n FROM inserted GROUP BY state, excluded_reason`,
  [...bindings, c.id, now, recentDays, CONSENT_PURPOSES.has(c.purpose), c.id, now]);
  for (const r of rows) {
    const n = Number(r.n);
    into.added += n;
    if (r.state === 'excluded') into.excluded[r.excluded_reason!] = (into.excluded[r.excluded_reason!] ?? 0) + n;
  }
}

/** Adds the customers of a segment. */
export async function listFromSegment(db: Knex, c: CampaignRow, s: Segment, scrub: ListClock): Promise<ListResult> {
  const where: string[] = ['true'];
  const bindings: Knex.RawBinding[] = [];
  if (s.tiers?.length) { where.push('c.tier = ANY(?)'); bindings.push(s.tiers); }
  if (s.regions?.length) { where.push('c.region = ANY(?)'); bindings.push(s.regions); }
  if (s.churn_risk !== undefined) { where.push('c.churn_risk = ?'); bindings.push(s.churn_risk); }
  for (const line of s.holds ?? []) where.push(HOLDS[line]!);
  for (const line of s.not_holds ?? []) where.push(`NOT ${HOLDS[line]!}`);
  if (s.last_contact_before) { where.push('NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.started_at >= ?::date)'); bindings.push(s.last_contact_before); }
  bindings.push(s.limit);
  const result = emptyResult();
  await db.transaction(async (trx) => {
    const total = await trx.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM (SELECT 1 FROM customers c WHERE ${where.join(' AND ')} LIMIT ?) x`, bindings);
    result.rows = Number(total.rows[0]!.n);
    await insertScrubbed(trx, c, scrub, `SELECT c.id AS customer_id, NULL::text AS phone, NULL::int AS line FROM customers c WHERE ${where.join(' AND ')} ORDER BY c.id LIMIT ?`, bindings, result);
  });
  result.duplicates = result.rows - result.added;
  return result;
}

/**
 * Adds the customers of an uploaded CSV (header row first: customer_no or customer_id, and an
 * optional phone). Bad lines are reported by line number; the good ones are kept.
 */
export async function listFromCsv(db: Knex, c: CampaignRow, input: Readable, scrub: ListClock): Promise<ListResult> {
  const result = emptyResult();
  const bad = (line: number, code: ListResult['errors'][number]['code'], message: string) => {
    result.error_count++;
    if (result.errors.length < ERRORS_KEPT) result.errors.push({ line, code, message });
  };
  let header: { key: 'customer_no' | 'customer_id' } | null = null;
  let columns: string[] | null = null;
  // The header row says which key the file uses; a file without one, or with neither key, is refused.
  const keyed = (names: string[] | null) => {
    const key = names?.includes('customer_no') ? 'customer_no' : names?.includes('customer_id') ? 'customer_id' : null;
    if (!key) throw appError('SB_ERR_CAMPAIGN_CSV_INVALID');
    return { key } as const;
  };
  let batch: { key: string; phone: string | null; line: number }[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const keys = rows.map((r) => r.key);
    const found: { id: number; key: string }[] = header!.key === 'customer_no'
      ? await db('customers').whereIn('customer_no', keys).select('id', 'customer_no as key')
      : await db('customers').whereIn('id', keys.map(Number)).select('id', db.raw('id::text AS key'));
    const ids = new Map(found.map((f) => [f.key, f.id]));
    const known = rows.filter((r) => {
      if (ids.has(r.key)) return true;
      bad(r.line, 'customer_not_found', `no customer ${header!.key} ${r.key}`);
      return false;
    });
    if (known.length === 0) return;
    const before = result.added;
    await insertScrubbed(db, c, scrub, 'SELECT * FROM unnest(?::int[], ?::text[], ?::int[]) AS t(customer_id, phone, line)',
      [known.map((r) => ids.get(r.key)!), known.map((r) => r.phone) as string[], known.map((r) => r.line)], result);
    result.duplicates += known.length - (result.added - before);
  };

  // The one feed reader (RFC 4180: quoted commas and newlines); its header names come lower-cased.
  for await (const rec of readFeed(input, 'csv', (names) => { columns = names; })) {
    header ??= keyed(columns);
    if ('error' in rec) { result.rows++; bad(rec.line, 'csv_malformed', rec.error.message); continue; }
    const fields = rec.fields as Record<string, string | undefined>;
    result.rows++;
    const key = fields[header.key] ?? '';
    if (header.key === 'customer_no' ? !BANK_KEY.test(key) : !/^[1-9][0-9]{0,9}$/.test(key) || Number(key) > 2147483647) {
      bad(rec.line, 'key_malformed', `${header.key} is missing or malformed`);
      continue;
    }
    let phone: string | null = null;
    const given = fields.phone ?? '';
    if (given !== '') {
      try { phone = normalizePhone(given); } catch { bad(rec.line, 'phone_invalid', 'phone is not a valid number'); continue; }
    }
    batch.push({ key, phone, line: rec.line });
    if (batch.length >= BATCH) await flush();
  }
  header ??= keyed(columns); // a header and no rows: an empty list, not an error
  await flush();
  return result;
}
