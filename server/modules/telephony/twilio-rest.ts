import type { FastifyBaseLogger } from 'fastify';
import twilio from 'twilio';
import type { Config } from '../../config.js';
// Rewrites *.twilio.com to apiBase and leaves everything else to the SDK's own client, so the
// adapter code that runs against the simulator is the code that runs against Twilio.
import { createRedirectingHttpClient } from './twilio-http-client.js';
import { withRetry, type RetryKind, type RetryPolicy } from './rest-retry.js';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** Send REST calls here instead of https://*.twilio.com (the simulator); the path is kept. */
  apiBase?: string | (() => string);
  /** Retries of failed requests (rest-retry.ts); none when absent. */
  retry?: RetryPolicy;
  /** Each request's own timeout (the SDK's default is 30 s: too long for a caller on hold). */
  timeoutMs?: number;
  /** Told of each retry (for a log line: the error's status and code, never its message, which may hold a number). */
  onRetry?: (info: { what: string; attempt: number; status: number | null; code: string | number | null }) => void;
}

export interface ParticipantChange { hold?: boolean; holdUrl?: string; muted?: boolean; coaching?: boolean; callSidToCoach?: string }

/** How every process's Twilio client retries (TWILIO_RETRY_SECONDS, TWILIO_TIMEOUT_MS), and the log line each retry leaves. */
export function restPolicy(config: Pick<Config, 'TWILIO_RETRY_SECONDS' | 'TWILIO_TIMEOUT_MS'>, log: Pick<FastifyBaseLogger, 'warn'>) {
  return {
    retry: { budgetMs: config.TWILIO_RETRY_SECONDS * 1000 },
    timeoutMs: config.TWILIO_TIMEOUT_MS,
    onRetry: (r: { what: string; attempt: number; status: number | null; code: string | number | null }) => log.warn({ twilio: r.what, attempt: r.attempt, http_status: r.status, twilio_code: r.code }, 'Twilio request failed, retrying'),
  };
}

