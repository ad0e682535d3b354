import type { Knex } from 'knex';
import type { HoldingsUpdate } from './customers-schemas.js';
import { scopeCustomers, type ViewerScope } from './views-repository.js';

/** A customer's whole screen-pop in one round trip: one JSON sub-select per section. */
const PROFILE_SQL = `
SELECT c.id, c.customer_no, c.customer_type, c.name_zh, c.name_en, c.gender, c.birth_date, c.id_type, c.id_number,
  c.language, c.region, c.occupation, c.income_band, c.risk_tolerance, c.credit_rating, c.churn_risk,
  c.marketing_consent, c.do_not_call, c.timezone, c.preferred_contact, c.email, c.customer_since,
  c.score, c.tier, c.score_breakdown, c.score_computed_at,
  (SELECT row_to_json(r) FROM (SELECT id, name, phone, branch, team FROM relationship_managers WHERE id = c.rm_id) r) AS rm,
  (SELECT coalesce(json_agg(p ORDER BY p.is_primary DESC, p.id), '[]') FROM (
     SELECT id, phone, kind, is_primary FROM customer_phones WHERE customer_id = c.id) p) AS phones,
  (SELECT coalesce(json_agg(d ORDER BY d.balance DESC), '[]') FROM (
     SELECT account_no, product, currency, balance, avg_daily_balance_90d, status, opened_on, as_of
     FROM deposit_accounts WHERE customer_id = c.id AND status <> 'closed') d) AS deposits,
  (SELECT coalesce(json_agg(d ORDER BY d.maturity_date), '[]') FROM (
     SELECT deposit_no, currency, principal, rate_pct, term_months, maturity_date, status, as_of
     FROM time_deposits WHERE customer_id = c.id AND status = 'active') d) AS time_deposits,
  (SELECT coalesce(json_agg(l ORDER BY l.outstanding DESC), '[]') FROM (
     SELECT loan_no, kind, principal, outstanding, rate_pct, maturity_date, days_overdue, status, as_of
     FROM loans WHERE customer_id = c.id AND status <> 'closed') l) AS loans,
  (SELECT coalesce(json_agg(k ORDER BY k.kind DESC, k.id), '[]') FROM (
     SELECT id, kind, product, pan_masked, last4, status, credit_limit, balance, expires_on, as_of
     FROM cards WHERE customer_id = c.id AND status <> 'closed') k) AS cards,
  (SELECT coalesce(json_agg(i ORDER BY i.market_value DESC), '[]') FROM (
     SELECT line, product_code, product_name, risk_level, market_value, purchased_on, as_of
     FROM investment_holdings WHERE customer_id = c.id) i) AS investments,
  (SELECT row_to_json(e) FROM (
     SELECT mobile_enrolled, online_enrolled, logins_90d, transactions_90d, last_login_at, as_of
     FROM ebanking_activity WHERE customer_id = c.id) e) AS ebanking,
  (SELECT row_to_json(x) FROM (
     SELECT fx_volume_12m, remittances_12m, trade_finance_volume_12m, as_of
     FROM international_business WHERE customer_id = c.id) x) AS international,
  (SELECT coalesce(json_agg(t ORDER BY t.occurred_at DESC), '[]') FROM (
     SELECT occurred_at, amount, currency, channel, description, account_ref
     FROM transactions WHERE customer_id = c.id ORDER BY occurred_at DESC LIMIT 10) t) AS transactions,
  (SELECT coalesce(json_agg(m ORDER BY m.sla_due_at), '[]') FROM (
     SELECT m0.id, case_no, kind, category, severity, summary, status, opened_at, sla_due_at, escalated_at, u.display_name AS owner
     FROM complaints m0 LEFT JOIN users u ON u.id = m0.owner_id
     WHERE customer_id = c.id AND status IN ('open', 'assigned', 'in_progress')) m) AS complaints,
  (SELECT coalesce(json_agg(n ORDER BY n.started_at DESC), '[]') FROM (
     SELECT id, channel, direction, started_at, ended_at, summary, disposition
     FROM interactions WHERE customer_id = c.id ORDER BY started_at DESC LIMIT 10) n) AS interactions,
  (SELECT coalesce(json_agg(h ORDER BY h.changed_at DESC, h.id DESC), '[]') FROM (
     SELECT id, from_tier, to_tier, changed_at FROM tier_history WHERE customer_id = c.id ORDER BY changed_at DESC, id DESC LIMIT 5) h) AS tier_history,
  (SELECT row_to_json(q) FROM (SELECT failures, locked_at, lock_cause, updated_at FROM phone_pins WHERE customer_id = c.id) q) AS phone_pin,
  (SELECT min_scores FROM tier_cutoffs WHERE model_version = ? ORDER BY id DESC LIMIT 1) AS min_scores
FROM customers c WHERE c.id = ?`;

export type ProfileRow = Record<string, unknown> & { id: number };

