import { Type, type Static } from 'typebox';
import { Nullable } from '../../lib/schema.js';

const Timestamp = Type.String({ format: 'date-time' });

export const InteractionsQuery = Type.Object({
  customer_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  mine: Type.Optional(Type.Boolean({ description: 'Only the calls the caller of this API handled (an agent\'s own recent calls)' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Started at or after (ISO 8601)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Started before (ISO 8601)' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});

export const InteractionIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** How a contact ended up (`outcome`) and which way it went (`direction`): the screens have words for each. */
export const OUTCOMES = ['self_service', 'agent', 'abandoned', 'callback', 'hangup_in_ivr', 'transferred', 'failed'] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;

/** One contact with the bank, summed up from its timeline. Numbers are masked. */
export const Interaction = Type.Object({
  id: Type.String(),
  customer_id: Nullable(Type.Integer()),
  channel: Type.String(),
  direction: Type.String(),
  call_sid: Nullable(Type.String()),
  ani_masked: Nullable(Type.String()),
  dnis: Nullable(Type.String()),
  language: Nullable(Type.String()),
  tier_at_time: Nullable(Type.String()),
  verified: Type.Boolean(),
  self_service: Type.Array(Type.String()),
  queue_skill: Nullable(Type.String()),
  outcome: Nullable(Type.String({ description: 'self_service | agent | abandoned | callback | hangup_in_ivr | transferred | failed' })),
  survey_score: Nullable(Type.Integer()),
  disposition: Nullable(Type.String()),
  summary: Nullable(Type.String()),
  started_at: Timestamp,
  queued_at: Nullable(Timestamp),
  answered_at: Nullable(Timestamp),
  ended_at: Nullable(Timestamp),
  duration_s: Nullable(Type.Number()),
  agent_user_id: Nullable(Type.Integer({ description: 'The last agent who handled the call' })),
  reason_codes: Type.Array(Type.String()),
  products_discussed: Type.Array(Type.String()),
  notes: Nullable(Type.String()),
  wrapped_up_at: Nullable(Timestamp),
});
export type Interaction = Static<typeof Interaction>;

export const InteractionList = Type.Object({ interactions: Type.Array(Interaction) });

export const TimelineEvent = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  type: Type.String({ description: 'started | ivr_step | identified | verified | self_service | queued | left_queue | status | ended | survey_score …' }),
  node: Nullable(Type.String({ description: 'the IVR node that produced it' })),
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const Timeline = Type.Object({ interaction: Interaction, events: Type.Array(TimelineEvent) });
