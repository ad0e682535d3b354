import { describe, expect, it } from 'vitest';
import { nextBestOffers, type OfferFacts } from '../../server/modules/customers/offer-rules.js';

const facts: OfferFacts = {
  risk_tolerance: 3, credit_rating: 'BBB', churn_risk: false, loan_overdue: false, demand_adb_90d: 10_000, has_wealth_or_fund: false,
  has_credit_card: true, has_mortgage: false, has_insurance: false, time_deposit_maturing_30d: false, fx_volume_12m: 0,
};

describe('next-best offers', () => {
  it('suggests nothing when no rule applies', () => expect(nextBestOffers(facts)).toEqual([]));

  it('moves idle cash into a wealth product that matches the risk tolerance', () => {
    const rich = { ...facts, demand_adb_90d: 500_000 };
    expect(nextBestOffers({ ...rich, risk_tolerance: 3 })[0]?.product_code).toBe('WM-BALANCED-365');
    expect(nextBestOffers({ ...rich, risk_tolerance: 2 })[0]?.product_code).toBe('WM-STABLE-180');
    // A conservative (R1) customer is never offered a wealth product, only a deposit.
    const conservative = nextBestOffers({ ...rich, risk_tolerance: 1 });
    expect(conservative.map((o) => o.product_code)).toEqual(['CD-LARGE-3Y']);
    expect(conservative.every((o) => o.risk_level <= 1)).toBe(true);
  });

  it('puts retention first for a customer at risk of leaving, and explains why', () => {
    const offers = nextBestOffers({ ...facts, churn_risk: true, demand_adb_90d: 500_000 });
    expect(offers[0]?.rule).toBe('retention_at_risk');
    expect(offers[0]?.reason).toMatch(/leave/);
  });

  it('offers a credit card for good credit, but never with an overdue loan', () => {
    const good = { ...facts, has_credit_card: false, credit_rating: 'AA' };
    expect(nextBestOffers(good).map((o) => o.product_code)).toContain('CC-PLATINUM');
    expect(nextBestOffers({ ...good, loan_overdue: true }).map((o) => o.product_code)).not.toContain('CC-PLATINUM');
  });

  it('returns at most three', () => {
    const everything = { ...facts, churn_risk: true, time_deposit_maturing_30d: true, demand_adb_90d: 1e6, fx_volume_12m: 1e6, has_mortgage: true, has_credit_card: false, credit_rating: 'AAA' };
    expect(nextBestOffers(everything)).toHaveLength(3);
  });
});
