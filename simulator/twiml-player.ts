import { Bridge, ensureConference, ensureQueue, type OutboundOptions, peerBehaviour, queueByName, type Step } from './context.js';
import type { SimConference, SimParticipant, SimQueue } from './resources.js';
import { waitSeconds } from './resources.js';
import { CallBase, type Input, Interrupted } from './sim-call.js';
import { parseTwiml, type TwimlNode } from './twiml.js';
import type { NumberConfig } from './types.js';
import { deferred, isSecretUrl, newSid, resolveUrl, rfc2822, sleep } from './util.js';

/** A webhook that failed or answered something that is not TwiML: Twilio's "application error". */
class ApplicationError extends Error {}

type Next = Step | 'next';
type RingOutcome = 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled';
type WaitOutcome = { kind: 'done' | 'leave' | 'hangup' } | { kind: 'redirect'; url: string; method: string };
interface DialOutcome { status: string; sid?: string; duration: number }

// Simulated durations of things that have no length in TwiML.
const RING_SECONDS = 2;
const PLAY_SECONDS = 5;
const RECORD_SECONDS = 5;
const DEFAULT_HOLD_SECONDS = 10;
/** How long an answered <Dial> target stays on the line unless someone hangs up first. */
const FAR_END_TALK_SECONDS = 30;
/** A late answer's ring, in wall-clock time whatever the timeScale: long enough for a test to change the world meanwhile. */
const LATE_ANSWER_MS = 3000;
/** Each wait-music round takes at least this much wall-clock time, so a tiny timeScale cannot spin. */
const QUEUE_ROUND_FLOOR_MS = 10;
const APPLICATION_ERROR = 'We are sorry, an application error has occurred. Goodbye.';

/** Seconds a <Say> takes: Mandarin at about four characters a second, other languages by the word. */
function sayingSeconds(text: string): number {
  const cjk = (text.match(/[\u3400-\u9fff]/g) ?? []).length;
  const words = text.replace(/[\u3400-\u9fff]/g, ' ').split(/\s+/).filter(Boolean).length;
  return Math.max(0.5, cjk / 4 + words / 2.5);
}

/** input="dtmf speech" (or "speech"): the Gather hears words. */
const listensForSpeech = (verb: TwimlNode) => (verb.attrs.input ?? 'dtmf').split(/\s+/).includes('speech');

/**
 * Applies Twilio's Gather rules to what the caller keyed: finishOnKey ends input (and is not a
 * digit), numDigits caps it. `rest`: keys pressed after the gather had ended, which reach whatever
 * listens next (the next Gather), or nothing if a verb outside a Gather plays first.
 */
export function collectDigits(pressed: string, numDigits: number | undefined, finishOnKey: string): { digits: string; finishedOnKey: string; rest: string } {
  let digits = '';
  for (let i = 0; i < pressed.length; i++) {
    const key = pressed[i]!;
    if (finishOnKey && finishOnKey.includes(key)) return { digits, finishedOnKey: key, rest: pressed.slice(i + 1) };
    digits += key;
    if (numDigits && digits.length >= numDigits) return { digits, finishedOnKey: '', rest: pressed.slice(i + 1) };
  }
  return { digits, finishedOnKey: '', rest: '' };
}

/** A call whose behaviour is TwiML fetched from webhooks: the heart of the simulator. */
export class CallPlayer extends CallBase {
  private readonly ring = deferred<RingOutcome>();
  /** How a ringing outbound leg ended up: what a <Dial> waits for. */
  readonly ringOutcome = this.ring.promise;
  private readonly bridgeReady = deferred<Bridge>();
  private quiet = false;

  // ---- starting --------------------------------------------------------------------------------

  startInbound(cfg: NumberConfig): void {
    if (cfg.statusCallback) this.statusCallback = { url: cfg.statusCallback, method: 'POST', events: cfg.statusCallbackEvents ?? ['completed'] };
    this.statusEvent('initiated');
    this.statusEvent('ringing');
    void this.run({ kind: 'fetch', url: cfg.voiceUrl, method: 'POST' });
  }

  startOutbound(o: OutboundOptions): void {
    this.parentCallSid = o.parentCallSid ?? null;
    this.statusCallback = o.statusCallback;
    void this.runOutbound(o);
  }

  /** A <Dial> connected this (far-end) leg to the caller. */
  attachBridge(bridge: Bridge): void { this.bridgeReady.resolve(bridge); }

