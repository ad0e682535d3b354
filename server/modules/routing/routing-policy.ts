/**
 * The routing policy, as pure functions: who goes first, who may serve whom, and why.
 *
 * Priority with aging. Every call is served in order of its *priority time*: its arrival time
 * minus its tier's head start (PRIVATE 3600 s, DIAMOND 300 s, GOLD 120 s, STANDARD 0 by
 * default). A call's effective priority, waited + head start, so grows by one per second of
 * waiting for every tier alike, and the order between two calls never changes once both wait.
 * The bound this gives: a caller of tier T can be overtaken only by callers of a higher tier U
 * who arrive less than head_start(U) - head_start(T) seconds after them. Nobody arriving later
 * than that window (3600 s for STANDARD behind PRIVATE, 300 s behind DIAMOND) is ever served
 * first, so no tier starves; and a PRIVATE caller is behind a lower tier only if that caller
 * has already waited an hour longer, which in practice means never.
 */

import { targetOf, type ServiceLevels } from './service-levels.js';

export type HeadStarts = Record<string, number>;

export function parseHeadStarts(spec: string): HeadStarts {
  const out: HeadStarts = { PRIVATE: 0, DIAMOND: 0, GOLD: 0, STANDARD: 0 };
  for (const part of spec.split(',')) {
    const [tier, seconds] = part.split('=');
    out[tier!] = Number(seconds);
  }
  return out;
}

/**
 * When this call counts as having arrived, for ordering. `boostSeconds` is added to the tier's head
 * start: the IVR flow's priority for the line the caller took (card loss, security), and a
 * supervisor's extra seconds. A STANDARD caller who lost a card (boost 600) therefore goes before
 * GOLD callers (head start 120) who arrived up to 480 s earlier, and before DIAMOND callers (300)
 * who arrived up to 300 s earlier; PRIVATE (3600) still goes first.
 */
export function priorityAt(enqueuedAt: Date, tier: string, headStarts: HeadStarts, boostSeconds = 0): Date {
  return new Date(enqueuedAt.getTime() - ((headStarts[tier] ?? 0) + boostSeconds) * 1000);
}

/**
 * The next wider skill group of each skill: a call that has waited ROUTING_OVERFLOW_SECONDS may
 * also go there, and one more step each further multiple. `general` agents take anything in the end.
 */
export const OVERFLOW: Readonly<Record<string, string>> = {
  private_banking: 'wealth',
  wealth: 'general',
  funds_fx: 'wealth',
  cards: 'general',
  loans: 'general',
  deposits: 'general',
  complaints: 'general',
  retention: 'complaints',
  security: 'cards',
  english: 'general',
};


/** Every skill group a call of `skill` may reach, narrowest first (the skill and its overflow chain). */
export function overflowChain(skill: string): string[] {
  const out = [skill];
  for (let wider = OVERFLOW[skill]; wider && !out.includes(wider); wider = OVERFLOW[wider]) out.push(wider);
  return out;
}

/** What decides when a waiting call widens: the configured step, bounded by the tier's service-level target. */
export interface OverflowTiming {
  /** ROUTING_OVERFLOW_SECONDS: the longest a call waits before each step. */
  overflowSeconds: number;
  levels: ServiceLevels;
  /** ROUTING_RM_WAIT_SECONDS: the longest a caller is held for their busy relationship manager. */
  rmWaitSeconds: number;
}

/**
 * Seconds between two overflow steps for a caller of `tier` waiting for `skill`: the steps of the
 * chain share the tier's service-level target, so the widest group is open to the call before the
 * target is up. A PRIVATE caller (10 s) for private banking widens to wealth after 3 s and to any
 * general agent after 6 s, not after 60 s a step; ROUTING_OVERFLOW_SECONDS still caps each step.
 */
export function overflowStep(timing: OverflowTiming, tier: string, skill: string): number {
  const steps = overflowChain(skill).length - 1;
  const target = targetOf(timing.levels, tier).seconds;
  return Math.max(1, Math.min(timing.overflowSeconds, Math.floor(target / (steps + 1))));
}

/** How long a caller of `tier` is held for their own relationship manager who is busy: never past half the tier's target. */
export function rmWaitSeconds(timing: OverflowTiming, tier: string): number {
  return Math.min(timing.rmWaitSeconds, Math.floor(targetOf(timing.levels, tier).seconds / 2));
}

