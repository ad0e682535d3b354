import { Type, type Static } from 'typebox';
import { Count } from '../../lib/schema.js';

// Twilio adds parameters without notice, so every webhook schema lets unknown ones through.
const open = { additionalProperties: true } as const;

export const CallSid = Type.String({ pattern: '^CA[0-9a-fA-F]{32}$', description: 'Twilio call SID' });
const Phone = Type.String({ minLength: 1, maxLength: 64, description: 'E.164, or a client:identity / sip: address' });

export const CallWebhook = Type.Object({
  CallSid,
  AccountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
  From: Phone,
  To: Phone,
  Direction: Type.Optional(Type.String()),
  CallStatus: Type.Optional(Type.String()),
}, open);
export type CallWebhook = Static<typeof CallWebhook>;

export const GatherWebhook = Type.Intersect([CallWebhook, Type.Object({
  Digits: Type.Optional(Type.String({ pattern: '^[0-9*#]*$', maxLength: 64 })),
  // A gather with input="dtmf speech": what the recogniser heard, and how sure it was (0–1, as a string).
  SpeechResult: Type.Optional(Type.String({ maxLength: 1000 })),
  Confidence: Type.Optional(Type.String({ pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?)$', maxLength: 20 })),
}, open)]);
export type GatherWebhook = Static<typeof GatherWebhook>;

export const StepQuery = Type.Object({ step: Count() });
/** A gather's action URL: `secret=1` marks keys that are a secret (a PIN), so recorders of webhooks drop them. */
export const GatherQuery = Type.Object({ step: Count(), secret: Type.Optional(Type.Literal('1')) });

export const QueueWaitWebhook = Type.Intersect([CallWebhook, Type.Object({
  QueueSid: Type.Optional(Type.String({ pattern: '^QU[0-9a-fA-F]{32}$' })),
  QueuePosition: Type.Optional(Count()),
  AvgQueueTime: Type.Optional(Count()),
  QueueTime: Type.Optional(Count()),
}, open)]);
export type QueueWaitWebhook = Static<typeof QueueWaitWebhook>;

export const QueueExitWebhook = Type.Intersect([CallWebhook, Type.Object({
  QueueResult: Type.String({ maxLength: 64 }),
  QueueTime: Type.Optional(Count()),
}, open)]);
export type QueueExitWebhook = Static<typeof QueueExitWebhook>;

export const CallStatus = Type.Union(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'].map((s) => Type.Literal(s)));

export const StatusWebhook = Type.Intersect([CallWebhook, Type.Object({
  CallStatus,
  SequenceNumber: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
  CallDuration: Type.Optional(Count()),
}, open)]);
export type StatusWebhook = Static<typeof StatusWebhook>;

// Twilio's recording callback carries the call and recording, but no From/To.
export const RecordingWebhook = Type.Intersect([Type.Object({ CallSid, AccountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }) }, open), Type.Object({
  RecordingSid: Type.String({ pattern: '^RE[0-9a-fA-F]{32}$' }),
  RecordingUrl: Type.String({ pattern: '^https?://' }),
  RecordingStatus: Type.Optional(Type.String()),
  RecordingDuration: Type.Optional(Count()),
  RecordingChannels: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
}, open)]);
export type RecordingWebhook = Static<typeof RecordingWebhook>;

/** The queue entry an agent-side webhook is about; the URL is signed, so it cannot be forged. */
export const EntryQuery = Type.Object({ entry: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) });
export const EntryStepQuery = Type.Object({ entry: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }), step: Count() });

/**
 * An outbound call's webhooks name its owner and the owner's reference (a campaign's dial attempt,
 * a callback's queue entry), signed so not forgeable; `wait`: seconds a person has waited for an agent.
 */
export const OutboundQuery = Type.Object({
  purpose: Type.Enum(['campaign', 'callback']),
  ref: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
  wait: Type.Integer({ minimum: 0, maximum: 60, default: 0 }),
});
export const AnswerWebhook = Type.Intersect([CallWebhook, Type.Object({ AnsweredBy: Type.Optional(Type.String({ maxLength: 64 })) }, open)]);

/** A blind transfer, or a caller back in line because the agent's leg failed. */
export const RequeueQuery = Type.Object({ ...EntryStepQuery.properties, why: Type.Enum(['transfer', 'agent_unreachable'], { default: 'transfer' }) });

/** Answering-machine detection's verdict on an agent's phone leg. */
export const AmdWebhook = Type.Object({
  CallSid,
  AccountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
  AnsweredBy: Type.String({ maxLength: 64 }),
}, open);

/** Conference status callback: participant events carry the participant's CallSid. */
export const ConferenceWebhook = Type.Object({
  AccountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
  ConferenceSid: Type.String({ pattern: '^CF[0-9a-fA-F]{32}$' }),
  StatusCallbackEvent: Type.String({ maxLength: 64 }),
  CallSid: Type.Optional(CallSid),
}, open);
export type ConferenceWebhook = Static<typeof ConferenceWebhook>;

/**
 * Real-time transcription callback: started, stopped, an error, or content (an utterance of one
 * track, its words and confidence as JSON in TranscriptionData; Final=false for a partial result).
 */
export const TranscriptionWebhook = Type.Object({
  CallSid,
  AccountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
  TranscriptionEvent: Type.String({ maxLength: 64 }),
  TranscriptionSid: Type.Optional(Type.String({ maxLength: 64 })),
  Track: Type.Optional(Type.String({ maxLength: 32 })),
  TranscriptionData: Type.Optional(Type.String({ maxLength: 20_000 })),
  Final: Type.Optional(Type.String({ maxLength: 8 })),
  SequenceId: Type.Optional(Type.String({ maxLength: 20 })),
  LanguageCode: Type.Optional(Type.String({ maxLength: 20 })),
}, open);
export type TranscriptionWebhook = Static<typeof TranscriptionWebhook>;
