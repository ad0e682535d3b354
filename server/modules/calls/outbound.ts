import type { Knex } from 'knex';
import type { Notice } from '../../lib/realtime-notices.js';

/**
 * The one outbound path. Campaign dials and callbacks place their calls through the same line,
 * Twilio reports on them through the same webhooks, and each report reaches the call's owner (the
 * campaign dialer, the callbacks service) by the purpose and reference the call was placed with.
 * The call's row, its status order and its end are the calls service's, as for inbound calls.
 */
export type OutboundPurpose = 'campaign' | 'callback';

/** How outbound calls are placed; the telephony module implements it with Twilio's REST API. */
export interface OutboundLine {
  /** Places the call; Twilio asks the owner what to do once answered (with answering-machine detection). */
  dial(c: { purpose: OutboundPurpose; ref: string; to: string; from: string; ringSeconds: number; machineDetection: 'Enable' | 'DetectMessageEnd' }): Promise<string>;
  /** Ends a call not yet answered (or hangs up one that was). */
  cancel(callSid: string): Promise<void>;
}

type Lang = 'zh' | 'en';

/** What the line does with an outbound call Twilio says was answered. */
export type AnswerAction =
  /** Into the entry's conference, where the agent is rung in (after `say`, if any). */
  | { kind: 'connect'; entryId: string; lang: Lang; say?: string }
  /** Into the skill's queue like any caller, keeping the entry's place. */
  | { kind: 'enqueue'; entryId: string; skill: string; lang: Lang; say: string }
  /** A second's silence, then ask again (`next` seconds waited). */
  | { kind: 'wait'; next: number }
  /** A message, then hang up (a voicemail, or who called). */
  | { kind: 'message'; text: string; lang: Lang }
  | { kind: 'hangup' };

/** What an outbound call's owner is told, each on the webhook's transaction with the call locked. */
export interface OutboundOwner {
  /** The call's row and interaction exist before its status is applied (the first request about it may be any). */
  track(trx: Knex, ref: string, callSid: string): Promise<void>;
  answered(trx: Knex, ref: string, p: { callSid: string; answeredBy?: string; waited: number }, notices: Notice[]): Promise<AnswerAction>;
  /** A status Twilio reported was applied to the call (before its end, if final, is handled). */
  statusChanged(trx: Knex, ref: string, p: { callSid: string; status: string }, notices: Notice[]): Promise<void>;
}

/** Answering-machine detection's verdicts that mean nobody is there to talk to. */
export const isMachine = (answeredBy: string | undefined | null) => Boolean(answeredBy && (answeredBy.startsWith('machine') || answeredBy === 'fax'));

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** Why a dial reached nobody, by Twilio's final CallStatus (null: the call was answered and completed). */
export function unreachedOutcome(status: string): 'busy' | 'no_answer' | 'failed' | null {
  return status === 'busy' ? 'busy' : status === 'no-answer' ? 'no_answer' : status === 'failed' || status === 'canceled' ? 'failed' : null;
}
