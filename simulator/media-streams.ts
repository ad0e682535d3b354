import twilio from 'twilio';
import WebSocket from 'ws';
import type { LiveCall, SimContext } from './context.js';
import { newSid, rfc2822, sleep } from './util.js';

/** Who is speaking during a stretch of a call's audio: the caller (inbound track), the agent side (outbound track), both, or neither. */
export type Voice = 'caller' | 'agent' | 'both' | 'none';
export interface VoiceSegment { who: Voice; seconds: number }

/** A call's audio when nobody scripted it: a conversation, turn by turn, with short pauses and no dead air. */
export const CONVERSATION: readonly VoiceSegment[] = [
  { who: 'caller', seconds: 3 }, { who: 'none', seconds: 1 }, { who: 'agent', seconds: 4 }, { who: 'none', seconds: 0.5 },
];

/** A media stream as the simulator keeps it (Twilio's Streams subresource of a call). */
export interface SimStream {
  sid: string;
  callSid: string;
  name: string | null;
  url: string;
  track: 'inbound_track' | 'outbound_track' | 'both_tracks';
  params: Record<string, string>;
  status: 'in-progress' | 'stopped';
  dateUpdated: Date;
  /** Frames sent so far, per track. */
  frames: { inbound: number; outbound: number };
  /** Ends the stream: a `stop` message, then the socket closes. */
  stop(): void;
}

const FRAME_MS = 20;
const SAMPLES = 160; // 20 ms of 8 kHz
/** However small the time scale, audio runs at most this many times real time: a test's seconds of silence still take wall time. */
const MAX_SPEED = 50;

/** G.711 μ-law of one 16-bit sample (the encoder of the ITU reference, bias 0x84). */
function muLaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(32635, Math.abs(sample)) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  s = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return s;
}

/** One frame of each kind, base64 as Twilio sends it: speech stands in as a 300 Hz tone, silence is μ-law zero. */
const PAYLOAD = (() => {
  const talk = Buffer.alloc(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) talk[i] = muLaw(Math.round(Math.sin((2 * Math.PI * 300 * i) / 8000) * 6000));
  return { talk: talk.toString('base64'), silence: Buffer.alloc(SAMPLES, 0xff).toString('base64') };
})();

/** Who speaks at `ms` into a looped pattern. */
function voiceAt(pattern: readonly VoiceSegment[], ms: number): Voice {
  const total = pattern.reduce((n, s) => n + s.seconds * 1000, 0);
  if (total <= 0) return 'none';
  let at = ms % total;
  for (const s of pattern) {
    if (at < s.seconds * 1000) return s.who;
    at -= s.seconds * 1000;
  }
  return 'none';
}

export function streamJson(accountSid: string, s: SimStream) {
  return {
    sid: s.sid, account_sid: accountSid, call_sid: s.callSid, name: s.name, status: s.status, date_updated: rfc2822(s.dateUpdated),
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${s.callSid}/Streams/${s.sid}.json`,
  };
}

/**
 * Starts a unidirectional media stream of a live call (POST .../Calls/{Sid}/Streams.json), as
 * Twilio does: a WebSocket to `url`, its upgrade signed with X-Twilio-Signature over the URL, then
 * `connected`, `start` (the custom parameters), 20 ms μ-law `media` frames of each track, and
 * `stop` when the call ends or the stream is stopped. The audio follows `voice()` (the call's
 * scripted pattern, looped), at real time × 1/timeScale, capped at MAX_SPEED.
 */
export function startStream(ctx: SimContext, call: LiveCall, o: { url: string; name: string | null; track: SimStream['track']; params: Record<string, string>; voice: () => readonly VoiceSegment[] }): SimStream {
  let stopRequested = false;
  let wake: (() => void) | null = null;
  const s: SimStream = {
    sid: newSid('MZ'), callSid: call.sid, name: o.name, url: o.url, track: o.track, params: o.params, status: 'in-progress', dateUpdated: new Date(),
    frames: { inbound: 0, outbound: 0 },
    stop() { stopRequested = true; wake?.(); },
  };
  ctx.streams.set(s.sid, s);
  call.annotate(`media stream ${s.sid} started (${o.track})`);
  void call.done.then(() => s.stop());
  void run().catch((err: Error) => ctx.log(`media stream ${s.sid}: ${err.message}`)).finally(() => {
    s.status = 'stopped';
    s.dateUpdated = new Date();
  });
  return s;

  async function run(): Promise<void> {
    const ws = new WebSocket(o.url, { headers: { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(ctx.authToken, o.url, {}) } });
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('unexpected-response', (_req, res) => { ctx.log(`media stream ${s.sid}: upgrade refused (${res.statusCode})`); resolve(false); });
      ws.once('error', () => resolve(false));
    });
    if (!opened) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    void closed.then(() => { stopRequested = true; wake?.(); });
    let seq = 0;
    const send = (m: Record<string, unknown>) => ws.send(JSON.stringify({ ...m, sequenceNumber: String(++seq), ...(m.event === 'connected' ? {} : { streamSid: s.sid }) }));
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    const tracks = o.track === 'both_tracks' ? ['inbound', 'outbound'] as const : o.track === 'inbound_track' ? ['inbound'] as const : ['outbound'] as const;
    send({ event: 'start', start: { accountSid: ctx.accountSid, streamSid: s.sid, callSid: call.sid, tracks, customParameters: o.params, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } });
    const speed = Math.min(MAX_SPEED, 1 / Math.max(ctx.timeScale, 1e-9));
    const began = Date.now();
    let mediaMs = 0;
    while (!stopRequested && !ctx.closed) {
      const due = (Date.now() - began) * speed;
      while (mediaMs + FRAME_MS <= due && !stopRequested) {
        const who = voiceAt(o.voice(), mediaMs);
        for (const track of tracks) {
          const talking = who === 'both' || (track === 'inbound' ? who === 'caller' : who === 'agent');
          s.frames[track]++;
          send({ event: 'media', media: { track, chunk: String(s.frames[track]), timestamp: String(mediaMs), payload: talking ? PAYLOAD.talk : PAYLOAD.silence } });
        }
        mediaMs += FRAME_MS;
      }
      await Promise.race([sleep(FRAME_MS), new Promise<void>((r) => { wake = r; })]);
      wake = null;
    }
    if (ws.readyState === WebSocket.OPEN) {
      send({ event: 'stop', stop: { accountSid: ctx.accountSid, callSid: call.sid } });
      ws.close(1000);
    }
    call.annotate(`media stream ${s.sid} stopped`);
  }
}
