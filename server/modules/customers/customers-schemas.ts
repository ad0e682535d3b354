import { PinStatus } from '../pins/pins-schemas.js';
import { Type, type Static } from 'typebox';
import { TierSchema } from '../tiers/tier-model.js';
import { Count, Currency, DateOnly, IdParams, Money as Amount, Nullable, RatePct, SignedMoney, TermMonths } from '../../lib/schema.js';

// The screen-pop document (docs/domain.md, "The unified customer profile"). Response serialisation
// follows these schemas, so a field not listed here can never leak out, masked or not.

const Money = Type.Number({ description: 'CNY (or `currency`), 2 decimals' });
const Timestamp = Type.String({ format: 'date-time' });
const Risk = Type.Integer({ minimum: 1, maximum: 5, description: 'R1 (conservative) .. R5 (aggressive)' });

export const CustomerIdParams = IdParams;

// The values the bank's systems send in these free-text fields (and the demo bank generates): the
// pop has words for each, tied by test/unit/words.test.ts.
/** Where a transaction, case or contact happened. */
export const CHANNELS = ['branch', 'atm', 'mobile', 'online', 'pos', 'counter', 'phone', 'ivr', 'email', 'sms', 'web', 'wechat', 'phone_ivr', 'phone_agent', 'outbound'] as const;
/** A holding's status (accounts, time deposits, loans, cards). */
export const HOLDING_STATUSES = ['active', 'dormant', 'frozen', 'lost', 'closed', 'overdue', 'matured'] as const;
export const CARD_KINDS = ['debit', 'credit'] as const;
export const LOAN_KINDS = ['mortgage', 'consumer', 'auto', 'business'] as const;
export const PHONE_KINDS = ['mobile', 'home', 'work'] as const;
export const CONTACT_WAYS = ['phone', 'wechat', 'sms', 'email'] as const;

export const Purpose = Type.Enum(['call', 'search', 'callback', 'review'], {
  description: 'Why the profile is opened: recorded in the audit log',
});
export const ProfileQuery = Type.Object({
  purpose: Type.Optional(Purpose),
  call_sid: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The call this view serves (implies purpose=call)' })),
});

export const Identity = Type.Object({
  display_name: Type.String(),
  name_zh: Nullable(Type.String()),
  name_en: Nullable(Type.String()),
  gender: Type.String(),
  age: Nullable(Type.Integer()),
  customer_type: Type.String(),
  id_type: Type.String(),
  id_number_masked: Type.String(),
  language: Type.String(),
  preferred_contact: Type.String(),
  phones: Type.Array(Type.Object({ phone_masked: Type.String(), kind: Type.String(), is_primary: Type.Boolean() })),
  email_masked: Nullable(Type.String()),
  region: Type.String(),
  occupation: Nullable(Type.String()),
  income_band: Nullable(Type.String()),
  timezone: Type.String(),
  customer_since: DateOnly,
  tenure_years: Type.Number(),
});

export const ScoreBreakdown = Type.Object({
  deposits: Type.Number(), loans: Type.Number(), fees: Type.Number(), ebanking: Type.Number(), international: Type.Number(),
  loyalty_multiplier: Type.Number(),
});

export const Value = Type.Object({
  tier: TierSchema,
  score: Type.Number({ description: 'Composite contribution: estimated yearly income for the bank, CNY' }),
  breakdown: ScoreBreakdown,
  trend: Type.Enum(['up', 'down', 'steady', 'new']),
  tier_history: Type.Array(Type.Object({ from_tier: Nullable(Type.String()), to_tier: Type.String(), changed_at: Timestamp })),
  next_tier: Nullable(Type.Object({ tier: TierSchema, min_score: Type.Number(), gap: Type.Number() })),
});

export const RelationshipManager = Type.Object({ id: Type.Integer(), name: Type.String(), phone: Type.String(), branch: Type.String(), team: Type.String() });

export const Holdings = Type.Object({
  deposits: Type.Array(Type.Object({ account_no_masked: Type.String(), product: Type.String(), currency: Type.String(), balance: Money, avg_daily_balance_90d: Money, status: Type.String(), opened_on: DateOnly })),
  time_deposits: Type.Array(Type.Object({ deposit_no_masked: Type.String(), currency: Type.String(), principal: Money, rate_pct: Type.Number(), term_months: Type.Integer(), maturity_date: DateOnly, status: Type.String() })),
  loans: Type.Array(Type.Object({ loan_no_masked: Type.String(), kind: Type.String(), principal: Money, outstanding: Money, rate_pct: Type.Number(), maturity_date: DateOnly, days_overdue: Type.Integer(), status: Type.String() })),
  cards: Type.Array(Type.Object({ kind: Type.String(), product: Type.String(), pan_masked: Type.String(), last4: Type.String(), status: Type.String(), credit_limit: Nullable(Money), balance: Money, expires_on: DateOnly })),
  investments: Type.Array(Type.Object({ line: Type.String(), product_code: Type.String(), product_name: Type.String(), risk_level: Risk, market_value: Money, purchased_on: DateOnly })),
  ebanking: Nullable(Type.Object({ mobile_enrolled: Type.Boolean(), online_enrolled: Type.Boolean(), logins_90d: Type.Integer(), transactions_90d: Type.Integer(), last_login_at: Nullable(Timestamp) })),
  international: Nullable(Type.Object({ fx_volume_12m: Money, remittances_12m: Type.Integer(), trade_finance_volume_12m: Money })),
  totals: Type.Object({ deposits: Money, time_deposits: Money, investments: Money, loans_outstanding: Money, product_lines: Type.Integer() }),
});

