import type { Simulator, TranscriptEntry } from './types.js';
import { sleep } from './util.js';

export interface ScriptOptions {
  from: string;
  to: string;
  /** One entry per <Gather> the caller meets, in order (`speech:words` says the words instead of pressing keys); when none are left the caller hangs up. */
  presses: string[];
  /** How long to stay in a queue (wall-clock ms) before hanging up, unless dequeued first. */
  maxQueueWaitMs?: number;
  /** Give up (hang up) after this much wall-clock time in all. */
  maxCallMs?: number;
}

const POLL_MS = 5;
const FINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/**
 * The scripted caller behind `npm run call`: dials, answers each gather with the next press, sits in
 * a queue for one wait-music round (or maxQueueWaitMs), then hangs up unless an agent took the call.
 */
export async function runScript(sim: Simulator, opts: ScriptOptions): Promise<TranscriptEntry[]> {
  const call = sim.dial({ from: opts.from, to: opts.to });
  const presses = [...opts.presses];
  const deadline = Date.now() + (opts.maxCallMs ?? 120_000);
  const maxQueueWaitMs = opts.maxQueueWaitMs ?? 2_000;
  let queuedSince: number | null = null;
  let roundsAtQueue = 0;
  const rounds = () => (call as unknown as { queueRounds?: number }).queueRounds ?? 0;

  while (call.state !== 'ended') {
    if (Date.now() > deadline) {
      await call.hangup();
      break;
    }
    if (call.state === 'gathering') {
      const next = presses.shift();
      if (next === undefined) {
        await call.hangup();
        break;
      }
      if (next.startsWith('speech:')) await call.speak(next.slice('speech:'.length));
      else await call.press(next);
      continue;
    }
    if (call.state === 'queued') {
      if (queuedSince === null) {
        queuedSince = Date.now();
        roundsAtQueue = rounds();
      }
      const waitedARound = rounds() > roundsAtQueue;
      // Keys left over are pressed while waiting (e.g. 1 = call me back), after the first announcement.
      if (waitedARound && presses.length > 0) {
        await call.press(presses.shift() ?? '');
        roundsAtQueue = rounds();
      } else if ((waitedARound && opts.maxQueueWaitMs === undefined) || Date.now() - queuedSince > maxQueueWaitMs) {
        await call.hangup();
        break;
      }
    } else {
      queuedSince = null;
    }
    await sleep(POLL_MS);
  }
  await call.waitFor('ended', 10_000);
  return call.transcript;
}

function describe(e: TranscriptEntry): string {
  switch (e.kind) {
    case 'say': return `IVR says${e.language ? ` (${e.language})` : ''}: ${e.text}`;
    case 'play': return `IVR plays ${e.text}`;
    case 'pause': return `IVR pauses ${e.text}`;
    case 'gather': return `IVR waits for keys (${e.text})`;
    case 'press': return `caller presses ${e.text}`;
    case 'speech': return `caller says: ${e.text}`;
    case 'silence': return `caller presses nothing (${e.text})`;
    case 'enqueued': return `queued in ${e.text}`;
    case 'queue-wait': return `waiting in queue: ${e.text}`;
    case 'dequeued': return `out of the queue: ${e.text}`;
    case 'dial': return `dial: ${e.text}`;
    case 'record': return `record: ${e.text}`;
    case 'hangup': return e.text;
    case 'reject': return `IVR rejects the call: ${e.text}`;
    case 'error': return `application error: ${e.text}`;
    case 'status':
      if (FINAL.has(e.text)) return `call ended (${e.text})`;
      if (e.text === 'in-progress') return 'call answered';
      return e.text;
  }
}

/** Printable transcript lines: "  1.2s  caller presses 1". */
export function formatTranscript(entries: TranscriptEntry[]): string[] {
  return entries.map((e) => `${(e.at / 1000).toFixed(1).padStart(5)}s  ${describe(e)}`);
}
