import { EventEmitter } from 'node:events';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import type { WebSocket } from 'ws';
import { appError } from '../../errors.js';
import type { AudioSink } from '../talk/talk-service.js';
import type { Side } from '../talk/talk-meter.js';

export const MEDIA_PATH = '/twilio/media';

/** G.711 μ-law byte → 16-bit sample (Twilio streams 8 kHz μ-law). */
const MU_LAW = Int16Array.from({ length: 256 }, (_, i) => {
  const u = ~i & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
});

export function decodeMuLaw(bytes: Buffer): Int16Array {
  const pcm = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pcm[i] = MU_LAW[bytes[i]!]!;
  return pcm;
}

/** On the caller's call, `inbound` is the caller's voice and `outbound` what they hear: the agent's side. */
const sideOf = (track: unknown): Side | undefined => (track === 'inbound' ? 'caller' : track === 'outbound' ? 'agent' : undefined);

export interface MediaStreamOptions {
  authToken: () => string;
  publicUrl: () => string;
  /** Who takes a stream's audio (the talk module); null closes the socket (no agent call is live). */
  open: (s: { callSid: string; streamSid: string; sides: Side[] }) => Promise<AudioSink | null>;
  /** A stream that sends nothing for this long is closed and ended (Twilio's `stop` may never come). */
  idleMs: number;
}

/** The Twilio messages read here: anything else (a `mark`, a `dtmf`, what Twilio adds later) is ignored. */
interface StreamMessage {
  event?: unknown;
  start?: { callSid?: unknown; streamSid?: unknown; tracks?: unknown };
  media?: { track?: unknown; timestamp?: unknown; payload?: unknown };
}

/**
 * Twilio Media Streams over @fastify/websocket: the upgrade is refused (403) unless its
 * X-Twilio-Signature matches the public wss URL; then `connected`, `start`, `media` (base64 μ-law,
 * 20 ms a frame, each track), `stop`. Any node may take a stream: its state lives with the socket.
 * Only upgrades of MEDIA_PATH reach this plugin's router, so socket.io keeps its own upgrades.
 */
export async function mediaStreamRoutes(fastify: FastifyInstance, opts: MediaStreamOptions) {
  const upgrades = new EventEmitter();
  fastify.server.on('upgrade', (req, socket, head) => {
    if (req.url?.split('?')[0] === MEDIA_PATH) upgrades.emit('upgrade', req, socket, head);
  });
  await fastify.register(websocket, { options: { server: upgrades as never, maxPayload: 64 * 1024 } });

  const verify = async (request: FastifyRequest) => {
    const signature = request.headers['x-twilio-signature'];
    const url = opts.publicUrl().replace(/^http/, 'ws') + request.url;
    if (typeof signature !== 'string' || !twilio.validateRequest(opts.authToken(), signature, url, {})) {
      request.log.warn({ url: request.url }, 'media stream refused: bad or missing signature');
      throw appError('SB_ERR_TWILIO_SIGNATURE_INVALID');
    }
  };

  fastify.get(MEDIA_PATH, { websocket: true, preValidation: verify, schema: { hide: true } }, (socket: WebSocket, request) => {
    let sink: AudioSink | null = null;
    let opening: Promise<void> | null = null;
    let ended = false;
    let malformed = 0;
    const early: StreamMessage[] = [];
    const end = (why: 'stop' | 'closed' | 'idle') => {
      if (ended) return;
      ended = true;
      clearTimeout(idle);
      request.log.info({ why, malformed }, 'media stream ended');
      const done = opening ?? Promise.resolve();
      void done.then(() => sink?.end(why)).catch((err) => request.log.warn({ err }, 'media stream end failed'));
    };
    const idle = setTimeout(() => { end('idle'); socket.terminate(); }, opts.idleMs);

    const media = (m: StreamMessage) => {
      const side = sideOf(m.media?.track);
      const at = Number(m.media?.timestamp);
      if (!side || !Number.isFinite(at) || typeof m.media?.payload !== 'string') { malformed++; return; }
      sink?.audio(side, at, decodeMuLaw(Buffer.from(m.media.payload, 'base64')));
    };

    socket.on('message', (raw: Buffer, binary: boolean) => {
      if (ended) return;
      idle.refresh();
      let m: StreamMessage;
      try {
        m = binary ? {} : JSON.parse(raw.toString('utf8')) as StreamMessage;
      } catch {
        m = {};
      }
      if (m === null || typeof m !== 'object' || typeof m.event !== 'string') {
        // Not Twilio speaking: a few are tolerated (a proxy's noise), a stream of them is closed.
        if (++malformed > 50) { end('closed'); socket.close(1003, 'malformed messages'); }
        return;
      }
      if (m.event === 'start' && !opening) {
        const callSid = m.start?.callSid;
        const streamSid = m.start?.streamSid;
        const tracks = Array.isArray(m.start?.tracks) ? m.start.tracks : ['inbound', 'outbound'];
        const sides = tracks.map(sideOf).filter((s): s is Side => s !== undefined);
        if (typeof callSid !== 'string' || typeof streamSid !== 'string' || sides.length === 0) { socket.close(1008, 'start without a call'); return; }
        opening = opts.open({ callSid, streamSid, sides }).then((s) => {
          if (!s) { socket.close(1008, 'no agent call'); return; }
          sink = s;
          for (const e of early.splice(0)) media(e);
        }, (err) => { request.log.warn({ err, call_sid: callSid }, 'media stream refused: could not open'); socket.close(1011, 'unavailable'); });
      } else if (m.event === 'media') {
        if (sink) media(m);
        else if (opening && early.length < 500) early.push(m);
      } else if (m.event === 'stop') {
        end('stop');
        socket.close(1000);
      }
    });
    socket.on('close', () => end('closed'));
    socket.on('error', () => end('closed'));
  });
}
