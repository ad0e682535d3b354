import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** Send REST calls here instead of https://*.twilio.com (the simulator); the path is kept. */
  apiBase?: string | (() => string);
}

/**
 * The SDK's own HTTP client with one change: requests for any *.twilio.com host go to `apiBase`.
 * Everything else (form encoding, auth, retries on 429, response parsing) is the SDK's, so the
 * adapter code that runs against the simulator is the code that runs against Twilio.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly apiBase: () => string) {
    super({ autoRetry: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    const rewritten = /(^|\.)twilio\.com$/.test(uri.hostname) ? `${this.apiBase().replace(/\/$/, '')}${uri.pathname}${uri.search}` : opts.uri;
    return super.request<TData>({ ...opts, uri: rewritten });
  }
}

export interface ParticipantChange { hold?: boolean; holdUrl?: string; muted?: boolean; coaching?: boolean; callSidToCoach?: string }

/** The REST calls the contact center makes, through the official client. */
export function createTwilioRest(creds: TwilioCredentials) {
  const client = twilio(creds.accountSid, creds.authToken, {
    autoRetry: true,
    ...(creds.apiBase ? { httpClient: new RedirectingRequestClient(typeof creds.apiBase === 'string' ? () => creds.apiBase as string : creds.apiBase) } : {}),
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
    async addParticipant(conferenceSid: string, p: { from: string; to: string; muted?: boolean; coaching?: boolean; callSidToCoach?: string; endConferenceOnExit?: boolean }) {
      const participant = await client.conferences(conferenceSid).participants.create({
        from: p.from, to: p.to, muted: p.muted, coaching: p.coaching, callSidToCoach: p.callSidToCoach, endConferenceOnExit: p.endConferenceOnExit, beep: 'false',
      });
      return { callSid: participant.callSid, conferenceSid: participant.conferenceSid };
    },

    async updateParticipant(conferenceSid: string, callSid: string, change: ParticipantChange) {
      const participant = await client.conferences(conferenceSid).participants(callSid).update(change);
      return { callSid: participant.callSid, hold: participant.hold, muted: participant.muted, coaching: participant.coaching };
    },
  };
}

export type TwilioRest = ReturnType<typeof createTwilioRest>;
