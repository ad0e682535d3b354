import { Type, type Static } from 'typebox';
import { Nullable } from '../../lib/schema.js';
import { Profile } from '../customers/customers-schemas.js';
import { CampaignPop } from '../routing/routing-schemas.js';

export const PURPOSES = ['marketing', 'care', 'complaint_follow_up', 'survey', 'retention'] as const;
/** Purposes that sell: they need the customer's marketing consent. Care, surveys and follow-ups are service. */
export const CONSENT_PURPOSES: ReadonlySet<string> = new Set(['marketing', 'retention']);
export const DIALING_MODES = ['preview', 'progressive', 'predictive'] as const;
export const CAMPAIGN_STATES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export const ENTRY_STATES = ['pending', 'dialing', 'done', 'excluded'] as const;
/** What an agent may record at the end of a campaign call. */
export const DISPOSITIONS = ['interested', 'sale', 'callback', 'not_interested', 'wrong_number', 'do_not_call'] as const;
/** Dial outcomes that may be retried, each after its own delay. */
export const RETRY_OUTCOMES = ['busy', 'no_answer', 'machine', 'failed', 'abandoned'] as const;
/** What can be wrong with one line of an uploaded list. */
export const LINE_PROBLEMS = ['key_malformed', 'customer_not_found', 'phone_invalid', 'csv_malformed'] as const;
/** Why a list entry is never dialled. */
export const EXCLUDED_REASONS = ['do_not_call', 'no_consent', 'recent_contact', 'no_phone', 'bad_timezone'] as const;
/** Product lines a segment can ask for (held, or not held). */
export const PRODUCT_LINES = ['time_deposit', 'loan', 'mortgage', 'credit_card', 'fund', 'insurance', 'wealth', 'ebanking', 'international'] as const;

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, in the customer\'s own time zone' });
const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' });

export const Offer = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64 }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  terms: Type.String({ maxLength: 2000 }),
}, { additionalProperties: false });

export const RetryDelays = Type.Object({
  busy: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 900 }),
  no_answer: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 3600 }),
  machine: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 14400 }),
  failed: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 1800 }),
  abandoned: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 86400 }),
}, { additionalProperties: false, description: 'Seconds before the next attempt, per outcome' });

const CampaignFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  purpose: Type.Enum([...PURPOSES]),
  dialing_mode: Type.Enum([...DIALING_MODES]),
  script: Type.String({ maxLength: 20000, default: '' }),
  offer: Type.Optional(Nullable(Offer)),
  caller_id: E164,
  skill: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', default: 'outbound' }),
  calls_per_second: Type.Number({ minimum: 0.1, maximum: 50, default: 1 }),
  max_abandon_rate: Type.Number({ minimum: 0, maximum: 0.2, default: 0.03 }),
  window_start: { ...HHMM, default: '09:00' },
  window_end: { ...HHMM, default: '20:00' },
  max_attempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
  retry_delays: Type.Optional(Type.Partial(RetryDelays, { additionalProperties: false })),
  ring_seconds: Type.Integer({ minimum: 15, maximum: 60, default: 25, description: 'How long a call rings before it counts as no answer (never below 15 s)' }),
  machine_action: Type.Union([Type.Literal('voicemail'), Type.Literal('hangup')], { default: 'hangup' }),
  voicemail_text: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  starts_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  ends_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
};

export const CampaignInput = Type.Object(CampaignFields, { additionalProperties: false });
export type CampaignInput = Static<typeof CampaignInput>;
/** Only what the request names changes: the create defaults must not fill in the rest of a patch. */
const withoutDefault = <T extends object>(schema: T): T => {
  const { default: _unused, ...rest } = schema as T & { default?: unknown };
  return rest as T;
};
const PatchFields = Object.fromEntries(Object.entries(CampaignFields).map(([k, v]) => [k, withoutDefault(v)])) as typeof CampaignFields;
// Type.Partial does not carry the object's options over: additionalProperties is restated, or a
// patch could write any column (state, created_by…) past the state machine.
export const CampaignPatch = Type.Partial(Type.Object(PatchFields), { additionalProperties: false });
export type CampaignPatch = Static<typeof CampaignPatch>;

/** A row of the call list, as supervisors see it (the phone masked). */
export const ListEntry = Type.Object({
  id: Type.Integer(), customer_id: Type.Integer(), customer_no: Type.String(), phone_masked: Type.String(), state: Type.Enum([...ENTRY_STATES]), attempts: Type.Integer(),
  next_attempt_at: Nullable(Type.String()), last_outcome: Nullable(Type.String()), disposition: Nullable(Type.String()),
  callback_at: Nullable(Type.String()), excluded_reason: Nullable(Type.String()), source_line: Nullable(Type.Integer()),
});
/** `GET /api/campaigns/:id/entries`: a page of the call list, by state, after an entry id. */
export const EntriesQuery = Type.Object({
  state: Type.Optional(Type.Enum([...ENTRY_STATES])),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
});
export const EntryList = Type.Object({ entries: Type.Array(ListEntry) });
export type ListEntry = Static<typeof ListEntry>;

