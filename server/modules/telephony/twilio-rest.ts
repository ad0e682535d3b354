import twilio from 'twilio';
// Rewrites *.twilio.com to apiBase and leaves everything else to the SDK's own client, so the
// adapter code that runs against the simulator is the code that runs against Twilio.
import { createRedirectingHttpClient } from './twilio-http-client.js';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** Send REST calls here instead of https://*.twilio.com (the simulator); the path is kept. */
  apiBase?: string | (() => string);
}

export interface ParticipantChange { hold?: boolean; holdUrl?: string; muted?: boolean; coaching?: boolean; callSidToCoach?: string }

/** The REST calls the contact center makes, through the official client. */
export function createTwilioRest(creds: TwilioCredentials) {
  const client = twilio(creds.accountSid, creds.authToken, {
    autoRetry: true,
    ...(creds.apiBase ? { httpClient: createRedirectingHttpClient(creds.apiBase, { autoRetry: true }) } : {}),
  });

  return {
    client,

    /** An outbound call (campaigns, callbacks, agent legs); Twilio fetches `url` when it is answered. */
    async createCall(c: { to: string; from: string; url: string; statusCallback?: string; machineDetection?: 'Enable' | 'DetectMessageEnd'; timeoutSeconds?: number }) {
      const call = await client.calls.create({
        to: c.to, from: c.from, url: c.url, method: 'POST',
        ...(c.statusCallback ? { statusCallback: c.statusCallback, statusCallbackMethod: 'POST', statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] } : {}),
        ...(c.machineDetection ? { machineDetection: c.machineDetection } : {}),
        ...(c.timeoutSeconds ? { timeout: c.timeoutSeconds } : {}),
      });
      return { sid: call.sid, status: call.status };
    },

    /** Points a live call at new TwiML (out of a queue, into a conference…). */
    async redirectCall(sid: string, url: string) {
      const call = await client.calls(sid).update({ url, method: 'POST' });
      return { sid: call.sid, status: call.status };
    },

    /** Ends a call that is queued or ringing (`canceled`), or hangs up one in progress. */
    async cancelCall(sid: string) {
      const current = await client.calls(sid).fetch();
      const status = current.status === 'queued' || current.status === 'ringing' ? 'canceled' : 'completed';
      if (current.status === 'in-progress' || status === 'canceled') await client.calls(sid).update({ status });
    },

    async hangupCall(sid: string) {
      const call = await client.calls(sid).update({ status: 'completed' });
      return { sid: call.sid, status: call.status };
    },

    /** Takes one caller (or `Front`) out of a Twilio queue to `url`. Queues are addressed by QU sid. */
    async dequeue(queueSid: string, callSid: string, url: string) {
      const member = await client.queues(queueSid).members(callSid).update({ url, method: 'POST' });
      return { callSid: member.callSid, position: member.position };
    },

    async queueMembers(queueSid: string) {
      const members = await client.queues(queueSid).members.list({ limit: 1000 });
      return members.map((m) => ({ callSid: m.callSid, position: m.position, waitTime: m.waitTime }));
    },

    /** Dials `to` into a conference (an agent leg, a supervisor listening or coaching). */
    async addParticipant(conferenceSid: string, p: {
      from: string; to: string; muted?: boolean; coaching?: boolean; callSidToCoach?: string; endConferenceOnExit?: boolean; conferenceStatusCallback?: string;
      /** The leg's own call progress (initiated, ringing, answered, completed): a leg that fails is known at once. */
      statusCallback?: string;
      machineDetection?: 'Enable'; amdStatusCallback?: string;
    }) {
      const participant = await client.conferences(conferenceSid).participants.create({
        from: p.from, to: p.to, muted: p.muted, coaching: p.coaching, callSidToCoach: p.callSidToCoach, endConferenceOnExit: p.endConferenceOnExit, beep: 'false',
        ...(p.conferenceStatusCallback ? { conferenceStatusCallback: p.conferenceStatusCallback, conferenceStatusCallbackMethod: 'POST', conferenceStatusCallbackEvent: ['start', 'end', 'join', 'leave'] } : {}),
        ...(p.statusCallback ? { statusCallback: p.statusCallback, statusCallbackMethod: 'POST', statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] } : {}),
        ...(p.machineDetection ? { machineDetection: p.machineDetection, amdStatusCallback: p.amdStatusCallback, amdStatusCallbackMethod: 'POST' } : {}),
      });
      return { callSid: participant.callSid, conferenceSid: participant.conferenceSid };
    },

    async updateParticipant(conferenceSid: string, callSid: string, change: ParticipantChange) {
      const participant = await client.conferences(conferenceSid).participants(callSid).update(change);
      return { callSid: participant.callSid, hold: participant.hold, muted: participant.muted, coaching: participant.coaching };
    },

    async removeParticipant(conferenceSid: string, callSid: string) {
      await client.conferences(conferenceSid).participants(callSid).remove();
    },

    /** Ends the conference: every leg leaves, and the caller's <Dial> moves on to its action. */
    async endConference(conferenceSid: string) {
      await client.conferences(conferenceSid).update({ status: 'completed' });
    },
  };
}

export type TwilioRest = ReturnType<typeof createTwilioRest>;
