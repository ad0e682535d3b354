import { BANK_TIME_ZONE, localMinuteOfDay } from '../../lib/local-time.js';
import { erlangA } from '../routing/erlang.js';
import { targetOf, type ServiceLevels } from '../routing/service-levels.js';
import { TIERS } from '../tiers/tier-model.js';
import type { Arrival } from './replay-day.js';
import type { ReplayResult } from './replay-engine.js';

/** Shorter than this, a step's arrivals say too little about its load to model it. */
const MIN_MODEL_SECONDS = 600;

/** What Erlang A predicts for one staffing step, all agents pooled into one queue served in order. */
export interface StepModel {
  agents: number;
  arrivalsPerHour: number;
  handleSeconds: number;
  /** Mean patience the model assumes; Infinity: nobody hangs up (Erlang C). */
  patienceSeconds: number;
  targetSeconds: number;
  serviceLevel: number;
  abandonRate: number;
  meanWaitSeconds: number;
}

/**
 * The queueing model of a step's load: the arrival rate over the span the step's arrivals cover,
 * their mean handle time, and their patience (the mean of those who have one; with some who never
 * hang up, stretched by the share who do, so the rate of hanging up matches). The target is that
 * of the step's most common tier. Null when the step is too short or has no arrivals or agents.
 */