export const CampaignId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
export const CampaignAction = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  action: Type.Union([Type.Literal('start'), Type.Literal('pause'), Type.Literal('resume'), Type.Literal('cancel')]),
});

export const Segment = Type.Object({
  tiers: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{1,16}$' }), { maxItems: 10 })),
  holds: Type.Optional(Type.Array(Type.Enum([...PRODUCT_LINES]), { maxItems: 10 })),
  not_holds: Type.Optional(Type.Array(Type.Enum([...PRODUCT_LINES]), { maxItems: 10 })),
  churn_risk: Type.Optional(Type.Boolean()),
  regions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
  last_contact_before: Type.Optional(Type.String({ format: 'date', description: 'Only customers with no interaction since this day' })),
  limit: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100_000 }),
}, { additionalProperties: false });
export type Segment = Static<typeof Segment>;

export const ListResult = Type.Object({
  rows: Type.Integer({ description: 'Rows read (customers matched, or CSV data lines)' }),
  added: Type.Integer(),
  duplicates: Type.Integer({ description: 'Customers already on the list' }),
  excluded: Type.Record(Type.String(), Type.Integer(), { description: 'Kept on the list, never dialled: do_not_call, no_consent, recent_contact, no_phone' }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), code: Type.Enum([...LINE_PROBLEMS]), message: Type.String() }), { description: 'The first 100 bad CSV lines' }),
  error_count: Type.Integer(),
});
export type ListResult = Static<typeof ListResult>;

export const Campaign = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  purpose: Type.Enum([...PURPOSES]),
  state: Type.Enum([...CAMPAIGN_STATES]),
  dialing_mode: Type.Enum([...DIALING_MODES]),
  script: Type.String(),
  offer: Nullable(Offer),
  caller_id: Type.String(),
  skill: Type.String(),
  calls_per_second: Type.Number(),
  max_abandon_rate: Type.Number(),
  window_start: Type.String(),
  window_end: Type.String(),
  max_attempts: Type.Integer(),
  retry_delays: RetryDelays,
  ring_seconds: Type.Integer(),
  machine_action: Type.Enum(['voicemail', 'hangup']),
  voicemail_text: Nullable(Type.String()),
  starts_at: Nullable(Type.String()),
  ends_at: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export const CampaignList = Type.Object({ campaigns: Type.Array(Campaign) });
export type Campaign = Static<typeof Campaign>;

export const Progress = Type.Object({
  campaign_id: Type.Integer(),
  state: Type.Enum([...CAMPAIGN_STATES]),
  list_size: Type.Integer(),
  excluded: Type.Integer(),
  dialed: Type.Integer({ description: 'Calls placed (attempts that reached Twilio)' }),
  blocked: Type.Integer({ description: 'Dials the compliance check refused' }),
  connected: Type.Integer({ description: 'Calls answered (a person or a machine)' }),
  humans: Type.Integer({ description: 'Answered by a person' }),
  machines: Type.Integer(),
  abandoned: Type.Integer({ description: 'A person answered and no agent joined within 2 s' }),
  abandon_rate: Nullable(Type.Number({ description: 'abandoned / humans' })),
  agent_connected: Type.Integer(),
  conversions: Type.Integer({ description: 'Dispositions interested or sale' }),
  remaining: Type.Integer({ description: 'List entries still to be dialled (pending or ringing)' }),
  dials_per_minute: Type.Number({ description: 'Over the last 5 minutes' }),
  eta_s: Nullable(Type.Integer({ description: 'Remaining / recent dial rate' })),
  pacing_ratio: Type.Number(),
});
export type Progress = Static<typeof Progress>;

export const CampaignDisposition = Type.Object({
  disposition: Type.Enum([...DISPOSITIONS]),
  callback_at: Type.Optional(Type.String({ format: 'date-time', description: 'With disposition callback: when to call again' })),
  notes: Type.Optional(Type.String({ maxLength: 4000 })),
}, { additionalProperties: false });

/** Preview mode: the customer the agent is held for, with what to say and offer. */
export const PreviewCustomer = Type.Object({ attempt_id: Type.String(), campaign: CampaignPop, profile: Profile });
export const PreviewReply = Type.Object({ attempt_id: Type.String(), state: Type.Enum(['dialing', 'skipped']) });

export const DncEntry = Type.Object({ phone: E164, reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
