import type { Knex } from 'knex';
import type { ScoreInputs, TierMinScores } from './scoring.js';

export interface ScoredCustomer {
  id: number;
  tier: string;
  assessed: boolean; // false until the customer's first scoring
  inputs: ScoreInputs;
}

/**
 * Everything the value model needs, for some customers or all, in one query: one grouped
 * sub-select per product line, so its cost does not depend on how many products anyone holds.
 */
export async function loadScoreInputs(db: Knex, ids?: number[]): Promise<ScoredCustomer[]> {
  const filter = ids ? 'WHERE c.id = ANY(?::int[])' : '';
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `SELECT c.id, c.tier, c.score_computed_at IS NOT NULL AS assessed,
       extract(epoch FROM (now() - c.customer_since::timestamptz)) / 31557600.0 AS tenure_years,
       coalesce(d.adb, 0) AS deposit_adb_90d, coalesce(d.n, 0) AS deposit_n,
       coalesce(td.principal, 0) AS time_deposit_principal, coalesce(td.n, 0) AS time_deposit_n,
       coalesce(l.interest, 0) AS loan_interest_income_12m, coalesce(l.n, 0) AS loan_n,
       coalesce(cd.fees, 0) + coalesce(inv.fees, 0) AS fee_income_12m, coalesce(cd.credit_n, 0) AS credit_card_n,
       coalesce(inv.lines, 0) AS investment_lines,
       coalesce(e.settlement_volume_90d, 0) AS settlement_volume_90d, coalesce(e.transactions_90d, 0) AS ebanking_transactions_90d,
       coalesce(e.mobile_enrolled OR e.online_enrolled, false) AS ebanking_enrolled,
       coalesce(ib.fx_volume_12m, 0) AS fx_volume_12m, coalesce(ib.remittance_fees_12m, 0) AS remittance_fees_12m,
       coalesce(ib.trade_finance_volume_12m, 0) AS trade_finance_volume_12m,
       coalesce(ib.fx_volume_12m + ib.remittances_12m + ib.trade_finance_volume_12m > 0, false) AS international_active
     FROM customers c
     LEFT JOIN (SELECT customer_id, sum(avg_daily_balance_90d) AS adb, count(*) AS n FROM deposit_accounts WHERE status <> 'closed' GROUP BY customer_id) d ON d.customer_id = c.id
     LEFT JOIN (SELECT customer_id, sum(principal) AS principal, count(*) AS n FROM time_deposits WHERE status = 'active' GROUP BY customer_id) td ON td.customer_id = c.id
     LEFT JOIN (SELECT customer_id, sum(interest_income_12m) AS interest, count(*) AS n FROM loans WHERE status <> 'closed' GROUP BY customer_id) l ON l.customer_id = c.id
     LEFT JOIN (SELECT customer_id, sum(fee_income_12m) AS fees, count(*) FILTER (WHERE kind = 'credit') AS credit_n FROM cards WHERE status <> 'closed' GROUP BY customer_id) cd ON cd.customer_id = c.id
     LEFT JOIN (SELECT customer_id, sum(fee_income_12m) AS fees, count(DISTINCT line) AS lines FROM investment_holdings GROUP BY customer_id) inv ON inv.customer_id = c.id
     LEFT JOIN ebanking_activity e ON e.customer_id = c.id
     LEFT JOIN international_business ib ON ib.customer_id = c.id
     ${filter}
     ORDER BY c.id`,
    ids ? [ids] : [],
  );
  return rows.map((r) => {
    const n = (k: string) => Number(r[k] ?? 0);
    const lines =
      (n('deposit_n') > 0 ? 1 : 0) + (n('time_deposit_n') > 0 ? 1 : 0) + (n('loan_n') > 0 ? 1 : 0) +
      (n('credit_card_n') > 0 ? 1 : 0) + n('investment_lines') + (r.ebanking_enrolled ? 1 : 0) + (r.international_active ? 1 : 0);
    return {
      id: n('id'),
      tier: String(r.tier),
      assessed: Boolean(r.assessed),
      inputs: {
        deposit_adb_90d: n('deposit_adb_90d'),
        time_deposit_principal: n('time_deposit_principal'),
        loan_interest_income_12m: n('loan_interest_income_12m'),
        fee_income_12m: n('fee_income_12m'),
        settlement_volume_90d: n('settlement_volume_90d'),
        ebanking_transactions_90d: n('ebanking_transactions_90d'),
        fx_volume_12m: n('fx_volume_12m'),
        remittance_fees_12m: n('remittance_fees_12m'),
        trade_finance_volume_12m: n('trade_finance_volume_12m'),
        tenure_years: n('tenure_years'),
        product_lines: lines,
      },
    };
  });
}

export interface ScoreUpdate {
  id: number;
  score: number;
  tier: string;
  breakdown: object;
}

/** Writes scores for many customers in one statement (unnest keeps it a single round trip). */
export async function writeScores(db: Knex, updates: ScoreUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await db.raw(
    `UPDATE customers c SET score = u.score, tier = u.tier, score_breakdown = u.breakdown,
       score_computed_at = now(), updated_at = now()
     FROM unnest(?::int[], ?::numeric[], ?::text[], ?::jsonb[]) AS u(id, score, tier, breakdown)
     WHERE c.id = u.id`,
    [updates.map((u) => u.id), updates.map((u) => u.score), updates.map((u) => u.tier), updates.map((u) => JSON.stringify(u.breakdown))],
  );
}

export interface TierChange {
  customer_id: number;
  from_tier: string | null;
  to_tier: string;
  score: number;
  model_version: string;
  reason: string;
}

export async function insertTierChanges(db: Knex, changes: TierChange[]): Promise<void> {
  for (let i = 0; i < changes.length; i += 5000) {
    await db('tier_history').insert(changes.slice(i, i + 5000));
  }
}

export async function latestMinScores(db: Knex, modelVersion: string): Promise<TierMinScores | undefined> {
  const row = await db('tier_cutoffs').where({ model_version: modelVersion }).orderBy('id', 'desc').first('min_scores');
  return row?.min_scores as TierMinScores | undefined;
}

export async function saveMinScores(db: Knex, modelVersion: string, minScores: TierMinScores, population: number): Promise<void> {
  // JSON has no Infinity: an empty bank's edges are stored as null and read back as "unreachable".
  const json = Object.fromEntries(Object.entries(minScores).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
  await db('tier_cutoffs').insert({ model_version: modelVersion, min_scores: JSON.stringify(json), population });
}

export interface TierReportRow {
  tier: string;
  customers: number;
  total_score: number;
}

export async function tierTotals(db: Knex): Promise<TierReportRow[]> {
  const rows = await db('customers').select('tier').count('* as customers').sum('score as total_score').groupBy('tier');
  return rows.map((r) => ({ tier: String(r.tier), customers: Number(r.customers), total_score: Number(r.total_score ?? 0) }));
}

/** Every customer's stored score (the cut-offs before the first bulk run come from them). */
export async function allScores(db: Knex): Promise<unknown[]> {
  return db('customers').pluck('score');
}
