/**
 * Erlang C: the probability that a caller has to wait, and the mean wait, for a queue with
 * `agents` servers, offered load `traffic` = arrival rate x handle time (in Erlangs). Computed
 * with the stable recurrence on Erlang B, so thousands of agents do not overflow a factorial.
 */
export function erlangC(agents: number, traffic: number): number {
  if (agents <= 0) return 1;
  if (traffic <= 0) return 0;
  if (traffic >= agents) return 1;
  let b = 1; // Erlang B with 0 servers
  for (let k = 1; k <= agents; k++) b = (traffic * b) / (k + traffic * b);
  return b / (1 - (traffic / agents) * (1 - b));
}

export interface QueueLoad {
  /** Calls arriving per second (observed over the recent window). */
  arrivalRate: number;
  /** Mean handle time in seconds (talk + hold + wrap-up). */
  handleSeconds: number;
  /** Agents staffed for the queue (logged in, not away). */
  agents: number;
}

/**
 * The mean wait a new caller can expect (seconds). With the queue overloaded (traffic at or
 * above the agents) the model has no steady state: the estimate then falls back to the work
 * already waiting, which is what the caller will actually sit through.
 */
export function expectedWait(load: QueueLoad, waitingNow: number): number {
  const traffic = load.arrivalRate * load.handleSeconds;
  if (load.agents <= 0) return Infinity;
  if (traffic >= load.agents) return ((waitingNow + 1) * load.handleSeconds) / load.agents;
  const modelled = (erlangC(load.agents, traffic) * load.handleSeconds) / (load.agents - traffic);
  // Callers already waiting are ahead regardless of the steady-state average.
  return Math.max(modelled, (waitingNow * load.handleSeconds) / load.agents);
}

/** The wait still ahead of the caller at `position` (1 = next): each departure frees an agent every handle/agents seconds. */
export function remainingWait(position: number, handleSeconds: number, agents: number): number {
  return agents <= 0 ? Infinity : (position * handleSeconds) / agents;
}

/** Share of callers answered within `targetSeconds` (the service level the model predicts). */
export function serviceLevel(load: QueueLoad, targetSeconds: number): number {
  const traffic = load.arrivalRate * load.handleSeconds;
  if (load.agents <= 0) return 0;
  if (traffic >= load.agents) return 0;
  return 1 - erlangC(load.agents, traffic) * Math.exp(-((load.agents - traffic) * targetSeconds) / load.handleSeconds);
}

/** A queue's load with the callers' patience: the input to Erlang A. */
export interface AbandonmentLoad extends QueueLoad {
  /**
   * Mean time a caller is willing to wait before hanging up (seconds), i.e. 1/θ for exponential
   * patience. Infinity means nobody hangs up (Erlang C); 0 means nobody waits (Erlang B, a loss system).
   */
  patienceSeconds: number;
}

/** What Erlang A predicts for one queue (all shares are per arriving caller, in steady state). */
export interface ErlangAResult {
  /** P(answered within the target): answered-within ÷ all arrivals (abandons count against it). */
  serviceLevel: number;
  /**
   * Answered within the target ÷ (arrivals − callers who abandoned within the target): the floor's
   * own service-level definition, where a caller who hangs up before the target is not held against it.
   */
  answeredWithinShare: number;
  /** P(a caller hangs up before being answered), whenever that happens. */
  abandonRate: number;
  /** Mean time in queue over all arrivals (answered and abandoned), 0 for those answered at once. */
  meanWaitSeconds: number;
  /** P(a caller finds every agent busy and has to queue). */
  probWait: number;
}

/** A service-level target: `share` of callers answered within `seconds`. */
export interface ServiceTarget {
  share: number;
  seconds: number;
}

/** Erlang B (blocking with `agents` servers and no queue), by the same overflow-free recurrence as erlangC. */
function erlangB(agents: number, traffic: number): number {
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (traffic * b) / (k + traffic * b);
  return b;
}

