import { Type, type Static } from 'typebox';
import { Nullable } from '../../lib/schema.js';
import { SKILLS } from '../agents/agents-schemas.js';
import { Progress } from '../campaigns/campaigns-schemas.js';
import { CallbackBacklog } from '../callbacks/callbacks-schemas.js';

const Time = Type.String({ format: 'date-time' });

/** Agents needed now for a target, by each model; null when the target cannot be met (or no load). */
const Staffing = Type.Object({
  arrivals_15m: Type.Integer({ description: 'Calls that arrived in the last 15 minutes' }),
  handle_s: Type.Integer({ description: 'Mean handle time (talk + hold + wrap-up) over the last hour, or the default' }),
  patience_s: Nullable(Type.Integer({ description: 'Mean patience before hanging up, observed over the last hour (null: nobody abandoned)' })),
  needed_erlang_c: Nullable(Type.Integer()),
  needed_erlang_a: Nullable(Type.Integer()),
  predicted_service_level: Nullable(Type.Number({ description: 'What Erlang A predicts with the agents staffed now' })),
});

/** One queue (skill × tier) on the wallboard. Waits are sent as instants: the screen counts the seconds itself. */
export const WallboardQueue = Type.Object({
  key: Type.String({ description: 'skill:tier' }),
  skill: Type.String(),
  tier: Type.String(),
  waiting: Type.Integer(),
  oldest_since: Nullable(Time),
  estimated_wait_s: Nullable(Type.Integer({ description: 'Erlang C estimate for the next caller of the skill' })),
  target: Type.Object({ share: Type.Number(), seconds: Type.Integer() }),
  // The current 15-minute interval
  arrived: Type.Integer(),
  answered: Type.Integer(),
  answered_within: Type.Integer({ description: 'Answered within the tier target' }),
  abandoned: Type.Integer(),
  abandoned_after: Type.Integer({ description: 'Abandoned after the tier target (these count against service level)' }),
  service_level: Nullable(Type.Number({ description: 'answered_within / (answered + abandoned_after)' })),
  asa_s: Nullable(Type.Number({ description: 'Average speed of answer' })),
  staffing: Staffing,
});

export const WallboardSkill = Type.Object({
  key: Type.String(),
  skill: Type.String(),
  waiting: Type.Integer(),
  staffed: Type.Integer({ description: 'Agents with the skill, signed in and not away' }),
  available: Type.Integer(),
  staffing: Staffing,
  gap: Nullable(Type.Integer({ description: 'Staffed minus needed by Erlang A: negative means short' })),
});

export const WallboardAgent = Type.Object({
  key: Type.String(),
  id: Type.Integer(),
  name: Type.String(),
  state: Type.String(),
  reason: Nullable(Type.String()),
  since: Time,
  call: Nullable(Type.Object({
    entry_id: Type.String(), skill: Type.String(), tier: Type.String(), state: Type.String(), held: Type.Boolean(),
    since: Time,
  })),
  handled_today: Type.Integer(),
});

export const WaitingCall = Type.Object({
  key: Type.String(),
  position: Type.Integer({ description: '1 = the next call any agent will get, in priority order' }),
  entry_id: Type.String(),
  skill: Type.String(),
  tier: Type.String(),
  language: Type.String(),
  state: Type.String({ description: 'waiting | offered' }),
  since: Time,
  customer: Nullable(Type.String({ description: 'The caller, masked (surname and tier are enough to act on)' })),
  vip: Type.Boolean({ description: 'PRIVATE or DIAMOND: shown highlighted' }),
});

export const Alert = Type.Object({
  key: Type.String(),
  id: Type.String(),
  kind: Type.Union([Type.Literal('private_wait'), Type.Literal('service_level'), Type.Literal('abandon_rate'), Type.Literal('agent_away'), Type.Literal('staffing_gap'), Type.Literal('profile_harvest'), Type.Literal('login_burst'), Type.Literal('case_at_risk'), Type.Literal('dead_air')]),
  subject: Type.String(),
  severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
  message: Type.String({ description: 'In English, for logs and API readers; screens word the alert from kind and data' }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'The values of the alert (queue, skill, agent, thresholds…): what its words are built from' }),
  raised_at: Time,
  cleared_at: Nullable(Time),
});