export function modelOf(step: { at: Date; until: Date; agents: Record<string, number> }, arrivals: Arrival[], levels: ServiceLevels): StepModel | null {
  const agents = Object.values(step.agents).reduce((n, x) => n + x, 0);
  if (arrivals.length < 2 || agents === 0) return null;
  const span = (Math.min(step.until.getTime(), arrivals.at(-1)!.at.getTime()) - Math.max(step.at.getTime(), arrivals[0]!.at.getTime())) / 1000;
  if (span < MIN_MODEL_SECONDS) return null;
  const handleSeconds = arrivals.reduce((n, a) => n + a.handleSeconds, 0) / arrivals.length;
  const patient = arrivals.filter((a) => a.patienceSeconds !== null);
  const patienceSeconds = patient.length === 0 ? Infinity
    : (patient.reduce((n, a) => n + a.patienceSeconds!, 0) / patient.length) * (arrivals.length / patient.length);
  const counts = new Map<string, number>();
  for (const a of arrivals) counts.set(a.tier, (counts.get(a.tier) ?? 0) + 1);
  const tier = [...counts].sort((x, y) => y[1] - x[1])[0]![0];
  const targetSeconds = targetOf(levels, tier).seconds;
  const arrivalRate = arrivals.length / span;
  const m = erlangA({ arrivalRate, handleSeconds, agents, patienceSeconds }, targetSeconds);
  return { agents, arrivalsPerHour: arrivalRate * 3600, handleSeconds, patienceSeconds, targetSeconds, serviceLevel: m.answeredWithinShare, abandonRate: m.abandonRate, meanWaitSeconds: m.meanWaitSeconds };
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const secs = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} s`);
const hours = (s: number) => `${(s / 3600).toFixed(1)} h`;
const pad = (s: string, n: number) => s.padStart(n);
/** HH:MM in the bank's zone; a step that ends at midnight ends at 24:00. */
const clock = (d: Date, end = false) => {
  const m = localMinuteOfDay(d, BANK_TIME_ZONE) || (end ? 1440 : 0);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** Occupancy: the share of the agents' signed-in time (away left out) spent on calls: offered, talking or wrapping up. */
export function occupancyOf(agentSeconds: Record<string, number>): number | null {
  const busy = (agentSeconds.reserved ?? 0) + (agentSeconds.on_call ?? 0) + (agentSeconds.wrap_up ?? 0);
  const ready = busy + (agentSeconds.available ?? 0);
  return ready === 0 ? null : busy / ready;
}

/** One configuration's day, as a supervisor reads it. */
export function formatResult(name: string, description: string | undefined, r: ReplayResult, levels: ServiceLevels): string {
  const lines = [`== ${name}${description ? ` — ${description}` : ''} ==`];
  lines.push(`${'tier'.padEnd(10)}${pad('calls', 7)}${pad('answered', 10)}${pad('abandoned', 11)}${pad('service level', 15)}  ${'target'.padEnd(10)}${pad('ASA', 9)}`);
  const order = (k: string | null) => (k === null ? TIERS.length : (TIERS as readonly string[]).indexOf(k));
  for (const row of [...r.tiers].sort((a, b) => order(a.key) - order(b.key))) {
    const target = row.key === null ? '' : `${Math.round(targetOf(levels, row.key).share * 100)}% in ${targetOf(levels, row.key).seconds} s`;
    lines.push(`${(row.key ?? 'all').padEnd(10)}${pad(String(row.offered), 7)}${pad(String(row.answered), 10)}${pad(pct(row.offered ? row.abandoned / row.offered : null), 11)}${pad(pct(row.service_level), 15)}  ${target.padEnd(10)}${pad(secs(row.asa_s), 9)}`);
  }
  if (r.turnedAway > 0) lines.push(`turned away (nobody could serve their queue any more): ${r.turnedAway}`);
  const s = r.agentSeconds;
  lines.push(`agents: occupancy ${pct(occupancyOf(s))} (on calls ${hours((s.reserved ?? 0) + (s.on_call ?? 0) + (s.wrap_up ?? 0))}, free ${hours(s.available ?? 0)}, away ${hours(s.away ?? 0)})`);
  lines.push('', 'by staffing step — the replay against Erlang A (all agents pooled, one queue in order):');
  lines.push(`${'step'.padEnd(13)}${pad('agents', 7)}${pad('calls', 7)}${pad('per hour', 10)}${pad('AHT', 9)}${pad('patience', 10)}${pad('SL replay', 11)}${pad('model', 8)}${pad('abandoned', 11)}${pad('model', 8)}${pad('ASA', 9)}${pad('model wait', 12)}`);
  for (const { step, figures, arrivals } of r.steps) {
    const m = modelOf(step, arrivals, levels);
    const agents = Object.values(step.agents).reduce((n, x) => n + x, 0);
    const abandoned = figures && figures.offered ? figures.abandoned / figures.offered : null;
    lines.push(`${`${clock(step.at)}-${clock(step.until, true)}`.padEnd(13)}${pad(String(agents), 7)}${pad(String(arrivals.length), 7)}`
      + `${pad(m ? m.arrivalsPerHour.toFixed(1) : '—', 10)}${pad(m ? `${Math.round(m.handleSeconds)} s` : '—', 9)}${pad(m ? (m.patienceSeconds === Infinity ? 'none' : `${Math.round(m.patienceSeconds)} s`) : '—', 10)}`
      + `${pad(pct(figures?.service_level ?? null), 11)}${pad(m ? pct(m.serviceLevel) : '—', 8)}${pad(pct(abandoned), 11)}${pad(m ? pct(m.abandonRate) : '—', 8)}`
      + `${pad(secs(figures?.asa_s ?? null), 9)}${pad(m ? secs(m.meanWaitSeconds) : '—', 12)}`);
  }
  return lines.join('\n');
}

/** Two or more configurations side by side: service level, ASA and abandons per tier, and occupancy. */
export function formatComparison(runs: { name: string; result: ReplayResult }[]): string {
  const [base, ...others] = runs;
  if (!base || others.length === 0) return '';
  const width = Math.max(26, ...runs.map((r) => r.name.length + 2));
  const keyed = (r: ReplayResult) => new Map(r.tiers.map((t) => [t.key, t]));
  const lines = [`== compared with ${base.name} (service level / ASA / abandoned) ==`, `${'tier'.padEnd(10)}${runs.map((r) => pad(r.name, width)).join('')}`];
  for (const key of [...TIERS, null]) {
    const cells = runs.map((r) => {
      const t = keyed(r.result).get(key);
      return pad(t ? `${pct(t.service_level)} / ${secs(t.asa_s)} / ${pct(t.offered ? t.abandoned / t.offered : null)}` : '—', width);
    });
    lines.push(`${(key ?? 'all').padEnd(10)}${cells.join('')}`);
  }
  lines.push(`${'occupancy'.padEnd(10)}${runs.map((r) => pad(pct(occupancyOf(r.result.agentSeconds)), width)).join('')}`);
  return lines.join('\n');
}