/** log(e^a + e^b) without overflow; either side may be -Infinity. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Queue states summed before the model gives up on exactness. Only reached when patience is very
 * long and the queue badly overloaded (the queue then settles near (arrivals − capacity) × patience,
 * millions of callers deep); the fluid limit, exact to O(1/√queue), answers instead.
 */
const QUEUE_STATE_CAP = 4_000_000;
/** Probability mass we allow to drop from the tail of the stationary queue. */
const TAIL_EPSILON = 1e-16;

/**
 * Erlang A (Palm's M/M/n+M): Poisson arrivals, exponential handle times, `agents` agents, FCFS,
 * and callers who hang up after an exponential patience (mean `patienceSeconds`). Erlang C assumes
 * nobody ever hangs up, so it overstates waits, and with arrivals at or above capacity it has no
 * answer at all; real queues are held in check by abandonment, which this model includes, so it
 * still predicts a service level (and the abandon rate) when the floor is overloaded: exactly the
 * moment the wallboard must warn.
 *
 * Exact, not an approximation:
 *  1. Stationary distribution of the number in system (a birth-death chain, birth λ, death
 *     μ·min(k,n) + θ·max(k−n,0)). States below n come from Erlang B (Σ_{k≤n} π_k = π_n / B), the
 *     queue states as t_j = π_{n+j}/π_n = Π_{i≤j} λ/(nμ+iθ), summed with rescaling so n and queues
 *     in the thousands neither overflow nor underflow, and cut where the remaining tail (bounded by
 *     a geometric series, the ratios only fall) is below 1e-16.
 *  2. By PASTA an arrival sees that distribution. Finding j callers ahead, it is answered after
 *     j+1 "advances" of a pure-death chain with rates nμ + iθ (i ahead: an agent frees up, or
 *     someone ahead hangs up), while it hangs up itself at rate θ. P(answered within T | j) and
 *     P(abandoned within T | j) for every j at once by uniformization: the chain discretised at rate
 *     Λ ≥ every exit rate, iterated backward in the number of steps, Poisson(ΛT)-weighted, cut
 *     where the Poisson tail is below ~1e-15. A caller with ≥ M ahead (M = steps kept) cannot be
 *     answered within T and hangs up within T with probability 1 − e^{−θT}.
 *  3. Abandon rate and mean wait from Little's law: abandons per second = θ·E[queue], so
 *     P(abandon) = θ·E[queue]/λ and the mean wait over all arrivals = E[queue]/λ.
 * Cost: O(n + queue states + M·min(queue states, M)) with M ≈ ΛT + 8√(ΛT); well under a
 * millisecond for a hundred agents and a 10-20 s target.
 */
