import { Type, type Static } from 'typebox';
import { MAX_INT, Nullable } from '../../lib/schema.js';
import { Task } from '../cases/cases-schemas.js';

export const RM_TASK_KINDS = ['callback', 'visit', 'retention'] as const;

export const RmTaskCreate = Type.Object({
  kind: Type.Enum([...RM_TASK_KINDS], { description: 'callback: the RM rings the client; visit: a meeting; retention: keep a client who may leave' }),
  interaction_id: Type.Optional(Type.String({ format: 'uuid', description: 'The call it comes from (an agent: their own call); its customer is the client' })),
  customer_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT, description: 'Without a call (an RM for their own client, a supervisor)' })),
  due_at: Type.String({ format: 'date-time', description: 'When the RM is to do it; a callback or visit holds the RM from then (conflicts are refused)' }),
  purpose: Type.String({ minLength: 1, maxLength: 500 }),
  reason: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'A reason code (defaults to the kind)' })),
}, { additionalProperties: false });
export type RmTaskCreate = Static<typeof RmTaskCreate>;

const Client = { customer_name: Nullable(Type.String()), tier: Nullable(Type.String()) };

export const WorklistTask = Type.Intersect([Task, Type.Object(Client)]);
export const WorklistCase = Type.Object({
  id: Type.String(), case_no: Type.String(), customer_id: Type.Integer(), kind: Type.String(), category: Type.String(), status: Type.String(),
  summary: Type.String(), sla_due_at: Type.String(), at_risk: Type.Boolean(), owner: Nullable(Type.String()), customer_name: Nullable(Type.String()),
});
export const Worklist = Type.Object({
  tasks: Type.Array(WorklistTask, { description: 'Your open tasks (callbacks, visits, retention, follow-ups, feedback), soonest due first' }),
  cases: Type.Array(WorklistCase, { description: "Your clients' active cases, soonest SLA first" }),
});

/** What an RM's console is told when one of their clients' calls is wrapped up. */
export const ClientCalledNotice = Type.Object({
  interaction_id: Type.String(), customer_id: Type.Integer(), customer_name: Nullable(Type.String()), tier: Type.String(), direction: Type.String(),
  skill: Type.String({ description: 'The queue the call came through' }), intent: Nullable(Type.String({ description: "The IVR's reading of why they called" })),
  reason_codes: Type.Array(Type.String()), disposition: Type.String({ description: 'How the call ended (the wrap-up)' }), agent: Type.String({ description: 'Who took it' }), at: Type.String(),
});
export type ClientCalledNotice = Static<typeof ClientCalledNotice>;

/** The socket event an RM's consoles get when one of their clients' calls is wrapped up. */
export const CLIENT_CALLED_EVENT = 'rm:client_called';
/** … and when one of their booked tasks is near (RM_REMIND_MINUTES), or a task was booked for them. */
export const TASK_REMINDER_EVENT = 'task:reminder';
export const TASK_ASSIGNED_EVENT = 'task:assigned';