/** The skills whose agents may take a call of `skill` after waiting `waitedSeconds`, narrowest first. */
export function allowedSkills(skill: string, waitedSeconds: number, stepSeconds: number): string[] {
  const steps = Math.floor(waitedSeconds / stepSeconds);
  const out = [skill];
  for (let i = 0; i < steps; i++) {
    const wider = OVERFLOW[out[out.length - 1]!];
    if (!wider || out.includes(wider)) break;
    out.push(wider);
  }
  return out;
}

export interface CandidateAgent {
  user_id: number;
  skills: Record<string, number>;
  languages: string[];
  rm_id: number | null;
  idle_since: Date | string | null;
}

export interface WaitingCall {
  skill: string;
  tier: string;
  language: string;
  rm_id: number | null;
  target_agent_id: number | null;
  declined_by: number[];
  enqueued_at: Date | string;
}

const waitedAt = (call: Pick<WaitingCall, 'enqueued_at'>, now: Date) => (now.getTime() - new Date(call.enqueued_at).getTime()) / 1000;

/**
 * What a waiting call must be for one of these agents ever to take it, at any wait: a language one
 * of them speaks, and their id as its transfer target, or (no target) one of them as its RM or a
 * skill whose overflow chain reaches a skill one of them holds. The matcher reads only such calls
 * (a cut in SQL, so a free agent no call fits costs one index scan, not the whole queue in pages);
 * canServe still decides each one.
 */
export interface Reach { languages: string[]; skills: string[]; agentIds: number[]; rmIds: number[] }

export function reachOf(agents: readonly CandidateAgent[]): Reach {
  const held = new Set(agents.flatMap((a) => Object.keys(a.skills).filter((s) => (a.skills[s] ?? 0) > 0)));
  // A skill without an overflow step reaches only itself: it is in `held` or out of reach.
  const skills = new Set([...held, ...Object.keys(OVERFLOW).filter((k) => overflowChain(k).some((s) => held.has(s)))]);
  return {
    languages: [...new Set(agents.flatMap((a) => a.languages))],
    skills: [...skills],
    agentIds: agents.map((a) => a.user_id),
    rmIds: [...new Set(agents.flatMap((a) => (a.rm_id === null ? [] : [a.rm_id])))],
  };
}

/** Whether this agent may take this call now (the SQL claim applies the same rule under lock). */
export function canServe(agent: CandidateAgent, call: WaitingCall, now: Date, timing: OverflowTiming): boolean {
  if (call.declined_by.includes(agent.user_id)) return false;
  if (!agent.languages.includes(call.language)) return false;
  if (call.target_agent_id !== null) return agent.user_id === call.target_agent_id;
  if (call.rm_id !== null && agent.rm_id === call.rm_id) return true;
  return allowedSkills(call.skill, waitedAt(call, now), overflowStep(timing, call.tier, call.skill)).some((s) => (agent.skills[s] ?? 0) > 0);
}

/**
 * When this waiting call next becomes servable by more agents (its next overflow step), or null
 * when its whole chain is open to it already. The matcher wakes up then instead of at its next sweep.
 */
export function nextWidening(call: Pick<WaitingCall, 'skill' | 'tier' | 'enqueued_at' | 'target_agent_id'>, now: Date, timing: OverflowTiming): Date | null {
  if (call.target_agent_id !== null) return null;
  const step = overflowStep(timing, call.tier, call.skill);
  const taken = Math.floor(waitedAt(call, now) / step);
  if (taken >= overflowChain(call.skill).length - 1) return null;
  return new Date(new Date(call.enqueued_at).getTime() + (taken + 1) * step * 1000);
}

/** The rule that picked this agent, as shown on the pop ("why you") and kept in the timeline. */
export type RoutingRule = 'transfer_target' | 'relationship_manager' | 'skill' | 'overflow';

export function ruleFor(agent: CandidateAgent, call: WaitingCall): RoutingRule {
  if (call.target_agent_id !== null) return 'transfer_target';
  if (call.rm_id !== null && agent.rm_id === call.rm_id) return 'relationship_manager';
  return (agent.skills[call.skill] ?? 0) > 0 ? 'skill' : 'overflow';
}

const WHY: Record<RoutingRule, (call: WaitingCall, level: number) => string> = {
  transfer_target: () => 'The call was transferred to you by name',
  relationship_manager: () => "You are the caller's relationship manager",
  skill: (c, l) => `Longest idle agent with ${c.skill} (level ${l})`,
  overflow: (c) => `No ${c.skill} agent free: overflow to your skill group`,
};

export function explain(rule: RoutingRule, agent: CandidateAgent, call: WaitingCall): string {
  return WHY[rule](call, agent.skills[call.skill] ?? 0);
}
