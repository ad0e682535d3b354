import type { LiveCall, SimContext } from './context.js';
import { newSid, rfc2822 } from './util.js';

/** A call recording as the simulator keeps it (Twilio's Recordings resource, for calls started by REST). */
export interface SimRecording {
  sid: string;
  callSid: string;
  conferenceSid: string | null;
  status: 'in-progress' | 'paused' | 'stopped' | 'processing' | 'completed' | 'absent';
  channels: 1 | 2;
  track: 'inbound' | 'outbound' | 'both';
  source: 'StartCallRecordingAPI';
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date;
  /** The call's simulated clock when recording began, and the ms spent paused with `skip` (cut from the file). */
  startedAt: number;
  pausedSince: number | null;
  skippedMs: number;
  pauseBehavior: 'skip' | 'silence';
  /** Whole seconds, once completed. */
  duration: number | null;
  callback?: { url: string; method: string; events: string[] };
}

const base = (accountSid: string) => `/2010-04-01/Accounts/${accountSid}`;

/** The JSON of a recording; `under` picks the resource it is read through (the three differ slightly). */
export function recordingJson(accountSid: string, r: SimRecording, under: 'call' | 'conference' | 'account') {
  const uri = `${base(accountSid)}/Recordings/${r.sid}`;
  const common = {
    account_sid: accountSid, api_version: '2010-04-01', call_sid: r.callSid, conference_sid: r.conferenceSid,
    date_created: rfc2822(r.dateCreated), date_updated: rfc2822(r.dateUpdated), start_time: rfc2822(r.startTime),
    // Twilio reports -1 until the file is final.
    duration: r.duration === null ? '-1' : String(r.duration), sid: r.sid, price_unit: 'USD', status: r.status, channels: r.channels,
    source: r.source, error_code: null, encryption_details: null,
  };
  if (under === 'call') return { ...common, price: null, track: r.track, uri: `${base(accountSid)}/Calls/${r.callSid}/Recordings/${r.sid}.json` };
  if (under === 'conference') return { ...common, price: null, uri: `${base(accountSid)}/Conferences/${r.conferenceSid}/Recordings/${r.sid}.json` };
  return {
    ...common, price: null, uri: `${uri}.json`, media_url: `https://api.twilio.com${uri}`,
    subresource_uris: { add_on_results: `${uri}/AddOnResults.json`, transcriptions: `${uri}/Transcriptions.json` },
  };
}

/** The recording callback Twilio posts at a status change the app asked to hear about. */
function notify(ctx: SimContext, call: LiveCall | undefined, r: SimRecording, event: 'in-progress' | 'completed' | 'absent'): void {
  const cb = r.callback;
  if (!cb || !cb.events.includes(event) || ctx.closed) return;
  const params: Record<string, string> = {
    AccountSid: ctx.accountSid, CallSid: r.callSid, RecordingSid: r.sid,
    RecordingUrl: `https://api.twilio.com${base(ctx.accountSid)}/Recordings/${r.sid}`,
    RecordingStatus: event, RecordingChannels: String(r.channels), RecordingSource: r.source, RecordingTrack: r.track,
    RecordingStartTime: rfc2822(r.startTime), ErrorCode: '0',
    ...(event === 'completed' ? { RecordingDuration: String(r.duration ?? 0) } : {}),
  };
  void ctx.webhooks.send(cb.url, params, { method: cb.method, ...(call ? { callSid: call.sid } : {}) });
}

/** Starts recording a live call (POST .../Calls/{Sid}/Recordings.json); it completes when stopped or when the call ends. */
export function startRecording(ctx: SimContext, call: LiveCall, o: { channels: 1 | 2; track: SimRecording['track']; callback?: SimRecording['callback'] }): SimRecording {
  const now = new Date();
  const conference = [...ctx.conferences.values()].find((c) => c.status !== 'completed' && c.participants.has(call.sid));
  const r: SimRecording = {
    sid: newSid('RE'), callSid: call.sid, conferenceSid: conference?.sid ?? null, status: 'in-progress', channels: o.channels, track: o.track,
    source: 'StartCallRecordingAPI', dateCreated: now, dateUpdated: now, startTime: now, startedAt: call.now(), pausedSince: null, skippedMs: 0,
    pauseBehavior: 'silence', duration: null, ...(o.callback ? { callback: o.callback } : {}),
  };
  ctx.recordings.set(r.sid, r);
  call.annotate(`recording ${r.sid} started (${o.channels === 2 ? 'dual' : 'mono'})`);
  notify(ctx, call, r, 'in-progress');
  void call.done.then(() => finish(ctx, r));
  return r;
}

/** Pause, resume or stop (Status=paused | in-progress | stopped); other changes are refused by the caller. */
export function changeRecording(ctx: SimContext, r: SimRecording, status: 'paused' | 'in-progress' | 'stopped', pauseBehavior?: string): void {
  const call = ctx.calls.get(r.callSid);
  const now = call?.now() ?? 0;
  if (status === 'paused' && r.status === 'in-progress') {
    r.status = 'paused';
    r.pausedSince = now;
    r.pauseBehavior = pauseBehavior === 'skip' ? 'skip' : 'silence';
  } else if (status === 'in-progress' && r.status === 'paused') {
    if (r.pausedSince !== null && r.pauseBehavior === 'skip') r.skippedMs += now - r.pausedSince;
    r.pausedSince = null;
    r.status = 'in-progress';
  } else if (status === 'stopped') {
    finish(ctx, r);
    return;
  } else {
    return;
  }
  r.dateUpdated = new Date();
  call?.annotate(`recording ${r.sid} ${status === 'paused' ? 'paused' : 'resumed'}`);
}

function finish(ctx: SimContext, r: SimRecording): void {
  if (r.status !== 'in-progress' && r.status !== 'paused') return;
  const call = ctx.calls.get(r.callSid);
  const end = call?.now() ?? r.startedAt;
  if (r.pausedSince !== null && r.pauseBehavior === 'skip') r.skippedMs += end - r.pausedSince;
  r.duration = Math.max(1, Math.round((end - r.startedAt - r.skippedMs) / 1000));
  r.status = 'completed';
  r.dateUpdated = new Date();
  notify(ctx, call, r, 'completed');
}

/**
 * A short WAV standing in for the recording's audio: 8 kHz, 16-bit PCM, one or two channels (the
 * caller's track a low tone, the agent's a higher one), at most three seconds whatever the duration.
 */
export function recordingWav(r: SimRecording): Buffer {
  const rate = 8000;
  const seconds = Math.min(3, Math.max(1, r.duration ?? 1));
  const frames = rate * seconds;
  const channels = r.channels;
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    for (let ch = 0; ch < channels; ch++) {
      const hz = ch === 0 ? 440 : 660;
      data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 8000), (i * channels + ch) * 2);
    }
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
