/** The two sides of an agent call's audio: the caller, and the agent's side (what the caller hears). */
export type Side = 'caller' | 'agent';

/** Shares of the call's audio time (0–1), and its silences: what QA reads off a call. */
export interface TalkSummary {
  seconds: number;
  caller_talk: number;
  agent_talk: number;
  /** Both speaking at once. */
  overtalk: number;
  /** Neither speaking. */
  silence: number;
  longest_silence_s: number;
  /** Silences that lasted past the dead-air threshold. */
  dead_air: number;
}

export type MeterEvent =
  | { kind: 'dead_air_started'; at_s: number; seconds: number }
  | { kind: 'dead_air_ended'; at_s: number; seconds: number };

export const FRAME_MS = 20;
/** Mean absolute level of a 16-bit frame above which it counts as speech: well over a phone line's hiss (about −40 dBFS). */
const SPEECH_LEVEL = 330;
/** A slot whose other side never arrives is settled once this many newer slots came: a stream may carry one track late or not at all. */
const SETTLE_AFTER = 10;

/** Whether a 20 ms frame of 16-bit samples holds speech (energy, not words: a phone-line voice detector). */
export function isSpeech(pcm: Int16Array): boolean {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += Math.abs(pcm[i]!);
  return pcm.length > 0 && sum / pcm.length > SPEECH_LEVEL;
}

const HEARD: Record<Side, number> = { caller: 4, agent: 8 };
const VOICED: Record<Side, number> = { caller: 1, agent: 2 };

/**
 * Talk, silence and over-talk of a two-sided call, from its audio frames in 20 ms slots keyed by
 * the stream's own timestamps (not the wall clock: frames come in bursts). Dead air is a silence
 * of both sides reaching `deadAirMs`: it is reported once when it starts and once when it ends.
 */
export class TalkMeter {
  private readonly slots = new Map<number, number>();
  private next = 0;
  private latest = -1;
  private readonly counts = { caller: 0, agent: 0, both: 0, none: 0 };
  private silentSlots = 0;
  private longestSilentSlots = 0;
  private inDeadAir = false;
  private deadAirs = 0;
  private readonly all: number;

  constructor(private readonly deadAirMs: number, sides: readonly Side[] = ['caller', 'agent']) {
    this.all = sides.reduce((m, s) => m | HEARD[s], 0);
  }

  /** One frame of one side at `ms` into the stream; returns what it settled (dead air starting or ending). */
  frame(side: Side, ms: number, speech: boolean): MeterEvent[] {
    const slot = Math.floor(ms / FRAME_MS);
    if (slot < this.next) return []; // too late: that moment was already counted
    this.slots.set(slot, (this.slots.get(slot) ?? 0) | HEARD[side] | (speech ? VOICED[side] : 0));
    if (slot > this.latest) this.latest = slot;
    const out: MeterEvent[] = [];
    while (this.next <= this.latest) {
      const bits = this.slots.get(this.next);
      const complete = bits !== undefined && (bits & this.all) === this.all;
      if (!complete && this.latest - this.next < SETTLE_AFTER) break;
      this.settle(bits ?? 0, out);
    }
    return out;
  }

  private settle(bits: number, out: MeterEvent[]): void {
    this.slots.delete(this.next);
    this.next++;
    const caller = (bits & 1) !== 0;
    const agent = (bits & 2) !== 0;
    if (caller && agent) this.counts.both++;
    else if (caller) this.counts.caller++;
    else if (agent) this.counts.agent++;
    else this.counts.none++;
    const at = (this.next * FRAME_MS) / 1000;
    if (!caller && !agent) {
      this.silentSlots++;
      this.longestSilentSlots = Math.max(this.longestSilentSlots, this.silentSlots);
      if (!this.inDeadAir && this.silentSlots * FRAME_MS >= this.deadAirMs) {
        this.inDeadAir = true;
        this.deadAirs++;
        out.push({ kind: 'dead_air_started', at_s: at, seconds: (this.silentSlots * FRAME_MS) / 1000 });
      }
      return;
    }
    if (this.inDeadAir) out.push({ kind: 'dead_air_ended', at_s: at, seconds: (this.silentSlots * FRAME_MS) / 1000 });
    this.inDeadAir = false;
    this.silentSlots = 0;
  }

  /** The figures so far, every frame received counted (the stream ended: nothing more will come). */
  finish(): { summary: TalkSummary; events: MeterEvent[] } {
    const events: MeterEvent[] = [];
    while (this.next <= this.latest) this.settle(this.slots.get(this.next) ?? 0, events);
    const c = this.counts;
    const total = c.caller + c.agent + c.both + c.none;
    const share = (n: number) => (total === 0 ? 0 : Math.round((n / total) * 1000) / 1000);
    return {
      events,
      summary: {
        seconds: (total * FRAME_MS) / 1000,
        caller_talk: share(c.caller + c.both), agent_talk: share(c.agent + c.both), overtalk: share(c.both), silence: share(c.none),
        longest_silence_s: (this.longestSilentSlots * FRAME_MS) / 1000, dead_air: this.deadAirs,
      },
    };
  }
}