  private async runOutbound(o: OutboundOptions): Promise<void> {
    // Let the REST response that created this call go out first, as 'queued', as Twilio's does.
    await sleep(0);
    let answered: boolean;
    try {
      answered = await this.ringFarEnd(o);
    } catch {
      const i = this.takeInterrupt();
      this.ring.resolve('canceled');
      await this.finish(i?.kind === 'end' ? i.status : 'canceled', i?.kind === 'shutdown');
      return;
    }
    if (!answered) return;
    if (o.amdBeforeJoin && !this.ctx.closed) {
      const verdict = peerBehaviour(this.ctx, this.to, o.defaultPeer) === 'machine' ? 'machine_start' : 'human';
      this.answeredBy = verdict;
      await this.pass(3);
      await this.post(o.amdBeforeJoin.url, { AccountSid: this.accountSid, CallSid: this.sid, AnsweredBy: verdict, MachineDetectionDuration: '3000' }, o.amdBeforeJoin.method);
      if (this.hasInterrupt()) {
        const i = this.takeInterrupt();
        await this.finish(i?.kind === 'end' ? i.status : 'completed', i?.kind === 'shutdown');
        return;
      }
    }
    if (o.first) await this.run(o.first);
    else await this.farEnd();
  }

  private async ringFarEnd(o: OutboundOptions): Promise<boolean> {
    this.status = 'initiated';
    this.statusEvent('initiated');
    this.status = 'ringing';
    this.setState('ringing');
    this.note('status', `ringing ${this.to}`);
    this.statusEvent('ringing');
    const behaviour = peerBehaviour(this.ctx, this.to, o.defaultPeer);
    const fail = async (status: 'busy' | 'no-answer' | 'failed', seconds: number) => {
      if (seconds > 0) await this.pass(seconds);
      this.ring.resolve(status);
      await this.finish(status);
      return false;
    };
    if (behaviour === 'fail') return fail('failed', 0);
    if (behaviour === 'busy') return fail('busy', 1);
    if (behaviour === 'no-answer') return fail('no-answer', o.timeoutSeconds ?? 60);
    await this.pass(RING_SECONDS);
    if (behaviour === 'answer-late') await this.wait(sleep(LATE_ANSWER_MS));
    let answeredBy: string | null = null;
    if (o.machineDetection) {
      answeredBy = behaviour === 'answer' || behaviour === 'answer-late' ? 'human' : o.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start';
    }
    // With asyncAmd the TwiML is fetched at once and the verdict arrives on its own callback.
    if (answeredBy && !o.asyncAmd) this.answeredBy = answeredBy;
    this.markAnswered();
    this.setState('running');
    this.ring.resolve('answered');
    if (answeredBy && o.asyncAmd) {
      const amd = o.asyncAmd;
      const verdict = answeredBy;
      void sleep(Math.max(1, 3000 * this.ctx.timeScale)).then(async () => {
        this.answeredBy = verdict;
        if (amd.url && !this.ctx.closed) {
          await this.post(amd.url, { AccountSid: this.accountSid, CallSid: this.sid, AnsweredBy: verdict, MachineDetectionDuration: '3000' }, amd.method);
        }
      });
    }
    return true;
  }

  /** A dialled number or client: it just stays on the line until either side hangs up. */
  private async farEnd(): Promise<void> {
    let bridge: Bridge | undefined;
    try {
      bridge = await this.wait(this.bridgeReady.promise);
      this.setState('bridged');
      await this.wait(Promise.race([bridge.ended, sleep(FAR_END_TALK_SECONDS * 1000 * this.ctx.timeScale)]));
      this.advance(FAR_END_TALK_SECONDS * 1000);
      bridge.end(this.sid);
      await this.finish('completed');
    } catch {
      bridge?.end(this.sid);
      const i = this.takeInterrupt();
      await this.finish(i?.kind === 'end' ? i.status : 'completed', i?.kind === 'shutdown');
    }
  }

  // ---- the main loop ---------------------------------------------------------------------------

  protected async run(first: Step): Promise<void> {
    let step: Step = first;
    while (step.kind !== 'end') {
      try {
        step = await this.advanceStep(step);
      } catch (err) {
        step = this.recover(err);
      }
    }
    await this.finish(step.status, this.quiet);
  }

