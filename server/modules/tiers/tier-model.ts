import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The value model (docs/domain.md, VAL-04): a customer's contribution is the sum over business lines of
 * an annualised income estimate in CNY, each multiplied by a weight, then lifted by loyalty.
 * Everything here is configuration (TIER_MODEL_FILE); the code only evaluates it.
 */
export const TIERS = ['PRIVATE', 'DIAMOND', 'GOLD', 'STANDARD'] as const;
export type Tier = (typeof TIERS)[number];
export const TierSchema = Type.Enum([...TIERS]);

export const DIMENSIONS = ['deposits', 'loans', 'fees', 'ebanking', 'international'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const TierModelSchema = Type.Object({
  version: Type.String({ minLength: 1 }),
  // Relative importance of each business line; 1 = count its estimated income as is.
  weights: Type.Object({
    deposits: Type.Number({ minimum: 0 }),
    loans: Type.Number({ minimum: 0 }),
    fees: Type.Number({ minimum: 0 }),
    ebanking: Type.Number({ minimum: 0 }),
    international: Type.Number({ minimum: 0 }),
  }),
  // How each line turns into yearly income for the bank.
  rates: Type.Object({
    deposit_margin: Type.Number({ description: 'net interest margin on the 90-day average demand balance' }),
    time_deposit_margin: Type.Number({ description: 'margin on time-deposit principal' }),
    settlement_bp: Type.Number({ description: 'basis points earned on e-banking settlement volume (annualised from 90 days)' }),
    ebanking_tx_income: Type.Number({ description: 'CNY per e-banking transaction (annualised from 90 days)' }),
    fx_spread_bp: Type.Number({ description: 'basis points of FX volume' }),
    trade_finance_bp: Type.Number({ description: 'basis points of trade-finance volume' }),
  }),
  loyalty: Type.Object({
    per_year_tenure: Type.Number({ description: 'uplift per year as a customer' }),
    max_tenure_years: Type.Number(),
    per_extra_line: Type.Number({ description: 'uplift per product line held beyond the first' }),
  }),
  // Share of customers in each tier, from the top; the rest are STANDARD.
  cutoffs: Type.Object({
    PRIVATE: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    DIAMOND: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    GOLD: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
  }),
});
export type TierModel = Static<typeof TierModelSchema>;

export const DEFAULT_TIER_MODEL: TierModel = {
  version: 'v1-2026-11',
  weights: { deposits: 1, loans: 1, fees: 1, ebanking: 1, international: 1 },
  rates: {
    deposit_margin: 0.018,
    time_deposit_margin: 0.008,
    settlement_bp: 2,
    ebanking_tx_income: 0.3,
    fx_spread_bp: 30,
    trade_finance_bp: 50,
  },
  loyalty: { per_year_tenure: 0.01, max_tenure_years: 20, per_extra_line: 0.03 },
  cutoffs: { PRIVATE: 0.01, DIAMOND: 0.03, GOLD: 0.16 },
};

export function loadTierModel(file: string | undefined): TierModel {
  if (!file) return DEFAULT_TIER_MODEL;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const errors = [...Value.Errors(TierModelSchema, parsed)];
  if (errors.length) {
    throw new Error(`TIER_MODEL_FILE ${file} is invalid: ${errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
  }
  const model = parsed as TierModel;
  const { PRIVATE, DIAMOND, GOLD } = model.cutoffs;
  if (PRIVATE + DIAMOND + GOLD >= 1) throw new Error(`TIER_MODEL_FILE ${file}: tier shares must add up to less than 1`);
  return model;
}
