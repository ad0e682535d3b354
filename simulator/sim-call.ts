import type { Interrupt, LiveCall, SimContext } from './context.js';
import type { CallDirection, CallState, CallStatus, FormParams, StatusEvent, TranscriptEntry } from './types.js';
import { CONVERSATION, type VoiceSegment } from './media-streams.js';
import { utter } from './transcriptions.js';
import { countryOf, deferred, type Deferred, newSid, rfc2822, sleep } from './util.js';

/** Thrown out of whatever the call awaits when an Interrupt arrives; the player's main loop handles it. */
export class Interrupted extends Error {
  constructor() { super('interrupted'); }
}

/** `speech`: typed words standing for what the caller says (a Gather with input speech hears them). */
export type Input = { kind: 'digits'; digits: string } | { kind: 'speech'; words: string; confidence: number } | { kind: 'silence' };

const DEFAULT_WAIT_FOR_MS = 5_000;

/**
 * The state every call has, whatever it plays: status and its callbacks, the simulated clock, the
 * transcript, the caller's keypad, and interrupts from outside. The TwiML itself is CallPlayer's.
 */
export abstract class CallBase implements LiveCall {
  readonly sid = newSid('CA');
  readonly accountSid: string;
  status: CallStatus;
  state: CallState = 'ringing';
  transcript: TranscriptEntry[] = [];
  parentCallSid: string | null = null;
  answeredBy: string | null = null;
  readonly dateCreated = new Date();
  dateUpdated = new Date();
  startTime: Date | null = null;
  endTime: Date | null = null;
  queueRounds = 0;
  statusCallback?: { url: string; method: string; events: string[] };
  private voicePattern: readonly VoiceSegment[] = CONVERSATION;

  /** Simulated ms since the call started; advanced by what the call plays, not by the wall clock. */
  protected clock = 0;
  protected answeredAt: number | null = null;
  private sequence = 0;
  private callbacks: Promise<void> = Promise.resolve();
  private interrupts: Interrupt[] = [];
  private wake = deferred<void>();
  private input: { mode: 'gather' | 'wait' | 'record'; deferred: Deferred<Input> } | null = null;
  /** Keys pressed while queued with no gather listening: the next wait-music gather takes them. */
  protected keyBuffer = '';
  /** Wait music outside a Gather is playing: keys pressed now reach nothing. */
  protected deaf = false;
  /** Keys pressed past the end of a gather (a '#' after a full-length PIN): the next Gather takes them. */
  protected typeahead = '';
  private keyPressed: Deferred<void> | null = null;
  private stateWaiters: { states: CallState[]; resolve: () => void }[] = [];
  private readonly doneDeferred = deferred<void>();
  readonly done = this.doneDeferred.promise;

  constructor(
    protected readonly ctx: SimContext,
    readonly from: string,
    readonly to: string,
    readonly direction: CallDirection,
    initialStatus: CallStatus,
  ) {
    this.accountSid = ctx.accountSid;
    this.status = initialStatus;
  }

  now(): number { return this.clock; }

  talk(pattern: VoiceSegment[]): void { this.voicePattern = pattern.length ? [...pattern] : CONVERSATION; }
  utter(side: 'caller' | 'agent', words: string): Promise<void> { return utter(this.ctx, this, side, words); }
  talkPattern(): readonly VoiceSegment[] { return this.voicePattern; }

  duration(): number | null {
    if (this.endTime === null) return null;
    return this.answeredAt === null ? 0 : Math.max(0, Math.round((this.clock - this.answeredAt) / 1000));
  }

  stateIs(...states: CallState[]): boolean { return states.includes(this.state); }

  heard(): string[] {
    return this.transcript.filter((e) => e.kind === 'say' || e.kind === 'play' || e.kind === 'error').map((e) => e.text);
  }

  protected note(kind: TranscriptEntry['kind'], text: string, language?: string): void {
    this.transcript.push({ at: this.clock, kind, text, ...(language ? { language } : {}) });
    this.ctx.log(`${this.sid} ${(this.clock / 1000).toFixed(1)}s ${kind}: ${text}`);
  }