  private recover(err: unknown): Step {
    this.cancelInput();
    if (err instanceof Interrupted) {
      const i = this.takeInterrupt();
      switch (i?.kind) {
        case 'redirect':
          this.note('status', 'redirected');
          this.setState('running');
          return i.to;
        case 'hangup':
          this.note('hangup', 'caller hung up');
          return { kind: 'end', status: this.answeredAt === null ? 'canceled' : 'completed' };
        case 'end':
          this.note('hangup', `call ended via REST (${i.status})`);
          return { kind: 'end', status: i.status };
        case 'bridge':
          // Only a queued caller can be bridged, and Enqueue handles that; anywhere else refuse it.
          i.bridge.end(this.sid);
          return { kind: 'end', status: 'completed' };
        default:
          this.quiet = true;
          return { kind: 'end', status: 'completed' };
      }
    }
    // Twilio answers to play the error message, so the call ends as completed.
    if (this.answeredAt === null) this.markAnswered();
    this.note('error', `${APPLICATION_ERROR} (${(err as Error).message})`);
    if (!(err instanceof ApplicationError)) this.ctx.log(`${this.sid} simulator fault: ${(err as Error).stack ?? String(err)}`);
    return { kind: 'end', status: 'completed' };
  }

  private async advanceStep(step: Exclude<Step, { kind: 'end' }>): Promise<Step> {
    const { verbs, baseUrl } = step.kind === 'fetch' ? await this.fetchDocument(step.url, step.method, step.extra) : { verbs: this.parse(step.xml, 'REST Twiml'), baseUrl: step.baseUrl };
    for (const verb of verbs) {
      if (this.answeredAt === null && verb.name !== 'Reject') {
        this.markAnswered();
        this.setState('running');
      }
      const next = await this.execute(verb, baseUrl);
      if (next !== 'next') return next;
    }
    // Like Twilio: a document that runs out of verbs ends the call.
    return { kind: 'end', status: 'completed' };
  }

  private parse(xml: string, source: string): TwimlNode[] {
    try {
      return parseTwiml(xml);
    } catch (err) {
      throw new ApplicationError(`${(err as Error).message} from ${source}`);
    }
  }

  private async fetchDocument(url: string, method: string, extra: Record<string, string> = {}): Promise<{ verbs: TwimlNode[]; baseUrl: string }> {
    const res = await this.wait(this.post(url, { ...this.callParams(), ...extra }, method));
    if (res.status < 200 || res.status >= 300) {
      throw new ApplicationError(res.status === 0 ? `no response from ${url}: ${res.error ?? ''}` : `HTTP ${res.status} from ${url}`);
    }
    return { verbs: this.parse(res.body, url), baseUrl: url };
  }

  private async execute(verb: TwimlNode, baseUrl: string | undefined): Promise<Next> {
    // Keys pressed past the end of the last gather: a verb outside a Gather drops them, as Twilio does.
    if (verb.name !== 'Gather' && this.typeahead) {
      this.note('press', `${this.typeahead} (ignored: nothing was listening)`);
      this.typeahead = '';
    }
    switch (verb.name) {
      case 'Say': case 'Play': case 'Pause':
        await this.voice(verb);
        return 'next';
      case 'Gather': return this.gather(verb, baseUrl);
      case 'Redirect':
        return { kind: 'fetch', url: resolveUrl(verb.text, baseUrl), method: verb.attrs.method ?? 'POST' };
      case 'Hangup':
        this.note('hangup', 'IVR hung up');
        return { kind: 'end', status: 'completed' };
      case 'Reject': {
        this.note('reject', `rejected (${verb.attrs.reason ?? 'rejected'})`);
        return { kind: 'end', status: this.answeredAt === null ? 'busy' : 'completed' };
      }
      case 'Enqueue': return this.enqueue(verb, baseUrl);
      case 'Dial': return this.dial(verb, baseUrl);
      case 'Record': return this.record(verb, baseUrl);
      case 'Leave':
        return 'next';
      default:
        this.ctx.log(`${this.sid} <${verb.name}> is not simulated; skipped`);
        return 'next';
    }
  }

  /** Say, Play and Pause: what the caller hears, on their own or inside a Gather. */
  private async voice(verb: TwimlNode): Promise<void> {
    const loops = Math.max(1, Number(verb.attrs.loop ?? 1) || 1);
    for (let n = 0; n < loops; n++) {
      if (verb.name === 'Say') {
        this.note('say', verb.text, verb.attrs.language ?? 'en-US');
        this.advance(sayingSeconds(verb.text) * 1000);
      } else if (verb.name === 'Play') {
        this.note('play', verb.text || `digits ${verb.attrs.digits ?? ''}`);
        this.advance(PLAY_SECONDS * 1000);
      } else if (verb.name === 'Pause') {
        const length = Number(verb.attrs.length ?? 1);
        this.note('pause', `${length}s`);
        await this.pass(length);
      }
    }
  }