export function erlangA(load: AbandonmentLoad, targetSeconds: number): ErlangAResult {
  const { arrivalRate: lambda, handleSeconds, patienceSeconds } = load;
  if ([lambda, handleSeconds, load.agents, patienceSeconds, targetSeconds].some(Number.isNaN)) throw new RangeError('erlangA: NaN input');
  const n = Math.max(0, Math.floor(load.agents));
  const T = Math.max(0, targetSeconds);
  const theta = patienceSeconds <= 0 ? Infinity : 1 / patienceSeconds; // Infinity patience -> 0

  if (n === 0) {
    // Nobody answers: every caller waits until they give up.
    return theta === 0
      ? { serviceLevel: 0, answeredWithinShare: 0, abandonRate: 0, meanWaitSeconds: Infinity, probWait: 1 }
      : { serviceLevel: 0, answeredWithinShare: 0, abandonRate: 1, meanWaitSeconds: 1 / theta, probWait: 1 };
  }
  if (!(lambda > 0) || !(handleSeconds > 0)) {
    // No load: a caller (were one to arrive) finds an agent free.
    return { serviceLevel: 1, answeredWithinShare: 1, abandonRate: 0, meanWaitSeconds: 0, probWait: 0 };
  }
  const traffic = lambda * handleSeconds;
  if (theta === Infinity) {
    // Zero patience: a caller who finds all agents busy leaves at once (Erlang B). Those abandons are
    // all "within the target", so the floor's share counts only the callers who stayed: all answered at once.
    const b = erlangB(n, traffic);
    return { serviceLevel: 1 - b, answeredWithinShare: 1, abandonRate: b, meanWaitSeconds: 0, probWait: b };
  }
  if (theta === 0) {
    // Infinite patience: Erlang C exactly (no steady state when overloaded: the queue grows without bound).
    if (traffic >= n) return { serviceLevel: 0, answeredWithinShare: 0, abandonRate: 0, meanWaitSeconds: Infinity, probWait: 1 };
    const c = erlangC(n, traffic);
    const sl = serviceLevel({ arrivalRate: lambda, handleSeconds, agents: n }, T);
    return { serviceLevel: sl, answeredWithinShare: sl, abandonRate: 0, meanWaitSeconds: (c * handleSeconds) / (n - traffic), probWait: c };
  }

  const capacity = n / handleSeconds; // nμ: answers per second with every agent busy
  const mode = (lambda - capacity) / theta; // the queue length the stationary distribution peaks at (if > 0)
  if (mode > QUEUE_STATE_CAP) return fluidOverload(lambda, capacity, theta, T);

  // 1. Queue part of the stationary distribution, relative to π_n: t_0 = 1, t_j = t_{j-1}·λ/(nμ + jθ).
  // S = Σ t_j, E = Σ j·t_j, both stored times e^{-logScale}.
  let t = 1;
  let S = 1;
  let E = 0;
  let logScale = 0;
  let j = 0;
  for (;;) {
    j++;
    t *= lambda / (capacity + j * theta);
    S += t;
    E += j * t;
    if (t > 1e250) {
      t *= 1e-250;
      S *= 1e-250;
      E *= 1e-250;
      logScale += 250 * Math.LN10;
    }
    if (j > mode) {
      const r = lambda / (capacity + (j + 1) * theta); // < 1 past the mode, and falling
      if ((t * r) / (1 - r) <= TAIL_EPSILON * S) break;
    }
    if (j >= 2 * QUEUE_STATE_CAP) return fluidOverload(lambda, capacity, theta, T);
  }
  const jMax = j;
  const b = erlangB(n, traffic);
  const logB = Math.log(b);
  // Normaliser relative to π_n: (1/B − 1) for the states below n, plus S; all times B.
  const logDen = logAddExp(Math.log1p(-b), logB + Math.log(S) + logScale);
  const probWait = Math.exp(logB + Math.log(S) + logScale - logDen);
  const meanQueue = E > 0 ? Math.exp(logB + Math.log(E) + logScale - logDen) : 0;
  const abandonRate = Math.min(1, (theta * meanQueue) / lambda);
  const meanWaitSeconds = meanQueue / lambda;

  // 2. Answered / abandoned within T, for an arrival finding j ahead, by uniformization.
  let answeredLate: number; // answered within T, among those who had to queue (as a share of all arrivals)
  let abandonedWithin: number;
  if (T === Infinity) {
    answeredLate = probWait - abandonRate;
    abandonedWithin = abandonRate;
  } else if (T === 0) {
    answeredLate = 0;
    abandonedWithin = 0;
  } else {
    const rate = capacity + (jMax + 1) * theta; // Λ: no state's total exit rate nμ + (i+1)θ exceeds it
    const mean = rate * T;
    const steps = Math.ceil(mean + 8 * Math.sqrt(mean) + 20);
    const L = Math.min(jMax + 1, steps + 1); // beyond `steps` ahead, nobody is answered within T
    const pAbandon = theta / rate;
    const pAdvance = new Float64Array(L);
    const pStay = new Float64Array(L);
    for (let i = 0; i < L; i++) {
      pAdvance[i] = (capacity + i * theta) / rate;
      pStay[i] = Math.max(0, 1 - pAdvance[i]! - pAbandon);
    }
    // G[i] / H[i]: P(answered / abandoned within m uniformized steps | i ahead). Start: m = 0, both 0.
    const G = new Float64Array(L);
    const H = new Float64Array(L);
    const accG = new Float64Array(L);
    const accH = new Float64Array(L);
    let logWeight = -mean; // log Poisson(mean) at m = 0; G_0 = H_0 = 0 adds nothing
    for (let m = 1; m <= steps; m++) {
      // Descending i so G[i-1], H[i-1] still hold step m-1 values. "Advance" from 0 ahead is being answered.
      // (For i ≥ m this keeps G = 0 and gives H = 1 − (1 − θ/Λ)^m: not answerable yet, only hanging up.)
      for (let i = L - 1; i >= 0; i--) {
        const gNext = i > 0 ? G[i - 1]! : 1;
        const hNext = i > 0 ? H[i - 1]! : 0;
        G[i] = pAdvance[i]! * gNext + pStay[i]! * G[i]!;
        H[i] = pAdvance[i]! * hNext + pAbandon + pStay[i]! * H[i]!;
      }
      logWeight += Math.log(mean / m);
      const w = Math.exp(logWeight);
      if (w < 1e-300) continue;
      for (let i = 0; i < L; i++) {
        accG[i]! += w * G[i]!;
        accH[i]! += w * H[i]!;
      }
    }
    // Weight the per-j answers by the stationary probability of finding j ahead.
    let logT = 0;
    let covered = 0;
    answeredLate = 0;
    abandonedWithin = 0;
    for (let i = 0; i < L; i++) {
      if (i > 0) logT += Math.log(lambda / (capacity + i * theta));
      const p = Math.exp(logB + logT - logDen);
      covered += p;
      answeredLate += p * accG[i]!;
      abandonedWithin += p * accH[i]!;
    }
    abandonedWithin += Math.max(0, probWait - covered) * -Math.expm1(-theta * T);
  }
  const sl = Math.min(1, Math.max(0, 1 - probWait + answeredLate));
  const stayed = 1 - abandonedWithin;
  return {
    serviceLevel: sl,
    answeredWithinShare: stayed > 0 ? Math.min(1, sl / stayed) : 0,
    abandonRate,
    meanWaitSeconds,
    probWait,
  };
}

