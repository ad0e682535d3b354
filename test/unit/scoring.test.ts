import { describe, expect, it } from 'vitest';
import { computeMinScores, scoreCustomer, tierFor, type ScoreInputs } from '../../server/modules/tiers/scoring.js';
import { DEFAULT_TIER_MODEL as model } from '../../server/modules/tiers/tier-model.js';

const none: ScoreInputs = {
  deposit_adb_90d: 0, time_deposit_principal: 0, loan_interest_income_12m: 0, fee_income_12m: 0, settlement_volume_90d: 0,
  ebanking_transactions_90d: 0, fx_volume_12m: 0, remittance_fees_12m: 0, trade_finance_volume_12m: 0, tenure_years: 0, product_lines: 1,
};

describe('composite contribution score', () => {
  it('counts every business line, not deposits alone (DATA-03)', () => {
    const depositor = scoreCustomer({ ...none, deposit_adb_90d: 1_000_000 }, model);
    const borrower = scoreCustomer({ ...none, loan_interest_income_12m: 18_000 }, model);
    const investor = scoreCustomer({ ...none, fee_income_12m: 18_000 }, model);
    expect(depositor.score).toBe(18_000);
    expect(borrower.score).toBe(18_000);
    expect(investor.score).toBe(18_000);
    expect(depositor.breakdown.deposits).toBe(18_000);
    expect(borrower.breakdown.loans).toBe(18_000);
  });

  it('annualises 90-day e-banking activity and prices FX in basis points', () => {
    const r = scoreCustomer({ ...none, settlement_volume_90d: 1_000_000, ebanking_transactions_90d: 100, fx_volume_12m: 1_000_000 }, model);
    expect(r.breakdown.ebanking).toBe(4 * (1_000_000 * 2e-4 + 100 * 0.3));
    expect(r.breakdown.international).toBe(3_000);
  });

  it('lifts the score for tenure and breadth of relationship, capped', () => {
    const base = scoreCustomer({ ...none, fee_income_12m: 1000 }, model).score;
    const loyal = scoreCustomer({ ...none, fee_income_12m: 1000, tenure_years: 50, product_lines: 4 }, model);
    expect(loyal.breakdown.loyalty_multiplier).toBeCloseTo(1 + 0.01 * 20 + 0.03 * 3);
    expect(loyal.score).toBeCloseTo(base * loyal.breakdown.loyalty_multiplier, 1);
  });

  it('weights come from the model', () => {
    const heavyLoans = { ...model, weights: { ...model.weights, loans: 2 } };
    expect(scoreCustomer({ ...none, loan_interest_income_12m: 100 }, heavyLoans).score).toBe(200);
  });
});

describe('tier cut-offs by percentile', () => {
  const scores = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1000 .. 1

  it('puts the top 1% / next 3% / next 16% into PRIVATE / DIAMOND / GOLD', () => {
    const min = computeMinScores(scores, model);
    const tiers = scores.map((s) => tierFor(s, min));
    const count = (t: string) => tiers.filter((x) => x === t).length;
    expect([count('PRIVATE'), count('DIAMOND'), count('GOLD'), count('STANDARD')]).toEqual([10, 30, 160, 800]);
  });

  it('never lifts a customer who brings nothing out of STANDARD', () => {
    const min = computeMinScores([0, 0, 0], model);
    expect(tierFor(0, min)).toBe('STANDARD');
  });

  it('an empty bank has unreachable edges', () => {
    expect(tierFor(1e9, computeMinScores([], model))).toBe('STANDARD');
  });
});