  // ---- Gather and Record -----------------------------------------------------------------------

  private gatherRules(verb: TwimlNode) {
    const numDigits = verb.attrs.numDigits ? Number(verb.attrs.numDigits) : undefined;
    return { numDigits, finishOnKey: verb.attrs.finishOnKey ?? '#', timeout: Number(verb.attrs.timeout ?? 5) };
  }

  private describeGather(verb: TwimlNode): string {
    const { numDigits, finishOnKey, timeout } = this.gatherRules(verb);
    return [`input=${verb.attrs.input ?? 'dtmf'}`, numDigits ? `numDigits=${numDigits}` : '', finishOnKey ? `finishOnKey=${finishOnKey}` : '', `timeout=${timeout}s`].filter(Boolean).join(' ');
  }

  /** The Gather's result as action parameters, or null when nothing usable was keyed. */
  private gatherResult(verb: TwimlNode, input: Input): Record<string, string> | null {
    if (input.kind === 'silence') return null;
    // Twilio's speech result: the words and a confidence, only when the Gather listened for speech.
    if (input.kind === 'speech') return listensForSpeech(verb) ? { SpeechResult: input.words, Confidence: input.confidence.toFixed(8) } : null;
    const { numDigits, finishOnKey } = this.gatherRules(verb);
    const { digits, finishedOnKey, rest } = collectDigits(input.digits, numDigits, finishOnKey);
    this.typeahead = rest;
    if (!digits && !finishedOnKey) return null;
    return { Digits: digits, FinishedOnKey: finishedOnKey };
  }

  private async gather(verb: TwimlNode, baseUrl: string | undefined): Promise<Next> {
    // Keys already pressed cut the prompts short (barge-in): the caller hears none of them.
    const early = this.typeahead;
    this.typeahead = '';
    if (early) {
      this.note('gather', `${this.describeGather(verb)} (prompts cut short by keys already pressed: ${early})`);
      const { numDigits, finishOnKey } = this.gatherRules(verb);
      const complete = collectDigits(early, numDigits, finishOnKey);
      if (complete.finishedOnKey || (numDigits && complete.digits.length >= numDigits)) {
        this.setState('running');
        const input = { kind: 'digits' as const, digits: early };
        return this.afterGather(verb, baseUrl, input, this.gatherResult(verb, input));
      }
    } else {
      for (const child of verb.children) await this.voice(child);
      this.note('gather', this.describeGather(verb));
    }
    this.setState('gathering');
    const pressed = await this.wait(this.awaitInput('gather'));
    this.setState('running');
    // Keys already pressed come first; silence after them ends the gather with what was keyed.
    const input: Input = early && pressed.kind !== 'speech' ? { kind: 'digits', digits: early + (pressed.kind === 'digits' ? pressed.digits : '') } : pressed;
    return this.afterGather(verb, baseUrl, input, this.gatherResult(verb, input));
  }

  private afterGather(verb: TwimlNode, baseUrl: string | undefined, input: Input, result: Record<string, string> | null): Next {
    const { timeout } = this.gatherRules(verb);
    const action = resolveUrl(verb.attrs.action ?? baseUrl ?? '', baseUrl);
    const method = verb.attrs.method ?? 'POST';
    if (input.kind === 'digits') this.note('press', isSecretUrl(action) ? '*'.repeat(input.digits.length) : input.digits);
    if (input.kind === 'speech') this.note('speech', listensForSpeech(verb) ? input.words : `${input.words} (not heard: the Gather takes keys only)`);
    if (result) return { kind: 'fetch', url: action, method, extra: result };
    if (input.kind === 'silence' || input.kind === 'speech') {
      this.note('silence', `no input for ${timeout}s`);
      this.advance(timeout * 1000);
    }
    return verb.attrs.actionOnEmptyResult === 'true' ? { kind: 'fetch', url: action, method } : 'next';
  }

