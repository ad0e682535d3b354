import { Type, type Static } from 'typebox';
import { IdParams, MAX_INT, Nullable } from '../../lib/schema.js';

/** The skill groups agents have and calls ask for (routing's overflow chains run between them). */
export const SKILLS = ['general', 'cards', 'loans', 'deposits', 'wealth', 'funds_fx', 'complaints', 'retention', 'security', 'private_banking', 'english'] as const;

export const AgentStateName = Type.Enum(['offline', 'available', 'reserved', 'on_call', 'wrap_up', 'away']);

/** Reasons the system gives a state (an agent picks the others, in StateChange): the screens have words for each. */
export const SYSTEM_REASONS = ['missed_offer', 'rejected_offer', 'connect_failed', 'lease_expired', 'preview'] as const;

/** What an agent (or a supervisor for them) may choose; the rest is set by calls. */
export const StateChange = Type.Object({
  state: Type.Enum(['available', 'away', 'offline']),
  reason: Type.Optional(Type.Enum(['break', 'training', 'meeting', 'after_call_work', 'supervisor', 'end_of_shift'])),
}, { additionalProperties: false });
export type StateChange = Static<typeof StateChange>;

export const AgentIdParams = IdParams;

export const Agent = Type.Object({
  user_id: Type.Integer(),
  username: Type.String(),
  display_name: Type.String(),
  role: Type.String(),
  state: AgentStateName,
  reason: Nullable(Type.String()),
  state_since: Type.String({ format: 'date-time' }),
  seconds_in_state: Type.Integer(),
  online: Type.Boolean({ description: 'The console is connected (its presence lease is live)' }),
  skills: Type.Record(Type.String(), Type.Integer()),
  languages: Type.Array(Type.String()),
  team: Nullable(Type.String()),
  rm_id: Nullable(Type.Integer()),
  entry_id: Nullable(Type.String()),
});
export const AgentList = Type.Object({ agents: Type.Array(Agent) });

/** The transfer directory: colleagues found by name, with what a transfer needs to know (never customer data). */
export const DirectoryQuery = Type.Object({
  q: Type.String({ maxLength: 60, default: '', description: 'Part of the name or username; empty lists everyone' }),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
}, { additionalProperties: false });
export const DirectoryEntry = Type.Object({
  id: Type.Integer(),
  display_name: Type.String(),
  role: Type.String(),
  state: AgentStateName,
  reason: Nullable(Type.String()),
  since: Type.String({ format: 'date-time' }),
  online: Type.Boolean({ description: 'The console is connected (its presence lease is live)' }),
  available: Type.Boolean({ description: 'Free to be offered a call now: available and online' }),
  skills: Type.Record(Type.String(), Type.Integer()),
  languages: Type.Array(Type.String()),
});
export const Directory = Type.Object({ agents: Type.Array(DirectoryEntry) });
export type DirectoryEntry = Static<typeof DirectoryEntry>;

/** An agent's skills and their levels. */
export const SkillLevels = Type.Partial(Type.Object(Object.fromEntries(SKILLS.map((s) => [s, Type.Integer({ minimum: 1, maximum: 5 })])) as Record<(typeof SKILLS)[number], ReturnType<typeof Type.Integer>>), {
  additionalProperties: false, minProperties: 1, description: 'Skill -> level 1..5 (higher levels are offered the call first); only the routing skills; the skills not named are taken away',
});
export const AgentLanguages = Type.Array(Type.Enum(['zh', 'en']), { minItems: 1, maxItems: 2, uniqueItems: true, description: 'The languages the agent takes calls in' });

/** What an admin (or a supervisor, for agents and RMs) sets about an agent; routing reads it on its next pass. */
export const AgentConfigChange = Type.Object({
  skills: Type.Optional(SkillLevels),
  languages: Type.Optional(AgentLanguages),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'The number to ring for their calls (E.164, or a mainland mobile); null: the browser' }))),
  team: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 60 }))),
}, { additionalProperties: false, minProperties: 1 });
export type AgentConfigChange = Static<typeof AgentConfigChange>;

export const AgentConfig = Type.Object({
  user_id: Type.Integer(),
  display_name: Type.String(),
  role: Type.String(),
  skills: Type.Record(Type.String(), Type.Integer()),
  languages: Type.Array(Type.String()),
  phone: Nullable(Type.String()),
  team: Nullable(Type.String()),
});
export type AgentConfig = Static<typeof AgentConfig>;

export const AgentStateReply = Type.Object({ state: AgentStateName, reason: Nullable(Type.String()), since: Type.String() });

const Skill = Type.Enum([...SKILLS]);

/** Socket messages from the agent console: each one is validated before it reaches a service. */
export const EntryRef = Type.Object({ entry_id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) }, { additionalProperties: false });
export const HoldRequest = Type.Object({ hold: Type.Boolean() }, { additionalProperties: false });
/** Blind: the caller goes to the target's queue now; consult (warm): the caller is held while the colleague is rung in. */
const TransferMode = Type.Optional(Type.Enum(['blind', 'consult'], { description: 'blind (default) or consult (warm)' }));
export const TransferRequest = Type.Union([
  Type.Object({ to: Type.Literal('skill'), skill: Skill, mode: TransferMode }, { additionalProperties: false }),
  Type.Object({ to: Type.Literal('agent'), agent_id: Type.Integer({ minimum: 1, maximum: MAX_INT }), mode: TransferMode }, { additionalProperties: false }),
  Type.Object({ to: Type.Literal('rm') }, { additionalProperties: false }),
]);
export const WrapupRequest = Type.Object({
  // interested … do_not_call are a campaign call's (sale too), whose disposition must be one of those;
  // an inbound call may also end in callback (booked at callback_at) or do_not_call (on the register at once).
  disposition: Type.Enum(['resolved', 'follow_up', 'escalated', 'complaint_logged', 'sale', 'information_only', 'transferred', 'no_action', 'interested', 'callback', 'not_interested', 'wrong_number', 'do_not_call']),
  callback_at: Type.Optional(Type.String({ format: 'date-time', description: 'With the disposition callback: when to call the customer back (in the future, within the queue\'s hours and the customer\'s calling window)' })),
  follow_up_at: Type.Optional(Type.String({ format: 'date-time', description: 'With follow_up: when the follow-up task is due (in the future); within CASE_TASK_HOURS working hours when absent' })),
  callback_to_me: Type.Optional(Type.Boolean({ description: 'With callback on an inbound call: offered to this agent first, then to the skill' })),
  reason_codes: Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,40}$' }), { maxItems: 10, default: [] }),
  products_discussed: Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,40}$' }), { maxItems: 10, default: [] }),
  notes: Type.Optional(Type.String({ maxLength: 4000 })),
}, { additionalProperties: false });
export type WrapupRequest = Static<typeof WrapupRequest>;