export async function findProfileRow(db: Knex, customerId: number, modelVersion: string): Promise<ProfileRow | undefined> {
  const { rows } = await db.raw<{ rows: ProfileRow[] }>(PROFILE_SQL, [modelVersion, customerId]);
  return rows[0];
}

export interface CandidateRow {
  customer_id: number;
  customer_no: string;
  name_zh: string | null;
  name_en: string | null;
  tier: string;
  phone: string | null;
  card_last4: string[];
}

/** Summary columns for lists of customers: enough to tell them apart, nothing more. */
function candidates(db: Knex) {
  return db('customers as c').select(
    'c.id as customer_id', 'c.customer_no', 'c.name_zh', 'c.name_en', 'c.tier',
    db.raw(`(SELECT phone FROM customer_phones WHERE customer_id = c.id ORDER BY is_primary DESC, id LIMIT 1) AS phone`),
    db.raw(`(SELECT coalesce(array_agg(last4 ORDER BY id), '{}') FROM cards WHERE customer_id = c.id AND status <> 'closed') AS card_last4`),
  );
}

/** Everyone reachable on this number (index on customer_phones.phone): a family line gives several. */
export async function findByPhone(db: Knex, phone: string, scope: ViewerScope): Promise<CandidateRow[]> {
  return scopeCustomers(candidates(db), scope)
    .whereIn('c.id', db('customer_phones').select('customer_id').where({ phone }))
    .orderBy('c.id')
    .limit(20);
}

/** What a dial needs of its customer: the language to speak, the tier to route by, consent to market. */
export async function dialFacts(db: Knex, customerId: number): Promise<{ language: string; tier: string; marketing_consent: boolean } | undefined> {
  return db('customers').where({ id: customerId }).first('language', 'tier', 'marketing_consent');
}

/** Who holds this number (the first by id on a shared line), or null. */
export async function phoneOwner(db: Knex, phone: string): Promise<number | null> {
  const row = await db('customer_phones').where({ phone }).orderBy('customer_id').first('customer_id');
  return (row?.customer_id as number | undefined) ?? null;
}

const likePrefix = (s: string) => `${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export async function search(db: Knex, q: { phone?: string; name?: string; card_last4?: string; limit: number }, scope: ViewerScope): Promise<CandidateRow[]> {
  const query = scopeCustomers(candidates(db), scope).orderBy('c.score', 'desc').orderBy('c.id').limit(q.limit);
  if (q.phone) query.whereIn('c.id', db('customer_phones').select('customer_id').where({ phone: q.phone }));
  if (q.name) {
    const prefix = likePrefix(q.name);
    query.where((w) => w.whereRaw('lower(c.name_en) LIKE lower(?)', [prefix]).orWhere('c.name_zh', 'like', prefix));
  }
  if (q.card_last4) query.whereIn('c.id', db('cards').select('customer_id').where({ last4: q.card_last4 }));
  return query;
}

export async function lockCustomer(trx: Knex, customerId: number): Promise<boolean> {
  const row = await trx('customers').where({ id: customerId }).forUpdate().first('id');
  return Boolean(row);
}

type Line = keyof Omit<HoldingsUpdate, 'as_of'>;
const LIST_TABLES = { deposits: 'deposit_accounts', time_deposits: 'time_deposits', loans: 'loans', cards: 'cards', investments: 'investment_holdings' } as const;
const ROW_TABLES = { ebanking: 'ebanking_activity', international: 'international_business' } as const;

/** Replaces the snapshot of each line present in the update: what the feed no longer reports is gone. */
export async function replaceHoldings(trx: Knex, customerId: number, update: HoldingsUpdate): Promise<Line[]> {
  const as_of = update.as_of ?? new Date().toISOString();
  const lines: Line[] = [];
  for (const [line, table] of Object.entries(LIST_TABLES) as [keyof typeof LIST_TABLES, string][]) {
    const items = update[line];
    if (!items) continue;
    lines.push(line);
    await trx(table).where({ customer_id: customerId }).delete();
    const rows = items.map((item) => ({
      ...item,
      ...('pan_masked' in item ? { last4: item.pan_masked.slice(-4) } : {}),
      customer_id: customerId,
      as_of,
    }));
    if (rows.length) await trx(table).insert(rows);
  }
  for (const [line, table] of Object.entries(ROW_TABLES) as [keyof typeof ROW_TABLES, string][]) {
    const item = update[line];
    if (!item) continue;
    lines.push(line);
    await trx(table).insert({ ...item, customer_id: customerId, as_of }).onConflict('customer_id').merge();
  }
  return lines;
}

/** Changes a customer's attributes; how many rows changed (0: no such customer). */
export async function updateCustomerRow(db: Knex, customerId: number, update: Record<string, unknown>): Promise<number> {
  return db('customers').where({ id: customerId }).update({ ...update, updated_at: db.fn.now() });
}
