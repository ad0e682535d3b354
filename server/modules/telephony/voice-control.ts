import type { OutboundLine } from '../calls/outbound.js';
import type { TwilioRest } from './twilio-rest.js';

/**
 * The agent side of a call, in Twilio terms: every routed call gets its own conference,
 * `sb-<entry id>`, so that a supervisor (or a consulted RM) can join it later. The caller is
 * redirected out of the Twilio queue into it; once Twilio reports the caller in the room (by its
 * CF sid, so nobody can land in a same-named room), the agent's leg is added as a participant
 * that rings the agent's browser (Twilio Client) or phone.
 */
export interface VoiceControl {
  /** Puts the caller into the entry's conference; the agent is rung once the caller is in (see addLeg). */
  connect(c: { entryId: string; callerSid: string }): Promise<void>;
  hold(conferenceSid: string, callSid: string, on: boolean): Promise<void>;
  /**
   * Sends the caller back to a queue: a blind transfer, or the agent could not be reached (they keep
   * their place and hear why). Leaving ends the conference and the agent's leg.
   */
  requeue(callerSid: string, entryId: string, step: number, why?: 'transfer' | 'agent_unreachable'): Promise<void>;
  /** Takes a waiting caller out of a queue nobody can serve any more: their flow's fallback runs. */
  closeQueue(callerSid: string, entryId: string, step: number): Promise<void>;
  /**
   * Rings someone into the conference by its CF sid (the agent, or a colleague for a consult);
   * returns the leg's call sid. Twilio reports the leg's progress, so a leg that is busy, not
   * answered or fails is known at once; a phone is checked for an answering machine.
   */
  addLeg(c: { entryId: string; conferenceSid: string; from: string; to: StaffLine }): Promise<string>;
  dropLeg(conferenceSid: string, callSid: string): Promise<void>;
  /** Rings a supervisor into the conference to listen, whisper to the agent or barge in; returns the leg's call sid. */
  addMonitor(c: { conferenceSid: string; from: string; to: StaffLine; mode: MonitorMode; agentCallSid: string }): Promise<string>;
  /** Switches a supervisor's leg already in the conference to another mode. */
  setMonitor(c: { conferenceSid: string; callSid: string; mode: MonitorMode; agentCallSid: string }): Promise<void>;
  endConference(conferenceSid: string): Promise<void>;
  /** Hangs up one leg (an agent's phone answered by its voicemail). */
  hangup(callSid: string): Promise<void>;
}

export type MonitorMode = 'listen' | 'whisper' | 'barge';

/**
 * Whom to ring, in the server's words: a member of staff, on their own phone when they gave one,
 * else on the console they are signed in to. How that becomes a Twilio address stays here.
 */
export interface StaffLine {
  kind: 'agent' | 'supervisor';
  userId: number;
  phone?: string | null;
}

/** Listen: muted. Whisper: Twilio's coaching, heard by the coached agent only. Barge: an ordinary, unmuted participant. */
const monitorFlags = (mode: MonitorMode, agentCallSid: string) =>
  mode === 'listen' ? { muted: true, coaching: false } : mode === 'whisper' ? { muted: false, coaching: true, callSidToCoach: agentCallSid } : { muted: false, coaching: false };


export const conferenceName = (entryId: string) => `sb-${entryId}`;
/** The Twilio Client identity a member of staff's browser registers as (agent_<id>, supervisor_<id>). */
export const clientIdentity = (line: Pick<StaffLine, 'kind' | 'userId'>) => `${line.kind}_${line.userId}`;
/** A phone when the line has one, else the browser: Twilio's `client:` address. */
const twilioAddress = (line: StaffLine) => line.phone ?? `client:${clientIdentity(line)}`;

export function createVoiceControl(deps: { rest: () => TwilioRest; voiceUrl: () => string; holdMusicUrl: string }): VoiceControl {
  // Every leg names the status callback: Twilio reports each participant's joins and leaves there.
  const statusUrl = (entryId: string) => `${deps.voiceUrl()}/conference-status?entry=${entryId}`;
  const legUrl = (what: 'status' | 'amd', entryId: string) => `${deps.voiceUrl()}/agent-leg/${what}?entry=${entryId}`;
  return {
    async connect(c) {
      await deps.rest().redirectCall(c.callerSid, `${deps.voiceUrl()}/connect?entry=${c.entryId}`);
    },
    async hold(conferenceSid, callSid, on) {
      await deps.rest().updateParticipant(conferenceSid, callSid, { hold: on, ...(on ? { holdUrl: deps.holdMusicUrl } : {}) });
    },
    async requeue(callerSid, entryId, step, why = 'transfer') {
      await deps.rest().redirectCall(callerSid, `${deps.voiceUrl()}/requeue?entry=${entryId}&step=${step}&why=${why}`);
    },
    async closeQueue(callerSid, entryId, step) {
      await deps.rest().redirectCall(callerSid, `${deps.voiceUrl()}/queue-closed?entry=${entryId}&step=${step}`);
    },
    async addLeg(c) {
      const phone = Boolean(c.to.phone);
      return (await deps.rest().addParticipant(c.conferenceSid, {
        from: c.from, to: twilioAddress(c.to), endConferenceOnExit: false, conferenceStatusCallback: statusUrl(c.entryId), statusCallback: legUrl('status', c.entryId),
        // A phone may be answered by its voicemail: the caller must never be put through to it.
        ...(phone ? { machineDetection: 'Enable' as const, amdStatusCallback: legUrl('amd', c.entryId) } : {}),
      })).callSid;
    },
    async dropLeg(conferenceSid, callSid) {
      await deps.rest().removeParticipant(conferenceSid, callSid);
    },
    // No status callback: the supervisor's comings and goings are not the call's, and are audited instead.
    async addMonitor(c) {
      return (await deps.rest().addParticipant(c.conferenceSid, { from: c.from, to: twilioAddress(c.to), endConferenceOnExit: false, ...monitorFlags(c.mode, c.agentCallSid) })).callSid;
    },
    async setMonitor(c) {
      await deps.rest().updateParticipant(c.conferenceSid, c.callSid, monitorFlags(c.mode, c.agentCallSid));
    },
    async endConference(conferenceSid) {
      await deps.rest().endConference(conferenceSid);
    },
    async hangup(callSid) {
      await deps.rest().hangupCall(callSid);
    },
  };
}

/** The outbound line of campaigns and callbacks: one REST call per dial; Twilio calls back the outbound webhooks with the dial's purpose and reference. */
export function createOutboundLine(deps: { rest: () => TwilioRest; voiceUrl: () => string }): OutboundLine {
  return {
    async dial(c) {
      const url = (what: string) => `${deps.voiceUrl()}/outbound/${what}?purpose=${c.purpose}&ref=${c.ref}`;
      const call = await deps.rest().createCall({ to: c.to, from: c.from, url: url('answer'), statusCallback: url('status'), machineDetection: c.machineDetection, timeoutSeconds: c.ringSeconds });
      return call.sid;
    },
    async cancel(callSid) {
      await deps.rest().cancelCall(callSid);
    },
  };
}
