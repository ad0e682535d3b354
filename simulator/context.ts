import type { SimRecording } from './recordings.js';
import type { SimStream, VoiceSegment } from './media-streams.js';
import type { SimTranscription } from './transcriptions.js';
import { SimConference, SimQueue } from './resources.js';
import type { CallState, Exchange, NumberConfig, PeerBehaviour, SimCall } from './types.js';
import type { WebhookSender } from './webhooks.js';

/** A live call as the rest of the simulator sees it (the REST API, queues, conferences). */
export interface LiveCall extends SimCall {
  readonly accountSid: string;
  parentCallSid: string | null;
  answeredBy: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date | null;
  endTime: Date | null;
  /** Whole seconds connected, on the simulated clock; null while not ended. */
  duration(): number | null;
  now(): number;
  interrupt(i: Interrupt): void;
  /** The 'ended' state is reached (status callbacks flushed). */
  readonly done: Promise<void>;
  /** Who speaks on the call's media streams (SimCall.talk). */
  talkPattern(): readonly VoiceSegment[];
  /** Rounds of the queue wait loop played so far (the scripted caller waits for one). */
  queueRounds: number;
  stateIs(...states: CallState[]): boolean;
  /** Adds a line to the transcript (participant held, muted…: things the caller would notice). */
  annotate(text: string): void;
}

export type Step =
  | { kind: 'fetch'; url: string; method: string; extra?: Record<string, string> }
  | { kind: 'twiml'; xml: string; baseUrl?: string }
  | { kind: 'end'; status: 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled' };

/** Something that happens to a call from outside its TwiML: the caller, the REST API, another call. */
export type Interrupt =
  | { kind: 'hangup' }
  | { kind: 'end'; status: 'completed' | 'canceled' }
  | { kind: 'redirect'; to: Step }
  | { kind: 'bridge'; bridge: Bridge }
  | { kind: 'shutdown' };

/** Two connected legs: a <Dial> and the call it reached (a dequeued caller, a dialled number or client). */
export class Bridge {
  private resolveEnded!: (by: string) => void;
  readonly ended = new Promise<string>((r) => { this.resolveEnded = r; });
  endedBy: string | null = null;
  constructor(readonly dialer: LiveCall, readonly reached: LiveCall) {}
  end(bySid: string): void {
    if (this.endedBy !== null) return;
    this.endedBy = bySid;
    this.resolveEnded(bySid);
  }
}

export interface SimContext {
  accountSid: string;
  authToken: string;
  timeScale: number;
  numbers: Map<string, NumberConfig>;
  peers: Map<string, PeerBehaviour>;
  calls: Map<string, LiveCall>;
  queues: Map<string, SimQueue>;
  conferences: Map<string, SimConference>;
  /** Call recordings by RE sid (deleted ones are gone, as on Twilio). */
  recordings: Map<string, SimRecording>;
  /** Media streams by MZ sid. */
  streams: Map<string, SimStream>;
  /** Real-time transcriptions by GT sid. */
  transcriptions: Map<string, SimTranscription>;
  exchanges: Exchange[];
  webhooks: WebhookSender;
  log: (line: string) => void;
  closed: boolean;
  /** A fault switched on (tests of what the app does when Twilio fails): REST requests are answered `status` until `until`. */
  fault: RestFault | null;
  /** Starts an outbound leg (REST create, conference participant, <Dial> target). */
  startOutbound(o: OutboundOptions): LiveCall;
}

export interface RestFault {
  status: number;
  /** Epoch ms the fault ends. */
  until: number;
  /** Only these methods fail (GET, POST, DELETE); all when null. */
  methods: ReadonlySet<string> | null;
}

export interface OutboundOptions {
  from: string;
  to: string;
  direction: 'outbound-api' | 'outbound-dial';
  parentCallSid?: string;
  /** What runs once answered; absent for a <Dial> target (the far end only listens). */
  first?: Step;
  statusCallback?: { url: string; method: string; events: string[] };
  timeoutSeconds?: number;
  machineDetection?: string;
  asyncAmd?: { url?: string; method: string };
  /**
   * A conference participant with machine detection: the verdict is posted here (and answered)
   * before the leg joins the room, so the app can hang up a voicemail before anyone hears it.
   */
  amdBeforeJoin?: { url: string; method: string };
  /** How the far end behaves when no setPeer() names it. */
  defaultPeer: PeerBehaviour;
}

export function peerBehaviour(ctx: SimContext, target: string, fallback: PeerBehaviour): PeerBehaviour {
  const bare = target.replace(/^client:/, '');
  return ctx.peers.get(target) ?? ctx.peers.get(bare) ?? ctx.peers.get(`client:${bare}`) ?? fallback;
}

export function queueByName(ctx: SimContext, name: string): SimQueue | undefined {
  return [...ctx.queues.values()].find((q) => q.friendlyName === name);
}

export function ensureQueue(ctx: SimContext, name: string): SimQueue {
  const existing = queueByName(ctx, name);
  if (existing) return existing;
  const q = new SimQueue(name);
  ctx.queues.set(q.sid, q);
  return q;
}

/** The live (not completed) conference of that name, or a new one: Twilio reuses a name once the room has ended. */
export function ensureConference(ctx: SimContext, name: string): SimConference {
  const live = [...ctx.conferences.values()].find((c) => c.friendlyName === name && c.status !== 'completed');
  if (live) return live;
  const c = new SimConference(name);
  ctx.conferences.set(c.sid, c);
  return c;
}
