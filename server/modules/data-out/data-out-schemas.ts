import { Type, type Static } from 'typebox';
import { Count, MAX_INT, Nullable } from '../../lib/schema.js';

export const CTI_EVENT_NAMES = ['call.offered', 'call.answered', 'call.ended', 'call.wrapped_up'] as const;
export const CtiEventSchema = Type.Enum([...CTI_EVENT_NAMES]);
export type CtiEvent = (typeof CTI_EVENT_NAMES)[number];

const Time = Type.String({ format: 'date-time' });
const Cursor = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Opaque: the `next` of the page before' });

export const LogQuery = Type.Object({
  after: Type.Optional(Cursor),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
}, { additionalProperties: false });

const page = <T extends Parameters<typeof Type.Array>[0]>(row: T) => Type.Object({
  rows: Type.Array(row),
  next: Nullable(Type.String({ description: 'Read on with ?after= this; the same as `after` when nothing new was final yet (null: nothing yet at all)' })),
  more: Type.Boolean({ description: 'The page was full: read on at once' }),
});

export const InteractionEventPage = page(Type.Object({
  id: Type.Integer(),
  interaction_id: Type.String({ format: 'uuid' }),
  customer_id: Nullable(Type.Integer()),
  type: Type.String(),
  node: Nullable(Type.String()),
  at: Time,
  data: Type.Record(Type.String(), Type.Unknown()),
}));

export const CaseEventPage = page(Type.Object({
  id: Type.Integer(),
  case_id: Type.Integer(),
  case_no: Type.String(),
  customer_id: Nullable(Type.Integer()),
  type: Type.String(),
  from_status: Nullable(Type.String()),
  to_status: Nullable(Type.String()),
  actor: Type.String(),
  at: Time,
  data: Type.Record(Type.String(), Type.Unknown()),
}));

export const NewSubscription = Type.Object({
  url: Type.String({ minLength: 8, maxLength: 2000, description: 'HTTPS (or HTTP to localhost): where each event is POSTed' }),
  events: Type.Array(CtiEventSchema, { minItems: 1, maxItems: CTI_EVENT_NAMES.length, uniqueItems: true }),
  description: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
}, { additionalProperties: false });
export type NewSubscription = Static<typeof NewSubscription>;

const SubscriptionFields = {
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(CtiEventSchema),
  description: Nullable(Type.String()),
  active: Type.Boolean(),
  created_at: Time,
};
export const Subscription = Type.Object(SubscriptionFields);
export const CreatedSubscription = Type.Object({ ...SubscriptionFields, secret: Type.String({ description: 'Signs every delivery; shown this once' }) });
export const SubscriptionList = Type.Object({
  subscriptions: Type.Array(Type.Object({ ...SubscriptionFields, pending: Count(), delivered: Count(), dead: Count() })),
});

export const Delivery = Type.Object({
  id: Type.Integer(),
  event: CtiEventSchema,
  event_id: Type.Integer(),
  state: Type.Enum(['pending', 'delivered', 'dead']),
  attempts: Count(),
  next_attempt_at: Nullable(Time),
  last_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  created_at: Time,
  delivered_at: Nullable(Time),
  payload: Type.Record(Type.String(), Type.Unknown()),
});
export const DeliveryList = Type.Object({ deliveries: Type.Array(Delivery) });
export const DeliveriesQuery = Type.Object({
  state: Type.Optional(Type.Enum(['pending', 'delivered', 'dead'])),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
}, { additionalProperties: false });
export const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_INT }) });
