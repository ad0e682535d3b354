import { DIMENSIONS, type Dimension, type Tier, type TierModel } from './tier-model.js';

/** What the model needs to know about one customer, gathered by tiers-repository in bulk. */
export interface ScoreInputs {
  deposit_adb_90d: number;
  time_deposit_principal: number;
  loan_interest_income_12m: number;
  fee_income_12m: number; // funds, insurance, wealth products and card fees
  settlement_volume_90d: number;
  ebanking_transactions_90d: number;
  fx_volume_12m: number;
  remittance_fees_12m: number;
  trade_finance_volume_12m: number;
  tenure_years: number;
  product_lines: number;
}

export interface ScoreResult {
  score: number;
  breakdown: Record<Dimension, number> & { loyalty_multiplier: number };
}

export type TierMinScores = Record<Exclude<Tier, 'STANDARD'>, number>;

const round2 = (n: number) => Math.round(n * 100) / 100;
const BP = 1 / 10_000;

/** The composite contribution score: estimated yearly income for the bank across all lines (CNY). */
export function scoreCustomer(x: ScoreInputs, model: TierModel): ScoreResult {
  const { rates, weights, loyalty } = model;
  const perLine: Record<Dimension, number> = {
    deposits: x.deposit_adb_90d * rates.deposit_margin + x.time_deposit_principal * rates.time_deposit_margin,
    loans: x.loan_interest_income_12m,
    fees: x.fee_income_12m,
    // 90-day activity annualised (x4)
    ebanking: 4 * (x.settlement_volume_90d * rates.settlement_bp * BP + x.ebanking_transactions_90d * rates.ebanking_tx_income),
    international: x.fx_volume_12m * rates.fx_spread_bp * BP + x.remittance_fees_12m + x.trade_finance_volume_12m * rates.trade_finance_bp * BP,
  };
  const multiplier =
    1 +
    loyalty.per_year_tenure * Math.min(Math.max(x.tenure_years, 0), loyalty.max_tenure_years) +
    loyalty.per_extra_line * Math.max(x.product_lines - 1, 0);
  let total = 0;
  const breakdown = { loyalty_multiplier: round2(multiplier) } as ScoreResult['breakdown'];
  for (const d of DIMENSIONS) {
    const weighted = perLine[d] * weights[d] * multiplier;
    breakdown[d] = round2(weighted);
    total += weighted;
  }
  return { score: round2(total), breakdown };
}

/** Score at each tier's lower edge, from every customer's score and the model's tier shares. */
export function computeMinScores(scores: number[], model: TierModel): TierMinScores {
  const sorted = [...scores].sort((a, b) => b - a);
  const n = sorted.length;
  const at = (share: number) => {
    if (n === 0) return Number.POSITIVE_INFINITY;
    const rank = Math.max(1, Math.ceil(n * share));
    return sorted[Math.min(rank, n) - 1] ?? Number.POSITIVE_INFINITY;
  };
  const { PRIVATE, DIAMOND, GOLD } = model.cutoffs;
  return { PRIVATE: at(PRIVATE), DIAMOND: at(PRIVATE + DIAMOND), GOLD: at(PRIVATE + DIAMOND + GOLD) };
}

export function tierFor(score: number, min: TierMinScores): Tier {
  // A customer who brings nothing is STANDARD whatever the cut-offs (a tiny or empty bank has zero edges).
  if (score <= 0) return 'STANDARD';
  if (score >= min.PRIVATE) return 'PRIVATE';
  if (score >= min.DIAMOND) return 'DIAMOND';
  if (score >= min.GOLD) return 'GOLD';
  return 'STANDARD';
}
