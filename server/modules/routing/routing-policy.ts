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

export type HeadStarts = Record<string, number>;

export function parseHeadStarts(spec: string): HeadStarts {
  const out: HeadStarts = { PRIVATE: 0, DIAMOND: 0, GOLD: 0, STANDARD: 0 };
  for (const part of spec.split(',')) {
    const [tier, seconds] = part.split('=');
    out[tier!] = Number(seconds);
  }
  return out;
}

/** When this call counts as having arrived, for ordering (boost: a supervisor's extra seconds). */
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

export const SKILLS = ['general', 'cards', 'loans', 'deposits', 'wealth', 'funds_fx', 'complaints', 'retention', 'security', 'private_banking', 'english'] as const;

/** The skills whose agents may take a call of `skill` after waiting `waitedSeconds`, narrowest first. */
export function allowedSkills(skill: string, waitedSeconds: number, overflowSeconds: number): string[] {
  const steps = Math.floor(waitedSeconds / overflowSeconds);
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
  language: string;
  rm_id: number | null;
  target_agent_id: number | null;
  declined_by: number[];
  enqueued_at: Date | string;
}

/** Whether this agent may take this call now (the SQL claim applies the same rule under lock). */
export function canServe(agent: CandidateAgent, call: WaitingCall, now: Date, overflowSeconds: number): boolean {
  if (call.declined_by.includes(agent.user_id)) return false;
  if (!agent.languages.includes(call.language)) return false;
  if (call.target_agent_id !== null) return agent.user_id === call.target_agent_id;
  if (call.rm_id !== null && agent.rm_id === call.rm_id) return true;
  const waited = (now.getTime() - new Date(call.enqueued_at).getTime()) / 1000;
  return allowedSkills(call.skill, waited, overflowSeconds).some((s) => (agent.skills[s] ?? 0) > 0);
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
