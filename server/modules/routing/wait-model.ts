/**
 * How long a waiting caller will still wait, from where they stand: a small simulation of the
 * agents of their skill freeing up, not one figure for the whole queue.
 *
 *  - Each busy agent frees up after the time still left on their call: the mean, over recent
 *    handle times longer than what the call has lasted so far, of what remains (so a call that has
 *    run long is expected to end sooner, and an exponential world reduces to the plain mean).
 *    Handle time runs from the offer to the agent being free again: ringing, talk and wrap-up.
 *  - The caller is served at the (ahead + 1)-th time an agent frees up; an agent who takes a call
 *    ahead of them is busy again for one mean handle time. What the caller waits for is to be
 *    answered, which comes a little after their agent frees up: the offer, the agent accepting and
 *    the agent's leg joining (the mean of that part of recent calls is added to any wait).
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
  /** Recent calls' offer-to-answer seconds: the part of a wait after an agent has come free for the caller. */
  answerSamples?: number[];
  /** Callers who would overtake: arrivals per second, and for how many more seconds they can. */
  overtakers: { rate: number; windowSeconds: number }[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Calls come in at least this long before their rate is read from them (one caller a second ago is not 3,600 an hour). */
const MIN_ARRIVAL_SPAN_SECONDS = 60;

/**
 * Arrivals per second from `count` callers within the last `windowSeconds`, the first of them
 * `firstAgoSeconds` ago. Over the span they have been coming in, not the whole window: after a
 * quiet spell (the hotline just opened, or a lull) the window is mostly empty and would put the
 * rate far too low.
 */
export function arrivalRate(count: number, firstAgoSeconds: number, windowSeconds: number): number {
  if (count === 0) return 0;
  return count / Math.min(windowSeconds, Math.max(MIN_ARRIVAL_SPAN_SECONDS, firstAgoSeconds));
}

/** Seconds still left on a call that has lasted `elapsed`, judged from handle times seen. */
export function residualSeconds(elapsed: number, samples: number[], fallback: number): number {
  return residuals(samples, fallback)(elapsed);
}

/**
 * residualSeconds for many calls against the same handle times: sorted once, with sums of the
 * longest ones, so each call costs a binary search (a floor of thousands of busy agents).
 */
function residuals(samples: number[], fallback: number): (elapsed: number) => number {
  // Nothing seen yet: the default handle time, less what the call has lasted.
  if (samples.length === 0) return (elapsed) => Math.max(fallback - elapsed, fallback * 0.1);
  const sorted = [...samples].sort((a, b) => a - b);
  const tail = new Array<number>(sorted.length + 1).fill(0); // tail[k]: the sum of sorted[k..]
  for (let k = sorted.length - 1; k >= 0; k--) tail[k] = tail[k + 1]! + sorted[k]!;
  // Longer than anything seen: it is about to end (a tenth of a handle time), not infinitely far.
  const overdue = Math.max(1, (tail[0]! / sorted.length) * 0.1);
  return (elapsed) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! > elapsed) hi = mid;
      else lo = mid + 1;
    }
    const longer = sorted.length - lo;
    return longer > 0 ? tail[lo]! / longer - elapsed : overdue;
  };
}

/**
 * When the caller would be served if `ahead` callers go first (seconds from now): the (ahead + 1)-th
 * moment an agent frees up, when each agent frees at its time in `freeAt` and then every `handle`
 * seconds. Found by halving on the time (how many free-ups come by t is a sum over the agents), so
 * a long queue on a large floor costs the agents times a few dozen, not the agents times the queue.
 */
export function servedAt(ahead: number, freeAt: number[], handle: number): number {
  const times = [...freeAt].sort((a, b) => a - b);
  const cycle = Math.max(handle, 1e-3);
  const need = ahead + 1;
  const freeUps = (t: number) => {
    let n = 0;
    for (const f of times) {
      if (f > t) break;
      n += Math.floor((t - f) / cycle) + 1;
    }
    return n;
  };
  let lo = times[0]!;
  if (freeUps(lo) >= need) return lo;
  let hi = times[times.length - 1]! + Math.ceil(need / times.length) * cycle;
  while (hi - lo > 1e-6 * Math.max(1, hi)) {
    const mid = (lo + hi) / 2;
    if (freeUps(mid) >= need) hi = mid;
    else lo = mid;
  }
  // The moment itself: the last free-up at or before hi.
  let at = lo;
  for (const f of times) if (f <= hi) at = Math.max(at, f + Math.floor((hi - f) / cycle) * cycle);
  return at;
}

/** The expected wait in seconds (0 with an agent free for them), or null when nobody of the skill works. */
export function estimateWait(i: WaitModelInput): number | null {
  const staffed = i.free + i.busyElapsed.length;
  if (staffed === 0) return null;
  const handle = i.handleSamples.length > 0 ? mean(i.handleSamples) : i.defaultHandleSeconds;
  const answer = i.answerSamples && i.answerSamples.length > 0 ? mean(i.answerSamples) : 0;
  const freeAt = [...Array<number>(i.free).fill(0), ...i.busyElapsed.map(residuals(i.handleSamples, i.defaultHandleSeconds))];
  const memo = new Map<number, number>();
  const servedAfter = (k: number) => memo.get(k) ?? memo.set(k, servedAt(k, freeAt, handle)).get(k)!;
  // A fractional number ahead (expected overtakers) is served between its two neighbours.
  const at = (ahead: number) => {
    const lo = Math.floor(ahead);
    const frac = ahead - lo;
    const a = servedAfter(lo);
    const t = frac === 0 ? a : a + frac * (servedAfter(lo + 1) - a);
    // An agent free now: "in a moment"; otherwise their agent frees up, then the caller is answered.
    return t > 0 ? t + answer : 0;
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