export const Transaction = Type.Object({ occurred_at: Timestamp, amount: Money, currency: Type.String(), channel: Type.String(), description: Type.String(), account_ref_masked: Type.String() });
/** An open case (complaint, suggestion, service request) as the pop shows it: with its SLA due time and what is left of it. */
export const Complaint = Type.Object({
  case_id: Type.String(), case_no: Type.String(), kind: Type.String(), category: Type.String(), severity: Type.String(), summary: Type.String(), status: Type.String(),
  owner: Nullable(Type.String()), opened_at: Timestamp, sla_due_at: Timestamp,
  due_in_s: Type.Integer({ description: 'Seconds until the SLA is due (negative: overdue), as of generated_at' }), overdue: Type.Boolean(), escalated: Type.Boolean({ description: 'At risk of its SLA and escalated to a supervisor' }),
});
export const InteractionSummary = Type.Object({ id: Type.String(), channel: Type.String(), direction: Type.String(), started_at: Timestamp, ended_at: Nullable(Timestamp), summary: Nullable(Type.String()), disposition: Nullable(Type.String()) });

export const Offer = Type.Object({
  rule: Type.String({ description: 'Which transparent rule produced it' }),
  product_code: Type.String(),
  name_zh: Type.String(),
  name_en: Type.String(),
  risk_level: Risk,
  reason: Type.String({ description: 'Why this customer, in words an agent can say' }),
});

export const Profile = Type.Object({
  customer_id: Type.Integer(),
  customer_no: Type.String(),
  identity: Identity,
  value: Value,
  relationship_manager: Nullable(RelationshipManager),
  holdings: Holdings,
  recent_transactions: Type.Array(Transaction),
  recent_interactions: Type.Array(InteractionSummary),
  open_complaints: Type.Array(Complaint),
  flags: Type.Object({ risk_tolerance: Risk, credit_rating: Nullable(Type.String()), churn_risk: Type.Boolean(), loan_overdue: Type.Boolean(), card_blocked: Type.Boolean(), complaint_overdue: Type.Boolean() }),
  consent: Type.Object({ marketing_consent: Type.Boolean(), do_not_call: Type.Boolean() }),
  phone_pin: PinStatus,
  offers: Type.Array(Offer),
  data_freshness: Type.Object({ holdings_as_of: Nullable(Timestamp), last_transaction_at: Nullable(Timestamp), score_computed_at: Nullable(Timestamp), generated_at: Timestamp }),
});
export type Profile = Static<typeof Profile>;

export const CandidateSummary = Type.Object({
  customer_id: Type.Integer(),
  customer_no: Type.String(),
  display_name: Type.String(),
  name_zh: Nullable(Type.String()),
  name_en: Nullable(Type.String()),
  tier: TierSchema,
  phone_masked: Nullable(Type.String()),
  card_last4: Type.Array(Type.String(), { description: 'To tell candidates apart (the IVR asks for a card\'s last 4)' }),
});
export type CandidateSummary = Static<typeof CandidateSummary>;

export const LookupQuery = Type.Object({
  phone: Type.String({ minLength: 1, maxLength: 32, description: 'Caller number; E.164 or a mainland mobile' }),
  call_sid: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
});
export const LookupReply = Type.Object({
  phone_masked: Type.String(),
  candidates: Type.Array(CandidateSummary),
  profile: Nullable(Profile),
}, { description: 'One candidate: its profile too. Several (a shared line): all of them and no profile; never a guess.' });

export const SearchQuery = Type.Object({
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Prefix of the Chinese or English name' })),
  card_last4: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
});
export const SearchReply = Type.Object({ results: Type.Array(CandidateSummary) });