/**
 * The fluid limit of an overloaded M/M/n+M, used only when the queue is millions deep: every caller
 * queues, the queue holds (λ − nμ)/θ, agents answer nμ of the λ arrivals and the rest hang up. All
 * callers answered have waited w* = ln(λ/nμ)/θ (the wait that patience survives at the rate nμ/λ).
 */
function fluidOverload(lambda: number, capacity: number, theta: number, T: number): ErlangAResult {
  const answered = capacity / lambda;
  const answeredWithin = T >= Math.log(lambda / capacity) / theta ? answered : 0;
  return {
    serviceLevel: answeredWithin,
    answeredWithinShare: answeredWithin / Math.exp(-theta * Math.min(T, Math.log(lambda / capacity) / theta)),
    abandonRate: 1 - answered,
    meanWaitSeconds: (lambda - capacity) / theta / lambda,
    probWait: 1,
  };
}

/** The most agents agentsNeeded will consider: beyond this the answer is not a staffing decision. */
export const AGENTS_SEARCH_CAP = 10_000;

/**
 * The fewest agents that meet `target` now, for the staffing-gap column: Erlang C (`serviceLevel`,
 * the classic WFM figure, which assumes nobody hangs up) or Erlang A (`answeredWithinShare` with the
 * observed patience, what the floor will actually see). `load.agents` is ignored. 0 with no arrivals;
 * null when no count up to AGENTS_SEARCH_CAP meets it, or the share is 1 or more (no finite staff
 * answers every caller within a target: the model's service level is below 1 for any load).
 *
 * C searches upward from the smallest count above the traffic (below it there is no steady state).
 * A may need fewer agents than the traffic (callers who hang up take no agent time), so it starts
 * from a bound that holds for any queue: the answered-within share is at most
 * (n/traffic) / e^{−θT} (agents answer at most n/AHT calls a second; at most 1 − e^{−θT} of callers
 * can hang up within T); it probes just above the traffic, then gallops upward or bisects down to
 * that bound, since the share only grows with agents
 * (more agents stochastically shorten every caller's offered wait). About ten Erlang A evaluations
 * for a hundred agents, under a millisecond.
 */
