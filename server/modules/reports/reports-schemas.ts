import { Type, type Static } from 'typebox';
import { Nullable } from '../../lib/schema.js';
import { BANK_TIME_ZONE } from '../../lib/local-time.js';
import { AgentStateName } from '../agents/agents-schemas.js';

export const REPORT_INTERVALS = ['15m', 'day', 'week', 'month'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];
export const REPORT_GROUPINGS = ['total', 'queue', 'tier', 'agent', 'rm'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];
/** The agent states, in the order the report's columns follow. */
export const AGENT_STATES = AgentStateName.enum as readonly string[];

const Time = Type.String({ format: 'date-time' });

const Range = {
  from: Type.String({ format: 'date-time', description: 'Start of the range, inclusive (ISO 8601 with offset)' }),
  to: Type.String({ format: 'date-time', description: 'End of the range, exclusive' }),
  interval: Type.Enum([...REPORT_INTERVALS], { description: 'Bucket size: 15m (up to 7 days), day (400 days), week (2 years), month (10 years)' }),
  tz: Type.String({ default: BANK_TIME_ZONE, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$', description: 'IANA time zone the days, weeks (from Monday) and months are cut in' }),
  format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv: a download with a header row (also chosen by Accept: text/csv)' })),
};

export const ContactsQuery = Type.Object({
  ...Range,
  by: Type.Enum([...REPORT_GROUPINGS], { default: 'total', description: 'One row per bucket, or per bucket and queue (skill), tier, answering agent or relationship manager' }),
});
export type ContactsQuery = Static<typeof ContactsQuery>;

export const AgentStatesQuery = Type.Object({
  ...Range,
  agent_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
});
export type AgentStatesQuery = Static<typeof AgentStatesQuery>;

const Seconds = (description: string) => Nullable(Type.Number({ description }));

/**
 * One bucket (and key) of the contacts report. Queue measures count visits to a queue (a blind
 * transfer is a second visit) in the bucket the visit began; call measures (IVR, survey,
 * first-contact resolution) count calls in the bucket the call began.
 */
export const ContactsRow = Type.Object({
  bucket_start: Time,
  key: Nullable(Type.String({ description: 'The skill, tier, agent id or RM id; null for the total, or for visits and calls without one (unanswered, IVR only)' })),
  label: Nullable(Type.String({ description: "The agent's or relationship manager's name" })),
  offered: Type.Integer({ description: 'Visits to a queue (entered_queue)' }),
  answered: Type.Integer(),
  abandoned: Type.Integer({ description: 'The caller hung up waiting' }),
  answered_within_target: Type.Integer({ description: "Answered within the tier's service-level seconds" }),
  abandoned_after_target: Type.Integer({ description: "Hung up after the tier's seconds (these count against service level)" }),
  service_level: Nullable(Type.Number({ description: 'answered_within_target / (answered + abandoned_after_target)' })),
  asa_s: Seconds('Average speed of answer'),
  handled: Type.Integer({ description: 'Answered visits whose talk, hold and wrap-up are complete' }),
  aht_s: Seconds('Average handle time: talk + hold + wrap-up'),
  talk_s: Seconds('Average talk per handled visit'),
  hold_s: Seconds('Average hold per handled visit'),
  wrap_s: Seconds('Average wrap-up per handled visit'),
  transfers: Type.Integer({ description: 'Transfers out by agents (blind or to the RM)' }),
  ivr_calls: Type.Integer({ description: 'Calls that began in the bucket (every call starts in the IVR)' }),
  contained: Type.Integer({ description: 'Calls the IVR served by self-service that never reached a queue, a callback or a transfer' }),
  containment_rate: Nullable(Type.Number()),
  fcr_contacts: Type.Integer({ description: 'Calls with wrap-up reason codes from a known customer' }),
  fcr_resolved: Type.Integer({ description: '… with no call from the same customer on a shared reason within 7 days after' }),
  fcr_rate: Nullable(Type.Number()),
  csat_responses: Type.Integer(),
  csat_avg: Nullable(Type.Number({ description: 'Mean post-call survey score (1-5)' })),
});
export type ContactsRow = Static<typeof ContactsRow>;

const ReportHead = {
  from: Time,
  to: Time,
  interval: Type.Enum([...REPORT_INTERVALS]),
  tz: Type.String(),
};

export const ContactsReport = Type.Object({
  ...ReportHead,
  by: Type.Enum([...REPORT_GROUPINGS]),
  rows: Type.Array(ContactsRow),
});
export type ContactsReport = Static<typeof ContactsReport>;

export const AgentStatesRow = Type.Object({
  bucket_start: Time,
  agent_id: Type.Integer(),
  label: Nullable(Type.String()),
  ...Object.fromEntries(AGENT_STATES.map((s) => [`${s}_s`, Type.Number({ description: `Seconds in ${s}` })])) as Record<`${Static<typeof AgentStateName>}_s`, ReturnType<typeof Type.Number>>,
});
export type AgentStatesRow = Static<typeof AgentStatesRow>;

export const AgentStatesReport = Type.Object({
  ...ReportHead,
  /** The end of what is known: `to`, or now when `to` is in the future. */
  until: Time,
  rows: Type.Array(AgentStatesRow),
});
export type AgentStatesReport = Static<typeof AgentStatesReport>;