// What a core-banking feed posts. Each line present replaces that line's snapshot for the customer.
const AccountNo = Type.String({ pattern: '^[A-Za-z0-9-]{4,34}$' });
export const HoldingsUpdate = Type.Object({
  as_of: Type.Optional(Timestamp),
  deposits: Type.Optional(Type.Array(Type.Object({
    account_no: AccountNo, product: Type.String({ minLength: 1, maxLength: 32 }), currency: Type.Optional(Currency),
    balance: SignedMoney(), avg_daily_balance_90d: Amount(), status: Type.Optional(Type.Enum(['active', 'dormant', 'frozen', 'closed'])), opened_on: DateOnly,
  }, { additionalProperties: false }), { maxItems: 200 })),
  time_deposits: Type.Optional(Type.Array(Type.Object({
    deposit_no: AccountNo, currency: Type.Optional(Currency), principal: Amount(), rate_pct: RatePct,
    term_months: TermMonths, start_date: DateOnly, maturity_date: DateOnly, status: Type.Optional(Type.Enum(['active', 'matured', 'withdrawn'])),
  }, { additionalProperties: false }), { maxItems: 200 })),
  loans: Type.Optional(Type.Array(Type.Object({
    loan_no: AccountNo, kind: Type.Enum(['mortgage', 'consumer', 'auto', 'business']), principal: Amount(), outstanding: Amount(),
    rate_pct: RatePct, interest_income_12m: Amount(), start_date: DateOnly, maturity_date: DateOnly,
    days_overdue: Type.Optional(Count()), status: Type.Optional(Type.Enum(['active', 'overdue', 'closed'])),
  }, { additionalProperties: false }), { maxItems: 100 })),
  cards: Type.Optional(Type.Array(Type.Object({
    kind: Type.Enum(['debit', 'credit']), product: Type.String({ minLength: 1, maxLength: 64 }),
    // Only a masked PAN is ever accepted: the pattern refuses a full card number.
    pan_masked: Type.String({ pattern: '^[0-9]{4,6}[0-9 ]*\\*[* ]{5,}[0-9]{4}$', description: 'e.g. 6225 88** **** 1234' }),
    status: Type.Optional(Type.Enum(['active', 'frozen', 'lost', 'closed'])),
    credit_limit: Type.Optional(Amount()), balance: Type.Optional(SignedMoney()), spend_12m: Type.Optional(Amount()),
    fee_income_12m: Type.Optional(Amount()), expires_on: DateOnly,
  }, { additionalProperties: false }), { maxItems: 50 })),
  investments: Type.Optional(Type.Array(Type.Object({
    line: Type.Enum(['fund', 'insurance', 'wealth']), product_code: Type.String({ minLength: 1, maxLength: 32 }),
    product_name: Type.String({ minLength: 1, maxLength: 128 }), risk_level: Risk, market_value: Amount(), fee_income_12m: Amount(), purchased_on: DateOnly,
  }, { additionalProperties: false }), { maxItems: 200 })),
  ebanking: Type.Optional(Type.Object({
    mobile_enrolled: Type.Boolean(), online_enrolled: Type.Boolean(), logins_90d: Count(), transactions_90d: Count(),
    settlement_volume_90d: Amount(), last_login_at: Type.Optional(Timestamp),
  }, { additionalProperties: false })),
  international: Type.Optional(Type.Object({
    fx_volume_12m: Amount(), remittances_12m: Count(), remittance_fees_12m: Amount(), trade_finance_volume_12m: Amount(),
  }, { additionalProperties: false })),
}, { additionalProperties: false, minProperties: 1 });
export type HoldingsUpdate = Static<typeof HoldingsUpdate>;

export const TierResult = Type.Object({
  customer_id: Type.Integer(), score: Type.Number(), tier: TierSchema, previous_tier: Type.String(), changed: Type.Boolean(),
});

// What the CRM master feed may change on a customer (attributes, not holdings).
export const CustomerUpdate = Type.Object({
  language: Type.Optional(Type.Enum(['zh', 'en'])),
  preferred_contact: Type.Optional(Type.Enum(['phone', 'sms', 'email', 'wechat'])),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  occupation: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  income_band: Type.Optional(Nullable(Type.Enum(['<100k', '100k-300k', '300k-1m', '1m-5m', '>5m']))),
  risk_tolerance: Type.Optional(Risk),
  credit_rating: Type.Optional(Nullable(Type.String({ pattern: '^(AAA|AA|A|BBB|BB|B|CCC|CC|C)$' }))),
  churn_risk: Type.Optional(Type.Boolean()),
  marketing_consent: Type.Optional(Type.Boolean()),
  do_not_call: Type.Optional(Type.Boolean()),
  timezone: Type.Optional(Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z_+-]+)*$', maxLength: 64 })),
}, { additionalProperties: false, minProperties: 1 });
export type CustomerUpdate = Static<typeof CustomerUpdate>;
export const CustomerUpdateReply = Type.Object({ customer_id: Type.Integer(), updated: Type.Array(Type.String()) });
