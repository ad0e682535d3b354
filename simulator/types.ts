import type { FastifyPluginAsync } from 'fastify';
import type { FormParams } from '../server/lib/form.js';
import type { VoiceSegment } from './media-streams.js';

export type { FormParams, VoiceSegment };

/** How the far end of a call the simulator places behaves; `answer-late`: a person who lets it ring three seconds of wall time. */
export type PeerBehaviour = 'answer' | 'answer-late' | 'busy' | 'no-answer' | 'fail' | 'machine';
export type StatusEvent = 'initiated' | 'ringing' | 'answered' | 'completed';

export interface NumberConfig {
  voiceUrl: string;
  statusCallback?: string;
  statusCallbackEvents?: StatusEvent[];
}

export interface SimulatorOptions {
  accountSid: string;
  authToken: string;
  numbers: Record<string, NumberConfig>;
  /** 1 = real time; Pause, ringing and queue-loop waits are multiplied by it (tests use ~0.001). */
  timeScale?: number;
  log?: (line: string) => void;
  /** How many exchanges `exchanges` keeps, the oldest dropped first (default 1000): a long-running simulator's memory stays bounded. */
  keepExchanges?: number;
}

export type CallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
export type CallDirection = 'inbound' | 'outbound-api' | 'outbound-dial';
/** 'bridged' (added): a queued caller connected to whoever dialled its queue. */
export type CallState = 'ringing' | 'running' | 'gathering' | 'queued' | 'dialing' | 'bridged' | 'conference' | 'ended';

export interface TranscriptEntry {
  /** Simulated ms since the call started: verb durations, not wall-clock time, so transcripts are deterministic. */
  at: number;
  kind: 'say' | 'play' | 'pause' | 'gather' | 'press' | 'speech' | 'silence' | 'enqueued' | 'queue-wait' | 'dequeued' | 'dial' | 'record' | 'hangup' | 'reject' | 'status' | 'error';
  text: string;
  language?: string;
}

export interface SimCall {
  sid: string;
  from: string;
  to: string;
  direction: CallDirection;
  status: CallStatus;
  transcript: TranscriptEntry[];
  state: CallState;
  press(digits: string): Promise<void>;
  /** Typed speech: what the caller says to a Gather that listens for it (confidence 0–1, default 0.92). */
  speak(words: string, confidence?: number): Promise<void>;
  silence(): Promise<void>;
  /** Who speaks on the call's media streams from now on (looped); by default a conversation without dead air. */
  talk(pattern: VoiceSegment[]): void;
  /** Someone on the call says these words: the call's real-time transcriptions post them (resolves once the app has them). */
  utter(side: 'caller' | 'agent', words: string): Promise<void>;
  hangup(): Promise<void>;
  waitFor(state: CallState, timeoutMs?: number): Promise<void>;
  heard(): string[];
}

/** One HTTP request/response pair: a REST request the simulator answered, or a webhook it sent. */
export interface Exchange {
  kind: 'rest' | 'webhook';
  method: string;
  /** REST: the URL as received (path + query, mount prefix included). Webhook: the absolute URL requested. */
  url: string;
  /** REST only: the path from /2010-04-01 on, without query string (what the OpenAPI spec templates). */
  path?: string;
  /** Form body (POST) or query parameters (GET); repeated keys as arrays. */
  params: FormParams;
  headers: Record<string, string>;
  status: number;
  /** REST: the JSON sent (or null). Webhook: the response text received. */
  body: unknown;
  callSid?: string;
  /** Parameters left out of the record because they carried a secret (the Digits of a PIN gather). */
  redacted?: string[];
}

export interface Simulator {
  routes: FastifyPluginAsync;
  listen(): Promise<string>;
  close(): Promise<void>;
  dial(call: { from: string; to: string }): SimCall;
  call(sid: string): SimCall | undefined;
  calls(): SimCall[];
  exchanges: Exchange[];
  setNumber(e164: string, cfg: NumberConfig): void;
  setPeer(e164OrClient: string, behaviour: PeerBehaviour): void;
  /**
   * Makes the REST API fail for a while, as Twilio does in an incident: every request (or those of
   * `methods`) is answered `status` (default 503, Twilio's error 20503) for `ms`. Also over HTTP:
   * `POST <base>/sim/faults` with `{"status":503,"ms":3000}` and the account's Basic auth; `DELETE` ends it.
   */
  fail(f: FaultRequest): void;
  /** Ends a fault now. */
  recover(): void;
}

export interface FaultRequest {
  ms: number;
  status?: 429 | 500 | 502 | 503 | 504;
  methods?: ('GET' | 'POST' | 'DELETE')[];
}