  annotate(text: string): void { this.note('status', text); }

  protected setState(state: CallState): void {
    this.state = state;
    this.dateUpdated = new Date();
    for (const w of [...this.stateWaiters]) {
      if (w.states.includes(state)) w.resolve();
    }
  }

  waitFor(state: CallState, timeoutMs = DEFAULT_WAIT_FOR_MS): Promise<void> {
    return this.waitForAny([state], timeoutMs);
  }

  waitForAny(states: CallState[], timeoutMs = DEFAULT_WAIT_FOR_MS): Promise<void> {
    if (states.includes(this.state)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        states,
        resolve: () => { clearTimeout(timer); this.stateWaiters = this.stateWaiters.filter((w) => w !== waiter); resolve(); },
      };
      const timer = setTimeout(() => {
        this.stateWaiters = this.stateWaiters.filter((w) => w !== waiter);
        const lines = this.transcript.map((e) => `  ${(e.at / 1000).toFixed(1)}s ${e.kind}: ${e.text}`).join('\n');
        reject(new Error(`call ${this.sid} did not reach ${states.join('|')} within ${timeoutMs} ms (state ${this.state}); transcript:\n${lines}`));
      }, timeoutMs);
      this.stateWaiters.push(waiter);
    });
  }

  // ---- the simulated clock ----------------------------------------------------------------------

  protected advance(ms: number): void { this.clock += ms; }

  /** Waits `seconds` of simulated time: the clock moves by all of it, the wall clock by timeScale of it. */
  protected async pass(seconds: number, floorMs = 0): Promise<void> {
    this.advance(seconds * 1000);
    await this.wait(sleep(Math.max(floorMs, seconds * 1000 * this.ctx.timeScale)));
  }

  // ---- interrupts ------------------------------------------------------------------------------

  interrupt(i: Interrupt): void {
    if (this.state === 'ended') return;
    if (i.kind === 'end') this.status = i.status;
    this.interrupts.push(i);
    this.wake.resolve();
  }

  protected hasInterrupt(): boolean { return this.interrupts.length > 0; }

  /** The next interrupt to handle; an end of the call outranks anything queued before it. */
  protected takeInterrupt(): Interrupt | undefined {
    const final = this.interrupts.findIndex((i) => i.kind === 'hangup' || i.kind === 'end' || i.kind === 'shutdown');
    const index = final >= 0 ? final : 0;
    const [i] = this.interrupts.splice(index, 1);
    if (this.interrupts.length === 0) this.wake = deferred<void>();
    return i;
  }

  protected peekInterrupt(): Interrupt | undefined {
    return this.interrupts.find((i) => i.kind === 'hangup' || i.kind === 'end' || i.kind === 'shutdown') ?? this.interrupts[0];
  }

  /** Awaits `p` unless an interrupt arrives first, in which case it throws Interrupted. */
  protected async wait<T>(p: Promise<T>): Promise<T> {
    if (this.interrupts.length > 0) throw new Interrupted();
    const woken = this.wake.promise.then(() => { throw new Interrupted(); });
    woken.catch(() => undefined);
    return Promise.race([p, woken]);
  }

  // ---- the caller's keypad -----------------------------------------------------------------------

  protected awaitInput(mode: 'gather' | 'wait' | 'record'): Promise<Input> {
    const d = deferred<Input>();
    this.input = { mode, deferred: d };
    return d.promise.finally(() => { if (this.input?.deferred === d) this.input = null; });
  }

  protected cancelInput(): void { this.input = null; }

  /** The caller says `words` (typed): a listening <Gather> posts them as SpeechResult, a keys-only one hears nothing. */
  async speak(words: string, confidence = 0.92): Promise<void> {
    if (!this.input || this.input.mode !== 'gather') throw new Error(`call ${this.sid} has no pending <Gather> to say "${words}" into (state ${this.state})`);
    const pending = this.input;
    this.input = null;
    this.setState('running');
    pending.deferred.resolve({ kind: 'speech', words, confidence });
  }

  async press(digits: string): Promise<void> {
    if (this.input) {
      const pending = this.input;
      this.input = null;
      if (pending.mode !== 'wait') this.setState('running');
      pending.deferred.resolve({ kind: 'digits', digits });
      return;
    }
    if (this.state === 'queued') {
      if (this.deaf) {
        this.note('press', `${digits} (ignored: wait music outside a Gather)`);
        return;
      }
      this.keyBuffer += digits;
      this.keyPressed?.resolve();
      return;
    }
    throw new Error(`call ${this.sid} has no pending <Gather> or <Record> to press ${digits} into (state ${this.state})`);
  }

  /** Plays `seconds` of something inside a wait-music Gather in wall-clock time, cut short when the caller presses a key. */
  protected async waitForKey(seconds: number): Promise<void> {
    if (this.keyBuffer) return;
    this.keyPressed = deferred<void>();
    try {
      await this.wait(Promise.race([this.keyPressed.promise, sleep(Math.max(1, seconds * 1000 * this.ctx.timeScale))]));
    } finally {
      this.keyPressed = null;
    }
  }

  async silence(): Promise<void> {
    if (!this.input) throw new Error(`call ${this.sid} has no pending <Gather> or <Record> to time out (state ${this.state})`);
    const pending = this.input;
    this.input = null;
    if (pending.mode !== 'wait') this.setState('running');
    pending.deferred.resolve({ kind: 'silence' });
  }

  async hangup(): Promise<void> {
    if (this.state === 'ended') return;
    this.interrupt({ kind: 'hangup' });
    await this.done;
  }

  // ---- webhooks --------------------------------------------------------------------------------

  /** The parameters Twilio puts on every request about this call. */
  callParams(): Record<string, string> {
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: this.sid,
      CallStatus: this.status,
      Called: this.to,
      Caller: this.from,
      Direction: this.direction,
      From: this.from,
      To: this.to,
    };
    const fromCountry = countryOf(this.from);
    const toCountry = countryOf(this.to);
    if (fromCountry) Object.assign(params, { FromCountry: fromCountry, CallerCountry: fromCountry });
    if (toCountry) Object.assign(params, { ToCountry: toCountry, CalledCountry: toCountry });
    if (this.parentCallSid) params.ParentCallSid = this.parentCallSid;
    if (this.answeredBy) params.AnsweredBy = this.answeredBy;
    return params;
  }

  protected post(url: string, params: FormParams, method = 'POST') {
    return this.ctx.webhooks.send(url, params, { method, callSid: this.sid });
  }

  /** Queues a status callback; they go out one at a time, in order, without holding up the call. */
  protected statusEvent(event: StatusEvent): void {
    const cb = this.statusCallback;
    if (!cb || !cb.events.includes(event) || this.ctx.closed) return;
    const params: Record<string, string> = {
      ...this.callParams(),
      CallStatus: event === 'answered' ? 'in-progress' : event === 'completed' ? this.status : event,
      SequenceNumber: String(this.sequence++),
      Timestamp: rfc2822(new Date()),
      CallbackSource: 'call-progress-events',
    };
    if (event === 'completed') {
      const seconds = this.duration() ?? 0;
      Object.assign(params, { CallDuration: String(seconds), Duration: String(Math.ceil(seconds / 60)) });
    }
    this.callbacks = this.callbacks.then(async () => { await this.post(cb.url, params, cb.method); });
  }

  protected markAnswered(): void {
    if (this.answeredAt !== null) return;
    this.answeredAt = this.clock;
    this.startTime = new Date();
    this.status = 'in-progress';
    // An inbound caller just hears the IVR start; for an outbound leg the pickup is the news.
    if (this.direction !== 'inbound') this.note('status', 'in-progress');
    this.statusEvent('answered');
  }

  /** The call is over: final status, the completed callback, then the 'ended' state. */
  protected async finish(status: CallStatus, quiet = false): Promise<void> {
    if (this.state === 'ended') return;
    this.cancelInput();
    this.status = status;
    this.endTime = new Date();
    this.dateUpdated = new Date();
    this.note('status', status);
    if (!quiet) this.statusEvent('completed');
    await this.callbacks;
    this.setState('ended');
    this.doneDeferred.resolve();
  }
}