export function agentsNeeded(model: 'C', load: Pick<QueueLoad, 'arrivalRate' | 'handleSeconds'>, target: ServiceTarget): number | null;
export function agentsNeeded(model: 'A', load: Pick<AbandonmentLoad, 'arrivalRate' | 'handleSeconds' | 'patienceSeconds'>, target: ServiceTarget): number | null;
/** Either model by name; 'A' without a patience is Erlang A with infinite patience, i.e. Erlang C. */
export function agentsNeeded(model: 'C' | 'A', load: Pick<QueueLoad, 'arrivalRate' | 'handleSeconds'> & { patienceSeconds?: number }, target: ServiceTarget): number | null;
export function agentsNeeded(
  model: 'C' | 'A',
  load: Pick<QueueLoad, 'arrivalRate' | 'handleSeconds'> & { patienceSeconds?: number },
  target: ServiceTarget,
): number | null {
  const traffic = load.arrivalRate * load.handleSeconds;
  if (!(load.arrivalRate > 0) || !(load.handleSeconds > 0)) return 0;
  if (!(target.share > 0)) return 0;
  if (target.share >= 1) return null;

  if (model === 'C') {
    for (let n = Math.floor(traffic) + 1; n <= AGENTS_SEARCH_CAP; n++) {
      if (serviceLevel({ arrivalRate: load.arrivalRate, handleSeconds: load.handleSeconds, agents: n }, target.seconds) >= target.share) return n;
    }
    return null;
  }

  const patienceSeconds = load.patienceSeconds ?? Infinity;
  const meets = (agents: number) => erlangA({ arrivalRate: load.arrivalRate, handleSeconds: load.handleSeconds, agents, patienceSeconds }, target.seconds).answeredWithinShare >= target.share;
  const stayWithin = patienceSeconds > 0 ? Math.exp(-target.seconds / patienceSeconds) : 0;
  const lower = Math.max(1, Math.ceil(target.share * traffic * stayWithin - 1e-9));
  if (lower > AGENTS_SEARCH_CAP) return null;
  // Probe just above the traffic first: with patient callers the answer lies above it, and the search
  // then never evaluates an overloaded count, whose queue settles (arrivals − capacity) × patience
  // deep and costs that many states to sum. With impatient callers the queues are short anyway.
  const pivot = Math.min(AGENTS_SEARCH_CAP, Math.max(lower, Math.floor(traffic) + 1));
  let lo = lower - 1; // fails, by the bound
  let hi = pivot;
  if (!meets(pivot)) {
    if (pivot === AGENTS_SEARCH_CAP) return null;
    lo = pivot;
    for (let step = 1; ; step *= 2) {
      hi = Math.min(lo + step, AGENTS_SEARCH_CAP);
      if (meets(hi)) break;
      if (hi === AGENTS_SEARCH_CAP) return null;
      lo = hi;
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (meets(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Mean patience (seconds) estimated from one window: the maximum-likelihood estimate for exponential
 * patience, total time waited by all callers ÷ number who hung up. Callers who were answered count
 * their wait too: they were patient at least that long (right-censored), and leaving them out would
 * make callers look far less patient than they are. null when nobody hung up (patience unbounded by
 * the data; the caller decides what "long" means) or the inputs are not usable counts.
 */
export function patienceFromObservations(abandons: number, totalWaitSeconds: number): number | null {
  if (!(abandons > 0) || !Number.isFinite(abandons) || !(totalWaitSeconds >= 0) || !Number.isFinite(totalWaitSeconds)) return null;
  return totalWaitSeconds / abandons;
}
