import { Type, type Static } from 'typebox';
import type { Broadcast } from '../supervision/supervision-schemas.js';
import { Nullable } from '../../lib/schema.js';
import { Profile } from '../customers/customers-schemas.js';

// What the agent console hears over socket.io: one schema per payload, so the server, the
// documentation and agent-ui (`import type`) read the same shape.

/** What the IVR learned before the caller asked for an agent (never a PIN). */
export const IvrFindings = Type.Object({
  path: Type.Array(Type.String(), { description: 'The last IVR nodes the caller went through' }),
  verified: Type.Boolean({ description: 'The caller entered the right phone-banking PIN' }),
  self_service: Type.Array(Type.String(), { description: 'Self-service done in the IVR (balance, transactions, lost card…)' }),
  reason: Type.String({ description: 'The IVR node that queued the call: why the caller wants an agent' }),
  skill: Type.String(),
  language: Type.String(),
});
export type IvrFindings = Static<typeof IvrFindings>;

/** What a campaign call's pop adds: the campaign, what to say and offer, and the dispositions to choose from. */
export const CampaignPop = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  purpose: Type.String(),
  script: Type.String(),
  offer: Nullable(Type.Object({ code: Type.String(), title: Type.String(), terms: Type.String() })),
  dispositions: Type.Array(Type.String()),
});
export type CampaignPop = Static<typeof CampaignPop>;

/** What a callback's pop adds: when and why the customer asked, who booked it, and which try this is. */
export const CallbackPop = Type.Object({
  id: Type.String(),
  requested_at: Type.String({ format: 'date-time' }),
  reason: Type.String({ description: 'The IVR line it was asked from, or why the agent booked it' }),
  source: Type.Enum(['ivr', 'agent', 'api']),
  attempt: Type.Integer({ description: 'This is the n-th dial' }),
  phone_masked: Type.String(),
  booked_by: Nullable(Type.String({ description: 'The agent who booked it from a wrap-up' })),
});
export type CallbackPop = Static<typeof CallbackPop>;

export const RoutingWhy = Type.Object({
  rule: Type.Enum(['transfer_target', 'relationship_manager', 'skill', 'overflow']),
  text: Type.String({ description: 'Why this agent got this call, in words' }),
  candidates: Type.Array(Type.Unknown()),
});

/** `call:offered`, `call:consult` and the call in `agent:restore`: the call and its screen-pop. */
export const CallOffer = Type.Object({
  entry_id: Type.String(),
  interaction_id: Type.String(),
  state: Type.Enum(['waiting', 'offered', 'dialing', 'connecting', 'connected', 'ended', 'abandoned', 'callback', 'transferred', 'failed']),
  skill: Type.String(),
  tier: Type.String(),
  language: Type.String(),
  customer_id: Nullable(Type.Integer()),
  profile: Nullable(Profile),
  ivr: IvrFindings,
  waited_s: Type.Integer(),
  expires_at: Nullable(Type.String({ format: 'date-time', description: 'Offered: accept before this' })),
  held: Type.Boolean(),
  why: Nullable(RoutingWhy),
  campaign: Nullable(CampaignPop),
  callback: Nullable(CallbackPop),
});
export type CallOffer = Static<typeof CallOffer>;

export const AgentStateNotice = Type.Object({ state: Type.String(), reason: Nullable(Type.String()), since: Type.String({ format: 'date-time' }) });

/** `agent:restore`, on every (re)connect: the agent's state and the call they hold, if any. */
export const AgentRestore = Type.Object({ ...AgentStateNotice.properties, call: Nullable(CallOffer) });

/** `call:ended`: the caller is gone (hung up, ended, transferred, or the agent's leg failed). */
export const CallEnded = Type.Object({ entry_id: Type.String(), reason: Type.String() });

/** The socket events from server to agent console, and what each carries. */
export interface AgentServerEvents {
  'agent:restore': Static<typeof AgentRestore> | null;
  'agent:state': Static<typeof AgentStateNotice>;
  'call:offered': CallOffer;
  'call:consult': CallOffer;
  /** A campaign call a person answered, put straight through to this agent (no offer to accept). */
  'call:assigned': CallOffer;
  'call:offer_revoked': { entry_id: string; reason: string };
  'call:connected': { entry_id: string };
  'call:consult_joined': { entry_id: string };
  'call:consult_ended': { entry_id: string };
  'call:ended': Static<typeof CallEnded>;
  'profile:updated': { entry_id: string; profile: Static<typeof Profile> };
  'supervisor:broadcast': Broadcast;
  /** Talk analytics saw something the agent should act on: the line silent past the dead-air threshold. */
  'call:nudge': { kind: 'dead_air'; interaction_id: string; seconds: number };
  /** An utterance of the call's live transcript (TALK_TRANSCRIPTS), card and ID numbers already cut out. */
  'call:transcript': { interaction_id: string; side: 'caller' | 'agent'; text: string; at: string };
  /** The transcript's words raised a prompt (once a call): retention, risk disclosure, card loss, complaint. */
  'call:prompt': { interaction_id: string; rule: 'retention' | 'risk_disclosure' | 'card_loss' | 'complaint'; kind: 'retention' | 'compliance' | 'knowledge' };
}
