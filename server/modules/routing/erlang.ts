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
