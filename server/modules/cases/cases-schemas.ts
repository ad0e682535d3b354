import { Type, type Static } from 'typebox';
import { MAX_INT, Nullable } from '../../lib/schema.js';

export const CASE_KINDS = ['complaint', 'suggestion', 'service_request'] as const;
export const CASE_CATEGORIES = ['service', 'fees', 'card', 'card_loss', 'loan', 'deposit', 'wealth_missale', 'ebanking', 'other'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const CASE_STATUSES = ['open', 'assigned', 'in_progress', 'resolved', 'feedback_contacted', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** The states a case is being worked in: its SLA runs, the pop shows it. */
export const ACTIVE_STATUSES: readonly CaseStatus[] = ['open', 'assigned', 'in_progress'];
export const CASE_ACTIONS = ['assign', 'start', 'resolve', 'close', 'reopen'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

const Timestamp = Type.String({ format: 'date-time' });
const Id = Type.String({ pattern: '^[1-9][0-9]{0,9}$' });

export const CaseCreate = Type.Object({
  customer_id: Type.Integer({ minimum: 1, maximum: MAX_INT }),
  kind: Type.Enum([...CASE_KINDS]),
  category: Type.Enum([...CASE_CATEGORIES]),
  severity: Type.Enum([...SEVERITIES], { default: 'medium' }),
  summary: Type.String({ minLength: 1, maxLength: 200, description: 'One line the pop shows' }),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  interaction_id: Type.Optional(Type.String({ format: 'uuid', description: 'The call it was raised on (from the offer); required of agents' })),
  products: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }), { maxItems: 10, default: [], description: 'Product codes or lines concerned' }),
}, { additionalProperties: false });
export type CaseCreate = Static<typeof CaseCreate>;

export const CaseTransition = Type.Object({
  action: Type.Enum([...CASE_ACTIONS]),
  owner_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT, description: 'With assign: the new owner (yourself when absent)' })),
  result: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'With resolve (required): what was done' })),
  note: Type.Optional(Type.String({ maxLength: 2000, description: 'With reopen: why' })),
}, { additionalProperties: false });
export type CaseTransition = Static<typeof CaseTransition>;

export const CaseEvent = Type.Object({
  type: Type.String(),
  from_status: Nullable(Type.String()),
  to_status: Nullable(Type.String()),
  actor: Type.String({ description: 'Who: a username, or "system" (the SLA sweep)' }),
  at: Timestamp,
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const Case = Type.Object({
  id: Type.String(),
  case_no: Type.String(),
  customer_id: Type.Integer(),
  kind: Type.String(),
  category: Type.String(),
  severity: Type.String(),
  status: Type.Enum([...CASE_STATUSES]),
  summary: Type.String(),
  description: Nullable(Type.String()),
  channel: Type.String(),
  interaction_id: Nullable(Type.String()),
  products: Type.Array(Type.String()),
  owner_id: Nullable(Type.Integer()),
  owner: Nullable(Type.String()),
  opened_at: Timestamp,
  ack_due_at: Nullable(Timestamp),
  sla_due_at: Timestamp,
  acknowledged_at: Nullable(Timestamp),
  resolved_at: Nullable(Timestamp),
  result: Nullable(Type.String()),
  satisfaction: Nullable(Type.Integer()),
  escalated_at: Nullable(Timestamp),
  reopened: Type.Integer(),
  closed_at: Nullable(Timestamp),
  at_risk: Type.Boolean({ description: 'Active and escalated, or past its SLA' }),
});
export type Case = Static<typeof Case>;

export const CaseDetail = Type.Intersect([Case, Type.Object({ events: Type.Array(CaseEvent), tasks: Type.Array(Type.Unknown()) })]);
export const CaseList = Type.Object({ cases: Type.Array(Case) });
export const CaseIdParams = Type.Object({ id: Id });
export const CasesQuery = Type.Object({
  status: Type.Optional(Type.Enum([...CASE_STATUSES, 'active'], { description: 'active: open, assigned or in progress' })),
  customer_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT })),
  owner_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT })),
  at_risk: Type.Optional(Type.Boolean()),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
}, { additionalProperties: false });
export type CasesQuery = Static<typeof CasesQuery>;

export const TASK_KINDS = ['follow_up', 'feedback', 'callback', 'visit', 'retention'] as const;
export const Task = Type.Object({
  id: Type.String(),
  kind: Type.Enum([...TASK_KINDS]),
  state: Type.Enum(['open', 'done', 'cancelled']),
  customer_id: Nullable(Type.Integer()),
  case_id: Nullable(Type.String()),
  case_no: Nullable(Type.String()),
  interaction_id: Nullable(Type.String()),
  assignee_id: Nullable(Type.Integer()),
  reason: Type.String(),
  due_at: Timestamp,
  created_at: Timestamp,
  completed_at: Nullable(Timestamp),
  satisfaction: Nullable(Type.Integer()),
  purpose: Nullable(Type.String({ description: "A callback's or visit's purpose" })),
  callback_id: Nullable(Type.String({ description: 'The call placed to do it (POST /api/tasks/{id}/call), as a callback' })),
  contact_interaction_id: Nullable(Type.String({ description: 'The call that reached the customer for it' })),
});
export type Task = Static<typeof Task>;
export const TaskList = Type.Object({ tasks: Type.Array(Task) });
export const TaskIdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) });
export const TasksQuery = Type.Object({
  mine: Type.Boolean({ default: true, description: 'Only tasks assigned to you (supervisors may list everyone\'s with false)' }),
  state: Type.Enum(['open', 'done', 'cancelled'], { default: 'open' }),
  case_id: Type.Optional(Id),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
}, { additionalProperties: false });
export const TaskComplete = Type.Object({
  satisfaction: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: 'The customer\'s satisfaction (1-5): required of a feedback contact' })),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false });
export type TaskComplete = Static<typeof TaskComplete>;

export const TaskCall = Type.Object({
  callback_id: Type.String(),
  task: Task,
});

export const CaseReportQuery = Type.Object({
  from: Type.String({ format: 'date-time', description: 'Cases opened (and calls started) from this instant' }),
  to: Type.String({ format: 'date-time', description: '… up to this instant (not included)' }),
  by: Type.Enum(['category', 'tier', 'team'], { default: 'category', description: "The case's category, the customer's tier, or the team of the agent who opened it" }),
}, { additionalProperties: false });
export type CaseReportQuery = Static<typeof CaseReportQuery>;

const ReportFigures = {
  calls: Type.Integer({ description: 'Inbound hotline calls: all (by category), of the tier\'s callers (by tier), answered by the team (by team)' }),
  cases: Type.Integer(),
  complaints: Type.Integer(),
  complaints_per_1000_calls: Nullable(Type.Number()),
  resolved: Type.Integer({ description: 'Cases resolved at least once' }),
  sla_met_percent: Nullable(Type.Number({ description: 'Share of the resolved whose first resolution was within the SLA' })),
  avg_hours_to_resolve: Nullable(Type.Number({ description: 'Opening to first resolution, clock hours' })),
  reopen_percent: Nullable(Type.Number({ description: 'Share of the resolved that were reopened' })),
};
export const CaseReport = Type.Object({
  from: Timestamp,
  to: Timestamp,
  by: Type.String(),
  total: Type.Object(ReportFigures),
  rows: Type.Array(Type.Object({ key: Type.String(), ...ReportFigures })),
});
export type CaseReport = Static<typeof CaseReport>;
