import { Type, type Static } from 'typebox';
import { Format } from 'typebox/format';
import { BANK_KEY, isDate, isDateTime } from '../../lib/input-rules.js';
import { Currency, DateOnly, Money, RatePct, SignedMoney, TermMonths } from '../../lib/schema.js';

export const FEED_KINDS = ['customers', 'phones', 'holdings', 'relationship_managers', 'transactions', 'pins'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** What a refused row is refused for. */
export const ROW_ERROR_CODES = [
  'csv_malformed', 'json_malformed', 'row_invalid', 'phone_invalid', 'duplicate_key', 'customer_not_found', 'holding_conflict', 'rm_not_found', 'transaction_conflict', 'pin_hash_invalid', 'file_not_found',
] as const;
export type RowErrorCode = (typeof ROW_ERROR_CODES)[number];

const Key = Type.String({ pattern: BANK_KEY.source });
// The customers API's date (`format: 'date'`), checked by the app's one date rule: TypeBox's own
// takes year 0000, and a pattern takes 2023-02-31; PostgreSQL refuses either with the whole batch.
Format.Set('date', isDate);
Format.Set('date-time', isDateTime);
const Flag = Type.Boolean();
const Email = Type.String({ maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' });

// One row of each feed, as TypeBox checks it after CSV strings are converted to its types.
// `action` makes removals explicit: a row missing from a file never deletes anything.
export const CustomerRow = Type.Object({
  action: Type.Optional(Type.Enum(['upsert'])),
  customer_no: Key,
  customer_type: Type.Optional(Type.Enum(['individual', 'corporate'])),
  name_zh: Type.Optional(Type.String({ maxLength: 128 })),
  name_en: Type.Optional(Type.String({ maxLength: 128 })),
  gender: Type.Enum(['F', 'M', 'U']),
  birth_date: Type.Optional(DateOnly),
  id_type: Type.Enum(['resident_id', 'passport', 'hk_macau_permit']),
  id_number: Type.String({ pattern: '^[A-Za-z0-9]{4,32}$' }),
  language: Type.Optional(Type.Enum(['zh', 'en'])),
  region: Type.String({ minLength: 1, maxLength: 64 }),
  customer_since: DateOnly,
  marketing_consent: Type.Optional(Flag),
  do_not_call: Type.Optional(Flag),
  email: Type.Optional(Email),
  /** The customer's relationship manager, by employee number (the relationship_managers feed's key). */
  rm_employee_no: Type.Optional(Key),
}, { additionalProperties: false });
export type CustomerRow = Static<typeof CustomerRow>;

// Relationship managers, by employee number. Languages: zh, en, or both ("zh en", "zh,en" or "zh;en").
export const RmRow = Type.Object({
  action: Type.Optional(Type.Enum(['upsert'])),
  employee_no: Key,
  name: Type.String({ minLength: 1, maxLength: 128 }),
  phone: Type.String({ minLength: 1, maxLength: 32 }),
  email: Type.Optional(Email),
  branch: Type.String({ minLength: 1, maxLength: 64 }),
  team: Type.String({ minLength: 1, maxLength: 64 }),
  languages: Type.Optional(Type.String({ pattern: '^(zh|en)([ ,;|]+(zh|en))?$' })),
}, { additionalProperties: false });
export type RmRow = Static<typeof RmRow>;

// Transactions, by core banking's transaction number; a reversal is a transaction of its own, and
// `delete` is for a source's correction only.
export const TransactionRow = Type.Object({
  action: Type.Optional(Type.Enum(['upsert', 'delete'])),
  txn_no: Key,
  customer_no: Key,
  account_ref: Type.String({ pattern: '^[A-Za-z0-9*-]{4,34}$', description: 'The account number or the card number (the API masks it)' }),
  occurred_at: Type.String({ format: 'date-time' }),
  amount: SignedMoney({ description: 'Positive: a credit to the customer; negative: a debit' }),
  currency: Type.Optional(Currency),
  channel: Type.Enum(['branch', 'atm', 'mobile', 'online', 'pos', 'counter', 'phone']),
  description: Type.String({ minLength: 1, maxLength: 200 }),
  counterparty: Type.Optional(Type.String({ maxLength: 128 })),
}, { additionalProperties: false });
export type TransactionRow = Static<typeof TransactionRow>;

export const PhoneRow = Type.Object({
  action: Type.Optional(Type.Enum(['upsert', 'delete'])),
  customer_no: Key,
  phone: Type.String({ minLength: 1, maxLength: 32 }),
  kind: Type.Optional(Type.Enum(['mobile', 'home', 'work'])),
  is_primary: Type.Optional(Flag),
}, { additionalProperties: false });
export type PhoneRow = Static<typeof PhoneRow>;

// Holdings by product line, keyed by the product's number in core banking (account or deposit no).
export const HoldingRow = Type.Object({
  action: Type.Optional(Type.Enum(['upsert', 'close'])),
  line: Type.Enum(['deposit', 'time_deposit']),
  product_no: Key,
  customer_no: Key,
  product: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  currency: Type.Optional(Currency),
  amount: Type.Optional(Money()),
  avg_balance_90d: Type.Optional(Money()),
  rate_pct: Type.Optional(RatePct),
  term_months: Type.Optional(TermMonths),
  opened_on: Type.Optional(DateOnly),
  maturity_date: Type.Optional(DateOnly),
}, { additionalProperties: false });
export type HoldingRow = Static<typeof HoldingRow>;

// Phone-banking PINs, enrolled from hashes made at source (argon2id); the PIN itself never travels.
export const PinRow = Type.Object({
  action: Type.Optional(Type.Enum(['upsert'])),
  customer_no: Key,
  pin_hash: Type.String({ minLength: 1, maxLength: 400 }),
}, { additionalProperties: false });
export type PinRow = Static<typeof PinRow>;

export const RunParams = Type.Object({ kind: Type.Enum([...FEED_KINDS]) });
export const RunIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
export const RunQuery = Type.Object({
  format: Type.Optional(Type.Enum(['csv', 'jsonl'])),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'a file under FEED_INBOX_DIR, instead of a body' })),
}, { additionalProperties: false });

export const FeedRun = Type.Object({
  id: Type.Integer(), kind: Type.String(), source: Type.String(), format: Type.String(), status: Type.String(),
  rows: Type.Integer(), added: Type.Integer(), changed: Type.Integer(), unchanged: Type.Integer(), rejected: Type.Integer(), rescored: Type.Integer(),
  duration_ms: Type.Union([Type.Integer(), Type.Null()]), started_at: Type.String(), finished_at: Type.Union([Type.String(), Type.Null()]),
  errors: Type.Optional(Type.Array(Type.Object({ line: Type.Integer(), code: Type.String(), message: Type.String() }))),
});
export type FeedRun = Static<typeof FeedRun>;
export const FeedRunList = Type.Object({ runs: Type.Array(FeedRun) });

export const FeedSchedule = Type.Object({
  feeds: Type.Array(Type.Object({ kind: Type.Enum([...FEED_KINDS]), file: Type.String(), at: Type.String({ description: 'HH:MM, bank time' }) })),
  runs: Type.Array(Type.Object({
    kind: Type.String(), day: Type.String({ format: 'date' }), file: Type.String(), claimed_at: Type.String({ format: 'date-time' }),
    run_id: Type.Union([Type.Integer(), Type.Null()]), status: Type.Union([Type.String({ description: 'running | done | failed' }), Type.Null()]),
  })),
});