/** The REST calls the contact center makes, through the official client. */
export function createTwilioRest(creds: TwilioCredentials) {
  // Retries are ours (withRetry), not the SDK's: its autoRetry covers 429 only.
  const timeout = creds.timeoutMs;
  const client = twilio(creds.accountSid, creds.authToken, {
    ...(timeout ? { timeout } : {}),
    ...(creds.apiBase ? { httpClient: createRedirectingHttpClient(creds.apiBase, timeout ? { timeout } : undefined) } : {}),
  });
  const policy: RetryPolicy = creds.retry ?? { budgetMs: 0 };
  /** Stopping what a call that ended already stopped: Twilio answers 404 (or 400 for a call no longer live), which is fine. */
  const gone = async (stop: () => Promise<unknown>): Promise<void> => {
    try {
      await stop();
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status !== 404 && status !== 400) throw err;
    }
  };
  const retried = <T>(what: string, kind: RetryKind, request: () => Promise<T>) => withRetry(policy, kind, request, (err, attempt) => {
    const { status, code } = err as { status?: number; code?: string | number };
    creds.onRetry?.({ what, attempt, status: status ?? null, code: code ?? null });
  });

  return {
    client,

    /** An outbound call (campaigns, callbacks, agent legs); Twilio fetches `url` when it is answered. */
    async createCall(c: { to: string; from: string; url: string; statusCallback?: string; machineDetection?: 'Enable' | 'DetectMessageEnd'; timeoutSeconds?: number }) {
      const call = await retried('create call', 'create', () => client.calls.create({
        to: c.to, from: c.from, url: c.url, method: 'POST',
        ...(c.statusCallback ? { statusCallback: c.statusCallback, statusCallbackMethod: 'POST', statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] } : {}),
        ...(c.machineDetection ? { machineDetection: c.machineDetection } : {}),
        ...(c.timeoutSeconds ? { timeout: c.timeoutSeconds } : {}),
      }));
      return { sid: call.sid, status: call.status };
    },

    /** Points a live call at new TwiML (out of a queue, into a conference…). */
    async redirectCall(sid: string, url: string) {
      const call = await retried('redirect call', 'update', () => client.calls(sid).update({ url, method: 'POST' }));
      return { sid: call.sid, status: call.status };
    },

    /** Ends a call that is queued or ringing (`canceled`), or hangs up one in progress. */
    async cancelCall(sid: string) {
      const current = await retried('fetch call', 'update', () => client.calls(sid).fetch());
      const status = current.status === 'queued' || current.status === 'ringing' ? 'canceled' : 'completed';
      if (current.status === 'in-progress' || status === 'canceled') await retried('end call', 'update', () => client.calls(sid).update({ status }));
    },

    async hangupCall(sid: string) {
      const call = await retried('hang up call', 'update', () => client.calls(sid).update({ status: 'completed' }));
      return { sid: call.sid, status: call.status };
    },

    /** Takes one caller (or `Front`) out of a Twilio queue to `url`. Queues are addressed by QU sid. */
    async dequeue(queueSid: string, callSid: string, url: string) {
      const member = await retried('dequeue', 'update', () => client.queues(queueSid).members(callSid).update({ url, method: 'POST' }));
      return { callSid: member.callSid, position: member.position };
    },

    async queueMembers(queueSid: string) {
      const members = await retried('list queue', 'update', () => client.queues(queueSid).members.list({ limit: 1000 }));
      return members.map((m) => ({ callSid: m.callSid, position: m.position, waitTime: m.waitTime }));
    },

    /** Dials `to` into a conference (an agent leg, a supervisor listening or coaching). */
    async addParticipant(conferenceSid: string, p: {
      from: string; to: string; muted?: boolean; coaching?: boolean; callSidToCoach?: string; endConferenceOnExit?: boolean; conferenceStatusCallback?: string;
      /** The leg's own call progress (initiated, ringing, answered, completed): a leg that fails is known at once. */
      statusCallback?: string;
      machineDetection?: 'Enable'; amdStatusCallback?: string;
    }) {
      const participant = await retried('add participant', 'create', () => client.conferences(conferenceSid).participants.create({
        from: p.from, to: p.to, muted: p.muted, coaching: p.coaching, callSidToCoach: p.callSidToCoach, endConferenceOnExit: p.endConferenceOnExit, beep: 'false',
        ...(p.conferenceStatusCallback ? { conferenceStatusCallback: p.conferenceStatusCallback, conferenceStatusCallbackMethod: 'POST', conferenceStatusCallbackEvent: ['start', 'end', 'join', 'leave'] } : {}),
        ...(p.statusCallback ? { statusCallback: p.statusCallback, statusCallbackMethod: 'POST', statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] } : {}),
        ...(p.machineDetection ? { machineDetection: p.machineDetection, amdStatusCallback: p.amdStatusCallback, amdStatusCallbackMethod: 'POST' } : {}),
      }));
      return { callSid: participant.callSid, conferenceSid: participant.conferenceSid };
    },

    async updateParticipant(conferenceSid: string, callSid: string, change: ParticipantChange) {
      const participant = await retried('update participant', 'update', () => client.conferences(conferenceSid).participants(callSid).update(change));
      return { callSid: participant.callSid, hold: participant.hold, muted: participant.muted, coaching: participant.coaching };
    },

    async removeParticipant(conferenceSid: string, callSid: string) {
      await retried('remove participant', 'update', () => client.conferences(conferenceSid).participants(callSid).remove());
    },

    /** Ends the conference: every leg leaves, and the caller's <Dial> moves on to its action. */
    async endConference(conferenceSid: string) {
      await retried('end conference', 'update', () => client.conferences(conferenceSid).update({ status: 'completed' }));
    },

    /**
     * Starts a dual-channel recording of a live call (the Recordings resource of the call): the
     * call's own audio on one channel, what it hears (the conference: the agent) on the other.
     */
    async startRecording(callSid: string, statusCallback: string) {
      const r = await retried('start recording', 'create', () => client.calls(callSid).recordings.create({
        recordingChannels: 'dual', recordingTrack: 'both', recordingStatusCallback: statusCallback, recordingStatusCallbackMethod: 'POST',
        recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
      }));
      return { sid: r.sid, status: r.status as string, channels: r.channels };
    },

    /**
     * Forks a live call's audio, both tracks, to a WebSocket (a Media Stream). Twilio drops a query
     * string on a stream URL: what the receiver needs rides as custom parameters of the `start` message.
     */
    async startStream(callSid: string, s: { url: string; name: string; params: Record<string, string> }) {
      const custom = Object.fromEntries(Object.entries(s.params).flatMap(([k, v], i) => [[`parameter${i + 1}.name`, k], [`parameter${i + 1}.value`, v]]));
      const r = await retried('start media stream', 'create', () => client.calls(callSid).streams.create({ url: s.url, name: s.name, track: 'both_tracks', ...custom }));
      return { sid: r.sid };
    },

    /** Stops a call's media stream by the name it was started with; one already gone (the call ended) is fine. */
    stopStream: (callSid: string, name: string) => gone(() => retried('stop media stream', 'update', () => client.calls(callSid).streams(name).update({ status: 'stopped' }))),

    /**
     * Transcribes a live call as it goes, both tracks (the caller inbound, the agent's side
     * outbound), final utterances only, each posted to `statusCallbackUrl`.
     */
    async startTranscription(callSid: string, t: { name: string; statusCallbackUrl: string; languageCode: string }) {
      const r = await retried('start transcription', 'create', () => client.calls(callSid).transcriptions.create({
        name: t.name, track: 'both_tracks', statusCallbackUrl: t.statusCallbackUrl, statusCallbackMethod: 'POST', languageCode: t.languageCode,
        inboundTrackLabel: 'caller', outboundTrackLabel: 'agent', partialResults: false,
      }));
      return { sid: r.sid };
    },

    /** Stops a call's transcription by its name; one already gone is fine. */
    stopTranscription: (callSid: string, name: string) => gone(() => retried('stop transcription', 'update', () => client.calls(callSid).transcriptions(name).update({ status: 'stopped' }))),

    /** Pauses (silence in the file), resumes or stops a call's recording. */
    async setRecordingStatus(callSid: string, recordingSid: string, status: 'paused' | 'in-progress' | 'stopped') {
      const r = await retried(`${status === 'in-progress' ? 'resume' : status === 'paused' ? 'pause' : 'stop'} recording`, 'update', () => client.calls(callSid).recordings(recordingSid).update({ status, ...(status === 'paused' ? { pauseBehavior: 'silence' } : {}) }));
      return { sid: r.sid, status: r.status as string };
    },

    /** Deletes a recording at Twilio; one Twilio no longer has counts as deleted. */
    async deleteRecording(recordingSid: string): Promise<'deleted' | 'gone'> {
      try {
        await retried('delete recording', 'update', () => client.recordings(recordingSid).remove());
        return 'deleted';
      } catch (err) {
        if ((err as { status?: number }).status === 404) return 'gone';
        throw err;
      }
    },

    /**
     * The recording's audio as a stream (WAV), fetched with the account's credentials: the browser
     * is never given a Twilio URL. Null when Twilio has no such file.
     */
    async recordingMedia(recordingSid: string): Promise<{ type: string; length: number | null; body: ReadableStream<Uint8Array> } | null> {
      const baseUrl = (typeof creds.apiBase === 'function' ? creds.apiBase() : creds.apiBase ?? 'https://api.twilio.com').replace(/\/$/, '');
      const response = await fetch(`${baseUrl}/2010-04-01/Accounts/${creds.accountSid}/Recordings/${recordingSid}.wav`, {
        headers: { Authorization: `Basic ${Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')}` },
      });
      if (response.status === 404) return null;
      if (!response.ok || !response.body) throw Object.assign(new Error(`recording media answered ${response.status}`), { status: response.status });
      const length = response.headers.get('content-length');
      return { type: response.headers.get('content-type') ?? 'audio/x-wav', length: length ? Number(length) : null, body: response.body };
    },

    /** A call as Twilio has it now (its status, and its duration once over); null if Twilio has no such call. */
    async fetchCall(sid: string): Promise<{ status: string; duration: number | null } | null> {
      try {
        const call = await retried('fetch call', 'update', () => client.calls(sid).fetch());
        return { status: call.status, duration: call.duration ? Number(call.duration) : null };
      } catch (err) {
        if ((err as { status?: number }).status === 404) return null;
        throw err;
      }
    },
  };
}

export type TwilioRest = ReturnType<typeof createTwilioRest>;
