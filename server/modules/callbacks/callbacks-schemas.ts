import { Type, type Static } from 'typebox';
import { Nullable } from '../../lib/schema.js';
import { SKILLS } from '../agents/agents-schemas.js';

export const CALLBACK_STATES = ['scheduled', 'queued', 'dialing', 'completed', 'failed', 'cancelled'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];
/** States a callback is still owed in: the backlog. */
export const OPEN_STATES: readonly CallbackState[] = ['scheduled', 'queued', 'dialing'];
/** Why a dial did not reach the customer, or how the callback ended. */
export const CALLBACK_OUTCOMES = ['human', 'busy', 'no_answer', 'machine', 'failed', 'lost', 'cancelled'] as const;

const Timestamp = Type.String({ format: 'date-time' });
const Skill = Type.Enum([...SKILLS]);

/** One callback request as staff see it (the number masked). */
export const Callback = Type.Object({
  id: Type.String(),
  state: Type.Enum([...CALLBACK_STATES]),
  source: Type.Enum(['ivr', 'agent', 'api']),
  reason: Type.String(),
  skill: Type.String(),
  tier: Type.String(),
  language: Type.String(),
  customer_id: Nullable(Type.Integer()),
  phone_masked: Type.String(),
  place_since: Timestamp,
  due_at: Timestamp,
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  last_outcome: Nullable(Type.Enum([...CALLBACK_OUTCOMES])),
  requested_by: Nullable(Type.Integer()),
  target_agent_id: Nullable(Type.Integer()),
  created_at: Timestamp,
  closed_at: Nullable(Timestamp),
});
export type Callback = Static<typeof Callback>;

export const CallbackList = Type.Object({ callbacks: Type.Array(Callback) });

export const CallbacksQuery = Type.Object({
  state: Type.Optional(Type.Enum([...CALLBACK_STATES, 'open'], { description: 'open: scheduled, queued or being dialled' })),
  skill: Type.Optional(Skill),
  customer_id: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
}, { additionalProperties: false });

export const CallbackIdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) });

/** A supervisor moves a callback: to another skill's queue, or to another time. */
export const CallbackMove = Type.Object({
  skill: Type.Optional(Skill),
  due_at: Type.Optional(Type.String({ format: 'date-time', description: 'Not before then (in the future, within the queue\'s hours)' })),
}, { additionalProperties: false, minProperties: 1 });

/** A callback booked by other systems (the bank's CRM, a web form). */
export const CallbackCreate = Type.Object({
  customer_id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  phone: Type.Optional(Type.String({ maxLength: 32, description: "E.164; the customer's primary phone when absent" })),
  skill: Skill,
  reason: Type.String({ pattern: '^[a-z0-9_]{1,40}$' }),
  due_at: Type.Optional(Type.String({ format: 'date-time' })),
}, { additionalProperties: false });

/** The backlog per skill and tier: callbacks still owed, and the oldest place among them. */
export const CallbackBacklog = Type.Object({
  skill: Type.String(),
  tier: Type.String(),
  open: Type.Integer(),
  due_now: Type.Integer({ description: 'Of those, due now (in line, or being dialled)' }),
  oldest_since: Nullable(Timestamp),
});
export type CallbackBacklog = Static<typeof CallbackBacklog>;
