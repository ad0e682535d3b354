/**
 * How long a waiting caller will still wait, from where they stand: a small simulation of the
 * agents of their skill freeing up, not one figure for the whole queue.
 *
 *  - Each busy agent frees up after the time still left on their call: the mean, over recent
 *    handle times longer than what the call has lasted so far, of what remains (so a call that has
 *    run long is expected to end sooner, and an exponential world reduces to the plain mean).
 *    Handle time runs from the offer to the agent being free again: ringing, talk and wrap-up.
 *  - The caller is served at the (ahead + 1)-th time an agent frees up; an agent who takes a call
 *    ahead of them is busy again for one mean handle time.
 *  - Callers of higher tiers who arrive while they wait, within their head start's reach, go
 *    ahead of them: their expected number (rate x the part of the wait they can still overtake
 *    in) is added to the callers ahead, and the wait solved again until it settles.
 */
export interface WaitModelInput {
  /** Callers ahead in priority order who wait for the same agents. */
  ahead: number;
  /** Agents of the skill who are free now. */
  free: number;
  /** Seconds each busy agent of the skill has spent on their current call so far. */
  busyElapsed: number[];
  /** Recent handle times (seconds, offer to free); the default stands in when there are none. */
  handleSamples: number[];
  defaultHandleSeconds: number;
  /** Callers who would overtake: arrivals per second, and for how many more seconds they can. */
  overtakers: { rate: number; windowSeconds: number }[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Seconds still left on a call that has lasted `elapsed`, judged from handle times seen. */
export function residualSeconds(elapsed: number, samples: number[], fallback: number): number {
  // Nothing seen yet: the default handle time, less what the call has lasted.
  if (samples.length === 0) return Math.max(fallback - elapsed, fallback * 0.1);
  const longer = samples.filter((s) => s > elapsed);
  if (longer.length > 0) return mean(longer.map((s) => s - elapsed));
  // Longer than anything seen: it is about to end (a tenth of a handle time), not infinitely far.
  return Math.max(1, mean(samples) * 0.1);
}

/** When the caller would be served if `ahead` callers go first (seconds from now). */
function servedAt(ahead: number, freeAt: number[], handle: number): number {
  const times = [...freeAt].sort((a, b) => a - b);
  for (let k = 0; k < ahead; k++) {
    // The earliest agent takes the next caller ahead and is busy again for a handle time.
    const t = times.shift()!;
    const back = t + handle;
    let i = times.findIndex((x) => x > back);
    if (i < 0) i = times.length;
    times.splice(i, 0, back);
  }
  return times[0]!;
}

/** The expected wait in seconds (0 with an agent free for them), or null when nobody of the skill works. */
export function estimateWait(i: WaitModelInput): number | null {
  const staffed = i.free + i.busyElapsed.length;
  if (staffed === 0) return null;
  const handle = i.handleSamples.length > 0 ? mean(i.handleSamples) : i.defaultHandleSeconds;
  const freeAt = [...Array<number>(i.free).fill(0), ...i.busyElapsed.map((e) => residualSeconds(e, i.handleSamples, i.defaultHandleSeconds))];
  // A fractional number ahead (expected overtakers) is served between its two neighbours.
  const at = (ahead: number) => {
    const lo = Math.floor(ahead);
    const frac = ahead - lo;
    const a = servedAt(lo, freeAt, handle);
    return frac === 0 ? a : a + frac * (servedAt(lo + 1, freeAt, handle) - a);
  };
  let wait = at(i.ahead);
  for (let round = 0; round < 8; round++) {
    const extra = i.overtakers.reduce((n, o) => n + o.rate * Math.max(0, Math.min(wait, o.windowSeconds)), 0);
    const next = at(i.ahead + extra);
    if (Math.abs(next - wait) < 0.5) return next;
    wait = next;
  }
  return wait;
}
