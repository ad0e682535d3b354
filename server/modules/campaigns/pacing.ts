import { localMinuteOfDay } from '../../lib/local-time.js';

/**
 * How many calls a campaign may place now. Pure, so the policy is unit-tested on its own:
 *  - preview: none by itself (the agent clicks to dial);
 *  - progressive: one per free agent, less the calls already ringing;
 *  - predictive: free agents x a ratio from the live answer rate (if half the calls reach a person,
 *    dial two per agent), held so that even if every over-dialled call in flight ended abandoned
 *    (a person answered and no agent was free), abandoned / answered-by-a-person stays under the cap.
 * Either way, never more than the calls-per-second budget allows.
 */
export type DialingMode = 'preview' | 'progressive' | 'predictive';

export interface PacingInput {
  mode: DialingMode;
  /** Agents of the campaign's skill who are available now. */
  freeAgents: number;
  /** Dials not yet answered or ended (queued or ringing). */
  inFlight: number;
  /** Of those, dials placed beyond the free agents (predictive only). */
  overdialInFlight: number;
  /** The campaign's history: dials that reached an outcome, how many reached a person, how many of those were abandoned. */
  finished: number;
  humans: number;
  abandoned: number;
  maxAbandonRate: number;
  /** Calls the rate limit still allows in the current second. */
  rateBudget: number;
}

/** Predictive dialling waits for this many finished dials before it trusts the answer rate. */
export const MIN_SAMPLE = 20;
/** Never more than this many dials per free agent, whatever the answer rate. */
export const MAX_RATIO = 3;

/** The pacing ratio: 1 / answer rate, clamped to [1, MAX_RATIO]; 1 until the sample is big enough. */
export function pacingRatio(i: Pick<PacingInput, 'finished' | 'humans'>): number {
  if (i.finished < MIN_SAMPLE || i.humans === 0) return 1;
  return Math.min(MAX_RATIO, Math.max(1, i.finished / i.humans));
}

/**
 * May one more over-dial go out? Only if, counting it and every over-dial in flight as abandoned,
 * the abandon rate would still be within the cap.
 */
export function overdialAllowed(i: Pick<PacingInput, 'humans' | 'abandoned' | 'overdialInFlight' | 'maxAbandonRate'>): boolean {
  const worstAbandoned = i.abandoned + i.overdialInFlight + 1;
  const worstHumans = i.humans + i.overdialInFlight + 1;
  return worstAbandoned / worstHumans <= i.maxAbandonRate;
}

/** The dials to place now: how many backed by a free agent, and how many over-dials. */
export function dialsNow(i: PacingInput): { backed: number; overdial: number } {
  if (i.mode === 'preview') return { backed: 0, overdial: 0 };
  const budget = Math.max(0, Math.floor(i.rateBudget));
  const backedInFlight = i.inFlight - i.overdialInFlight;
  const backed = Math.min(budget, Math.max(0, i.freeAgents - backedInFlight));
  if (i.mode === 'progressive' || i.freeAgents === 0) return { backed, overdial: 0 };
  const wanted = Math.floor(i.freeAgents * pacingRatio(i)) - i.inFlight - backed;
  let overdial = 0;
  while (overdial < wanted && backed + overdial < budget && overdialAllowed({ ...i, overdialInFlight: i.overdialInFlight + overdial })) overdial++;
  return { backed, overdial };
}

/** Is `at` inside [start, end) of the local day in `timeZone`? Times are "HH:MM". */
export function inCallingWindow(at: Date, timeZone: string, start: string, end: string): boolean {
  const minute = localMinuteOfDay(at, timeZone);
  return minute >= toMinute(start) && minute < toMinute(end);
}

/** The next moment the window opens for someone in `timeZone` (now, if it is open). */
export function nextWindowOpen(at: Date, timeZone: string, start: string, end: string): Date {
  if (inCallingWindow(at, timeZone, start, end)) return at;
  const minute = localMinuteOfDay(at, timeZone);
  const opens = toMinute(start);
  const wait = (opens - minute + 1440) % 1440 || 1440;
  // Whole minutes, from the start of the current local minute.
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000 + wait * 60_000);
}

function toMinute(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}
