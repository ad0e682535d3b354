/**
 * Service-level targets per tier (docs/domain.md): the share of calls to answer within so many seconds.
 * PRIVATE 90% in 10 s, DIAMOND 85% in 15 s, GOLD 80% in 20 s, STANDARD 80% in 30 s by default;
 * configuration (SERVICE_LEVELS), not code. The wallboard, the staffing model, the alerts and
 * the reports all measure against these same targets.
 */
export interface ServiceLevelTarget {
  /** Share of calls to answer within `seconds` (0..1). */
  share: number;
  seconds: number;
}

export type ServiceLevels = Record<string, ServiceLevelTarget>;

export const DEFAULT_SERVICE_LEVELS = 'PRIVATE=90/10,DIAMOND=85/15,GOLD=80/20,STANDARD=80/30';

/** Parses `TIER=percent/seconds,…` (the config pattern has already checked the shape). */
export function parseServiceLevels(spec: string): ServiceLevels {
  const out: ServiceLevels = {};
  for (const part of spec.split(',')) {
    const [tier, target] = part.split('=');
    const [percent, seconds] = target!.split('/');
    out[tier!] = { share: Number(percent) / 100, seconds: Number(seconds) };
  }
  return out;
}

/** The target of a tier; an unknown tier is held to STANDARD's. */
export function targetOf(levels: ServiceLevels, tier: string): ServiceLevelTarget {
  return levels[tier] ?? levels.STANDARD ?? { share: 0.8, seconds: 30 };
}

/**
 * Service level as the wallboard and the reports count it: calls answered within the target
 * over calls answered plus calls abandoned after the target (a caller who hangs up before the
 * target was reached is not held against the floor). Null when nothing counts yet.
 */
export function serviceLevelShare(answeredWithin: number, answered: number, abandonedAfter: number): number | null {
  const base = answered + abandonedAfter;
  return base === 0 ? null : answeredWithin / base;
}