  private async record(verb: TwimlNode, baseUrl: string | undefined): Promise<Next> {
    const action = resolveUrl(verb.attrs.action ?? baseUrl ?? '', baseUrl);
    const finishOnKey = verb.attrs.finishOnKey ?? '1234567890*#';
    this.note('record', `recording (maxLength=${verb.attrs.maxLength ?? 3600}s)`);
    this.setState('gathering');
    const input = await this.wait(this.awaitInput('record'));
    this.setState('running');
    const duration = Math.min(RECORD_SECONDS, Number(verb.attrs.maxLength ?? 3600));
    this.advance(duration * 1000);
    const sid = newSid('RE');
    const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/${this.accountSid}/Recordings/${sid}`;
    const key = input.kind === 'digits' ? [...input.digits].find((k) => finishOnKey.includes(k)) : undefined;
    this.note('record', `recorded ${duration}s as ${sid}${key ? `, finished with ${key}` : ''}`);
    if (verb.attrs.recordingStatusCallback) {
      const params = {
        AccountSid: this.accountSid, CallSid: this.sid, RecordingSid: sid, RecordingUrl: recordingUrl, RecordingStatus: 'completed',
        RecordingDuration: String(duration), RecordingChannels: '1', RecordingSource: 'RecordVerb', RecordingStartTime: rfc2822(new Date()),
      };
      void this.post(resolveUrl(verb.attrs.recordingStatusCallback, baseUrl), params, verb.attrs.recordingStatusCallbackMethod ?? 'POST');
    }
    return {
      kind: 'fetch', url: action, method: verb.attrs.method ?? 'POST',
      extra: { RecordingUrl: recordingUrl, RecordingSid: sid, RecordingDuration: String(duration), ...(key ? { Digits: key } : {}) },
    };
  }

  // ---- Enqueue ---------------------------------------------------------------------------------

  private async enqueue(verb: TwimlNode, baseUrl: string | undefined): Promise<Next> {
    const name = verb.text;
    const action = verb.attrs.action ? resolveUrl(verb.attrs.action, baseUrl) : undefined;
    const method = verb.attrs.method ?? 'POST';
    const q = ensureQueue(this.ctx, name);
    const exit = (result: string, queueTime: number) => ({ QueueResult: result, QueueSid: q.sid, QueueTime: String(queueTime) });
    if (q.members.length >= q.maxSize) {
      this.note('enqueued', `queue "${name}" is full`);
      return action ? { kind: 'fetch', url: action, method, extra: exit('queue-full', 0) } : 'next';
    }
    const entry = q.add(this);
    this.note('enqueued', `"${name}" (position ${q.position(this.sid)})`);
    this.setState('queued');
    let result: string;
    let bridge: Bridge | undefined;
    try {
      result = await this.waitInQueue(q, verb, baseUrl);
    } catch (err) {
      const i = err instanceof Interrupted ? this.peekInterrupt() : undefined;
      if (i?.kind === 'bridge') {
        this.takeInterrupt();
        bridge = i.bridge;
        result = 'bridged';
      } else {
        const waited = q.remove(this.sid) ?? waitSeconds(entry);
        const why = i?.kind === 'redirect' ? 'redirected' : i ? 'hangup' : 'error';
        this.note('dequeued', `left "${name}" (${why})`);
        // The action hears about it, but its TwiML is not played: the call is gone or sent elsewhere.
        if (action && i?.kind !== 'shutdown') await this.post(action, { ...this.callParams(), ...exit(why, waited) }, method);
        throw err;
      }
    }
    // A <Dial><Queue> or REST dequeue has already taken the caller out; otherwise leave now.
    const waited = q.remove(this.sid) ?? waitSeconds(entry);
    if (bridge) {
      this.note('dequeued', `bridged to ${bridge.dialer.sid} from "${name}" after ${waited}s`);
      this.setState('bridged');
      const started = Date.now();
      try {
        await this.wait(bridge.ended);
      } catch (err) {
        bridge.end(this.sid);
        if (action && this.peekInterrupt()?.kind !== 'shutdown') await this.post(action, { ...this.callParams(), ...exit('bridged', waited) }, method);
        throw err;
      }
      this.connectedFor(started);
    } else {
      this.note('dequeued', `left "${name}" (${result}) after ${waited}s`);
    }
    this.setState('running');
    return action ? { kind: 'fetch', url: action, method, extra: exit(result, waited) } : 'next';
  }

  private queueParams(q: SimQueue): Record<string, string> {
    const entry = q.members.find((e) => e.member.sid === this.sid);
    return {
      QueueSid: q.sid,
      QueuePosition: String(q.position(this.sid)),
      QueueTime: String(entry ? waitSeconds(entry) : 0),
      AvgQueueTime: String(q.averageWait()),
      CurrentQueueSize: String(q.members.length),
      MaxQueueSize: String(q.maxSize),
    };
  }

  /** The waitUrl loop: fetch, play, fetch again, until <Leave/> (or an interrupt: hangup, bridge, redirect). */
  private async waitInQueue(q: SimQueue, verb: TwimlNode, baseUrl: string | undefined): Promise<string> {
    const waitUrl = verb.attrs.waitUrl ? resolveUrl(verb.attrs.waitUrl, baseUrl) : undefined;
    const waitMethod = verb.attrs.waitUrlMethod ?? 'POST';
    let next = waitUrl ? { url: waitUrl, method: waitMethod } : undefined;
    for (;;) {
      const started = Date.now();
      if (!next) {
        // No waitUrl: Twilio's own hold music.
        await this.pass(DEFAULT_HOLD_SECONDS, QUEUE_ROUND_FLOOR_MS);
        this.queueRounds++;
        continue;
      }
      const params = { ...this.callParams(), ...this.queueParams(q) };
      this.note('queue-wait', `position ${params.QueuePosition} of ${params.CurrentQueueSize}, waited ${params.QueueTime}s`);
      const res = await this.wait(this.post(next.url, params, next.method));
      let verbs: TwimlNode[];
      try {
        if (res.status < 200 || res.status >= 300) throw new ApplicationError(`HTTP ${res.status} from ${next.url}`);
        verbs = this.parse(res.body, next.url);
      } catch (err) {
        this.note('error', `waitUrl failed: ${(err as Error).message}`);
        return 'error';
      }
      const outcome = await this.playWaitDocument(verbs, next.url);
      this.queueRounds++;
      if (outcome.kind === 'leave') return 'leave';
      if (outcome.kind === 'hangup') {
        this.note('hangup', 'IVR hung up (wait music)');
        this.interrupt({ kind: 'end', status: 'completed' });
        throw new Interrupted();
      }
      next = outcome.kind === 'redirect' ? { url: outcome.url, method: outcome.method } : waitUrl ? { url: waitUrl, method: waitMethod } : undefined;
      const elapsed = Date.now() - started;
      if (elapsed < QUEUE_ROUND_FLOOR_MS) await this.wait(sleep(QUEUE_ROUND_FLOOR_MS - elapsed));
    }
  }

  /** Plays a waitUrl document. Its Gathers time out on their own: nobody drives a waiting caller's silence. */
  private async playWaitDocument(verbs: TwimlNode[], docUrl: string): Promise<WaitOutcome> {
    for (const verb of verbs) {
      switch (verb.name) {
        case 'Say': case 'Play': case 'Pause':
          // Outside a Gather nothing listens: keys pressed meanwhile are lost (hold music takes real time here).
          this.deaf = true;
          try {
            await this.voice(verb);
            if (verb.name === 'Play') await this.wait(sleep(Math.max(1, PLAY_SECONDS * 1000 * this.ctx.timeScale)));
          } finally {
            this.deaf = false;
          }
          break;
        case 'Gather': {
          for (const child of verb.children) {
            if (this.keyBuffer) break; // a key pressed during the prompt or music ends them at once
            await this.voice(child);
            if (child.name === 'Play') await this.waitForKey(PLAY_SECONDS);
          }
          const { timeout } = this.gatherRules(verb);
          let input: Input;
          if (this.keyBuffer) {
            input = { kind: 'digits', digits: this.keyBuffer };
            this.keyBuffer = '';
          } else {
            const timedOut = sleep(Math.max(1, timeout * 1000 * this.ctx.timeScale)).then((): Input => ({ kind: 'silence' }));
            input = await this.wait(Promise.race([this.awaitInput('wait'), timedOut]));
            this.cancelInput();
          }
          const result = this.gatherResult(verb, input);
          if (input.kind === 'digits') this.note('press', input.digits);
          else this.advance(timeout * 1000);
          if (!result && verb.attrs.actionOnEmptyResult !== 'true') break;
          const action = resolveUrl(verb.attrs.action ?? docUrl, docUrl);
          const res = await this.wait(this.post(action, { ...this.callParams(), ...(result ?? {}) }, verb.attrs.method ?? 'POST'));
          if (res.status < 200 || res.status >= 300) return { kind: 'done' };
          let reply: TwimlNode[];
          try {
            reply = parseTwiml(res.body);
          } catch {
            return { kind: 'done' };
          }
          return this.playWaitDocument(reply, action);
        }
        case 'Redirect':
          return { kind: 'redirect', url: resolveUrl(verb.text, docUrl), method: verb.attrs.method ?? 'POST' };
        case 'Leave':
          return { kind: 'leave' };
        case 'Hangup':
          return { kind: 'hangup' };
        default:
          this.ctx.log(`${this.sid} <${verb.name}> is not allowed in wait music; skipped`);
      }
    }
    return { kind: 'done' };
  }

  // ---- Dial ------------------------------------------------------------------------------------

  private async dial(verb: TwimlNode, baseUrl: string | undefined): Promise<Next> {
    const noun = verb.children[0] ?? (verb.text ? { name: 'Number', text: verb.text, attrs: {}, children: [] } : undefined);
    if (!noun) return 'next';
    this.setState('dialing');
    let outcome: DialOutcome;
    if (noun.name === 'Queue') outcome = await this.dialQueue(noun);
    else if (noun.name === 'Conference') outcome = await this.joinConference(noun, baseUrl);
    else outcome = await this.dialPeer(noun, verb);
    this.setState('running');
    if (!verb.attrs.action) return 'next';
    const extra: Record<string, string> = { DialCallStatus: outcome.status, DialCallDuration: String(outcome.duration) };
    if (outcome.sid) extra.DialCallSid = outcome.sid;
    return { kind: 'fetch', url: resolveUrl(verb.attrs.action, baseUrl), method: verb.attrs.method ?? 'POST', extra };
  }

  /** Seconds of simulated time for a stretch of wall-clock time spent connected. */
  private connectedFor(startedMs: number): number {
    const seconds = Math.round((Date.now() - startedMs) / this.ctx.timeScale / 1000);
    this.advance(seconds * 1000);
    return seconds;
  }

  private async dialPeer(noun: TwimlNode, verb: TwimlNode): Promise<DialOutcome> {
    const target = noun.name === 'Client' ? `client:${noun.text}` : noun.text;
    this.note('dial', `dialing ${target}`);
    const leg = this.ctx.startOutbound({
      from: verb.attrs.callerId ?? this.from, to: target, direction: 'outbound-dial', parentCallSid: this.sid,
      timeoutSeconds: Number(verb.attrs.timeout ?? 30), defaultPeer: 'no-answer',
    }) as CallPlayer;
    let ringing: RingOutcome;
    try {
      ringing = await this.wait(leg.ringOutcome);
    } catch (err) {
      leg.interrupt({ kind: 'end', status: 'canceled' });
      throw err;
    }
    if (ringing !== 'answered') {
      this.note('dial', `${target}: ${ringing}`);
      return { status: ringing, sid: leg.sid, duration: 0 };
    }
    const bridge = new Bridge(this, leg);
    leg.attachBridge(bridge);
    this.note('dial', `connected to ${target} (${leg.sid})`);
    const duration = await this.stayBridged(bridge);
    this.note('dial', `${target} hung up after ${duration}s`);
    return { status: 'completed', sid: leg.sid, duration };
  }

  /** An agent taking the first caller from a queue: both legs are bridged until one hangs up. */
  private async dialQueue(noun: TwimlNode): Promise<DialOutcome> {
    const q = queueByName(this.ctx, noun.text);
    this.note('dial', `dialing queue "${noun.text}"`);
    const entry = q?.members[0];
    const caller = entry ? this.ctx.calls.get(entry.member.sid) : undefined;
    if (!q || !entry || !caller) {
      this.note('dial', `queue "${noun.text}" is empty`);
      return { status: 'no-answer', duration: 0 };
    }
    // Out of the queue now, before anything awaits, so two agents can never take the same caller.
    q.remove(caller.sid);
    const bridge = new Bridge(this, caller);
    caller.interrupt({ kind: 'bridge', bridge });
    this.note('dial', `bridged to ${caller.sid} from queue "${noun.text}"`);
    return { status: 'completed', sid: caller.sid, duration: await this.stayBridged(bridge) };
  }

  /** Holds this leg in the bridge until either side hangs up; returns the seconds connected. */
  private async stayBridged(bridge: Bridge): Promise<number> {
    this.setState('bridged');
    const started = Date.now();
    try {
      await this.wait(bridge.ended);
    } catch (err) {
      bridge.end(this.sid);
      throw err;
    }
    return this.connectedFor(started);
  }

  // ---- Conference ------------------------------------------------------------------------------

  private async joinConference(noun: TwimlNode, baseUrl: string | undefined): Promise<DialOutcome> {
    const conf = ensureConference(this.ctx, noun.text);
    const a = noun.attrs;
    const now = new Date();
    const p: SimParticipant = conf.participants.get(this.sid) ?? {
      callSid: this.sid, label: null, muted: a.muted === 'true', hold: false, coaching: Boolean(a.coach), callSidToCoach: a.coach ?? null,
      startConferenceOnEnter: a.startConferenceOnEnter !== 'false', endConferenceOnExit: a.endConferenceOnExit === 'true',
      status: 'connected', dateCreated: now, dateUpdated: now,
    };
    p.status = 'connected';
    p.dateUpdated = now;
    conf.participants.set(this.sid, p);
    if (a.statusCallback && !conf.statusCallback) {
      const events = a.statusCallbackEvent ? a.statusCallbackEvent.split(/[\s,]+/).filter(Boolean) : ['start', 'end', 'join', 'leave'];
      conf.statusCallback = { url: resolveUrl(a.statusCallback, baseUrl), method: a.statusCallbackMethod ?? 'POST', events };
    }
    const left = deferred<string>();
    p.remove = (reason) => left.resolve(reason);
    this.note('dial', `joined conference "${conf.friendlyName}" (${conf.sid})${p.muted ? ' muted' : ''}${p.coaching ? ` coaching ${p.callSidToCoach ?? ''}` : ''}`);
    this.setState('conference');
    if (conf.status === 'init' && p.startConferenceOnEnter) {
      conf.status = 'in-progress';
      this.conferenceEvent(conf, 'conference-start');
    }
    this.conferenceEvent(conf, 'participant-join', p);
    const started = Date.now();
    let reason: string;
    try {
      reason = await this.wait(left.promise);
    } catch (err) {
      this.leaveConference(conf, p, 'hangup');
      throw err;
    }
    this.leaveConference(conf, p, reason);
    return { status: 'completed', duration: this.connectedFor(started) };
  }

  private leaveConference(conf: SimConference, p: SimParticipant, reason: string): void {
    if (!p.remove) return;
    p.remove = undefined;
    p.status = 'complete';
    p.dateUpdated = new Date();
    conf.participants.delete(p.callSid);
    conf.dateUpdated = new Date();
    this.note('dial', `left conference "${conf.friendlyName}" (${reason})`);
    this.conferenceEvent(conf, 'participant-leave', p);
    const endsIt = p.endConferenceOnExit || conf.participants.size === 0;
    if (!endsIt || conf.status === 'completed') return;
    conf.status = 'completed';
    conf.reasonEnded = reason === 'kicked'
      ? (p.endConferenceOnExit ? 'participant-with-end-conference-on-exit-kicked' : 'last-participant-kicked')
      : (p.endConferenceOnExit ? 'participant-with-end-conference-on-exit-left' : 'last-participant-left');
    conf.callSidEndingConference = p.callSid;
    for (const other of [...conf.participants.values()]) other.remove?.('conference ended');
    this.conferenceEvent(conf, 'conference-end');
  }

  private conferenceEvent(conf: SimConference, event: string, p?: SimParticipant): void {
    const cb = conf.statusCallback;
    const short = event.replace(/^(participant|conference)-/, '');
    if (!cb || !cb.events.includes(short) || this.ctx.closed) return;
    const params: Record<string, string> = {
      AccountSid: this.accountSid, ConferenceSid: conf.sid, FriendlyName: conf.friendlyName, StatusCallbackEvent: event,
      SequenceNumber: String(conf.sequence++), Timestamp: rfc2822(new Date()),
    };
    if (p) {
      Object.assign(params, {
        CallSid: p.callSid, Muted: String(p.muted), Hold: String(p.hold), Coaching: String(p.coaching),
        EndConferenceOnExit: String(p.endConferenceOnExit), StartConferenceOnEnter: String(p.startConferenceOnEnter),
      });
      if (p.callSidToCoach) params.CallSidToCoach = p.callSidToCoach;
    }
    if (event === 'conference-end') {
      if (conf.reasonEnded) params.ReasonConferenceEnded = conf.reasonEnded;
      if (conf.callSidEndingConference) params.CallSidEndingConference = conf.callSidEndingConference;
    }
    conf.callbacks = conf.callbacks.then(async () => { await this.post(cb.url, params, cb.method); });
  }
}