/** A scheduled, running or paused campaign: its progress as the campaigns API reports it, keyed and named for the board. */
export const WallboardCampaign = Type.Object({
  key: Type.String({ description: 'The campaign id' }),
  name: Type.String(),
  ...Progress.properties,
});

/** Callbacks still owed, per skill and tier: how many, how many due now, the oldest place. */
export const WallboardCallbacks = Type.Object({
  key: Type.String({ description: 'skill:tier' }),
  ...CallbackBacklog.properties,
});

export const Wallboard = Type.Object({
  at: Time,
  interval: Type.Object({ start: Time, end: Time }),
  queues: Type.Array(WallboardQueue),
  skills: Type.Array(WallboardSkill),
  agents: Type.Array(WallboardAgent),
  waiting: Type.Array(WaitingCall, { description: 'The first 50 calls in priority order' }),
  alerts: Type.Array(Alert),
  campaigns: Type.Array(WallboardCampaign, { description: 'Campaigns scheduled, running or paused' }),
  callbacks: Type.Array(WallboardCallbacks, { description: 'The callback backlog per skill and tier' }),
});

export type WallboardQueue = Static<typeof WallboardQueue>;
export type WallboardSkill = Static<typeof WallboardSkill>;
export type WallboardAgent = Static<typeof WallboardAgent>;
export type WaitingCall = Static<typeof WaitingCall>;
export type Alert = Static<typeof Alert>;
export type WallboardCampaign = Static<typeof WallboardCampaign>;
export type WallboardCallbacks = Static<typeof WallboardCallbacks>;
export type Wallboard = Static<typeof Wallboard>;
export type AlertKind = Alert['kind'];

type ListName = 'queues' | 'skills' | 'agents' | 'waiting' | 'alerts' | 'campaigns' | 'callbacks';

/** What changed since the last push: rows to put (by key) and keys to drop, per list. */
export type WallboardUpdate = { at: string; /** The board this applies to (its `at`): a screen holding another asks for a snapshot. */ since: string; interval: Wallboard['interval'] } & Partial<Record<ListName, { put: unknown[]; drop: string[] }>>;

export interface SupervisorServerEvents {
  'wallboard:snapshot': (w: Wallboard) => void;
  'wallboard:update': (u: WallboardUpdate) => void;
}

// Actions
export const EntryParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });
export const PriorityBody = Type.Object({
  boost_seconds: Type.Integer({ minimum: 1, maximum: 86_400, description: 'Seconds of waiting credited to the call: it moves ahead of callers who arrived up to that much earlier' }),
}, { additionalProperties: false });
export const SkillBody = Type.Object({ skill: Type.Enum([...SKILLS]) }, { additionalProperties: false });
export const EntryActionReply = Type.Object({ entry_id: Type.String(), skill: Type.String(), priority_at: Time });
export const BroadcastBody = Type.Object({
  message: Type.String({ minLength: 1, maxLength: 500 }),
  skill: Type.Optional(Type.Enum([...SKILLS], { description: 'Only agents with this skill; all agents when absent' })),
}, { additionalProperties: false });
export const BroadcastReply = Type.Object({ id: Type.String(), sent_at: Time });
export const MonitorBody = Type.Object({
  mode: Type.Union([Type.Literal('listen'), Type.Literal('whisper'), Type.Literal('barge')], { description: 'listen: muted; whisper: heard by the agent only; barge: heard by both' }),
}, { additionalProperties: false });
export const MonitorReply = Type.Object({ entry_id: Type.String(), mode: Type.String(), call_sid: Type.String() });
export const AlertsQuery = Type.Object({
  open: Type.Optional(Type.Boolean({ description: 'true: only open alerts; false: only cleared ones' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export const AlertList = Type.Object({ alerts: Type.Array(Alert) });

/** A message from a supervisor on every agent's console (`supervisor:broadcast`). */
export interface Broadcast { id: string; message: string; from: string; sent_at: string }
