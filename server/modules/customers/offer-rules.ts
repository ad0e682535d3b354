/**
 * Next-best offers (MKT-05..08, UCV-07): a short list of plain rules, each with a reason the agent
 * can say out loud. A product is offered only if its risk level is within the customer's risk
 * tolerance (suitability), and credit is never offered to someone with an overdue loan.
 */
export interface OfferProduct {
  code: string;
  name_zh: string;
  name_en: string;
  risk_level: number; // R1..R5
  credit?: boolean;
}

export const OFFER_PRODUCTS = {
  wealth_r2: { code: 'WM-STABLE-180', name_zh: '稳健理财 180天', name_en: 'Steady Wealth 180-day', risk_level: 2 },
  wealth_r3: { code: 'WM-BALANCED-365', name_zh: '平衡理财 365天', name_en: 'Balanced Wealth 365-day', risk_level: 3 },
  large_cd: { code: 'CD-LARGE-3Y', name_zh: '大额存单 3年', name_en: 'Large-amount CD 3-year', risk_level: 1 },
  platinum_card: { code: 'CC-PLATINUM', name_zh: '白金信用卡', name_en: 'Platinum Credit Card', risk_level: 1, credit: true },
  fx_package: { code: 'FX-PREFERRED', name_zh: '外汇优惠汇率套餐', name_en: 'FX Preferred-rate Package', risk_level: 1 },
  home_insurance: { code: 'INS-HOME', name_zh: '家庭财产保险', name_en: 'Home Insurance', risk_level: 1 },
  fee_waiver: { code: 'SVC-FEE-WAIVER', name_zh: '年费及手续费减免', name_en: 'Annual and service fee waiver', risk_level: 1 },
} as const satisfies Record<string, OfferProduct>;

export interface OfferFacts {
  risk_tolerance: number;
  credit_rating: string | null;
  churn_risk: boolean;
  loan_overdue: boolean;
  demand_adb_90d: number;
  has_wealth_or_fund: boolean;
  has_credit_card: boolean;
  has_mortgage: boolean;
  has_insurance: boolean;
  time_deposit_maturing_30d: boolean;
  fx_volume_12m: number;
}

export interface Offer {
  rule: string;
  product_code: string;
  name_zh: string;
  name_en: string;
  risk_level: number;
  reason: string;
}

interface Rule {
  id: string;
  applies: (f: OfferFacts) => boolean;
  product: (f: OfferFacts) => OfferProduct;
  reason: string;
}

const GOOD_CREDIT = new Set(['AAA', 'AA', 'A']);

// In priority order: keeping a customer beats selling to them.
const RULES: Rule[] = [
  { id: 'retention_at_risk', applies: (f) => f.churn_risk, product: () => OFFER_PRODUCTS.fee_waiver, reason: 'Flagged as likely to leave: offer the fee waiver before anything else' },
  { id: 'maturing_time_deposit', applies: (f) => f.time_deposit_maturing_30d, product: () => OFFER_PRODUCTS.large_cd, reason: 'A time deposit matures within 30 days: offer to roll it into a large-amount CD' },
  {
    id: 'idle_cash_to_wealth',
    applies: (f) => f.demand_adb_90d >= 200_000 && !f.has_wealth_or_fund,
    product: (f) => (f.risk_tolerance >= 3 ? OFFER_PRODUCTS.wealth_r3 : f.risk_tolerance >= 2 ? OFFER_PRODUCTS.wealth_r2 : OFFER_PRODUCTS.large_cd),
    reason: 'Over CNY 200,000 kept in demand deposits for 90 days and no wealth products',
  },
  { id: 'fx_regular', applies: (f) => f.fx_volume_12m >= 50_000, product: () => OFFER_PRODUCTS.fx_package, reason: 'Regular foreign-exchange user (over CNY 50,000 in 12 months)' },
  { id: 'mortgage_without_home_insurance', applies: (f) => f.has_mortgage && !f.has_insurance, product: () => OFFER_PRODUCTS.home_insurance, reason: 'Has a mortgage and no home insurance' },
  {
    id: 'credit_card_for_good_credit',
    applies: (f) => !f.has_credit_card && f.credit_rating !== null && GOOD_CREDIT.has(f.credit_rating),
    product: () => OFFER_PRODUCTS.platinum_card,
    reason: 'Good credit rating and no credit card with us',
  },
];

export function nextBestOffers(facts: OfferFacts, max = 3): Offer[] {
  const offers: Offer[] = [];
  for (const rule of RULES) {
    if (offers.length >= max || !rule.applies(facts)) continue;
    const p = rule.product(facts);
    if (p.risk_level > facts.risk_tolerance) continue; // suitability: never above the customer's tolerance
    if ('credit' in p && p.credit && facts.loan_overdue) continue;
    offers.push({ rule: rule.id, product_code: p.code, name_zh: p.name_zh, name_en: p.name_en, risk_level: p.risk_level, reason: rule.reason });
  }
  return offers;
}
