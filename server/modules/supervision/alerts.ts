import type { Condition } from './alerts-repository.js';
import type { Wallboard } from './supervision-schemas.js';

/** Where alerts fire (configuration: ALERT_*). */
export interface AlertThresholds {
  /** A PRIVATE caller waiting longer than this. */
  privateWaitSeconds: number;
  /** Abandoned share of the interval's finished calls (answered + abandoned) above this (0..1). */
  abandonRate: number;
  /** An agent away longer than this. */
  awaySeconds: number;
  /** Service-level and abandon alerts wait for this many calls in the interval: one early call is not a trend. */
  minCalls: number;
}

/** A user whose profile reads looked like a harvest in the last VIEW_ALERT_MINUTES: past a read limit, or purposes refused. */
export interface ViewAnomaly { user_id: number; username: string; over_limit: number; refused: number }
/** How far back the read anomalies of an alert look: the alert stays up this long after the last one. */
export const VIEW_ALERT_MINUTES = 15;

/** Bulk reading of customers (SEC-01): a user stopped by the read limit, or with `refusals` or more views refused for a purpose nothing backed. */
export function viewAlertConditions(anomalies: ViewAnomaly[], refusals: number): Condition[] {
  return anomalies.filter((a) => a.over_limit > 0 || a.refused >= refusals).map((a) => ({
    kind: 'profile_harvest' as const, subject: `user:${a.user_id}`, severity: 'critical' as const,
    message: a.over_limit > 0
      ? `${a.username}: customer profiles read past the limit (${a.over_limit} in one window); further reads refused`
      : `${a.username}: ${a.refused} customer profiles asked for with a purpose nothing backs`,
    data: { user_id: a.user_id, username: a.username, over_limit: a.over_limit, refused: a.refused, minutes: VIEW_ALERT_MINUTES },
  }));
}

/** A username or client address with a burst of failed or refused logins within LOGIN_ALERT_MINUTES (the auth module's throttle). */
export interface LoginBurst { by: 'user' | 'address'; key: string; tries: number; spread: number }
export const LOGIN_ALERT_MINUTES = 15;

/** Password guessing or spraying: one username tried from many places, or one address trying many names. */
export function loginAlertConditions(bursts: LoginBurst[]): Condition[] {
  return bursts.map((b) => ({
    kind: 'login_burst' as const, subject: `login:${b.by}:${b.key}`, severity: 'critical' as const,
    message: b.by === 'user'
      ? `${b.tries} failed or refused logins as ${b.key} from ${b.spread} address(es) in ${LOGIN_ALERT_MINUTES} min`
      : `${b.tries} failed or refused logins from ${b.key} for ${b.spread} username(s) in ${LOGIN_ALERT_MINUTES} min`,
    data: { by: b.by, [b.by === 'user' ? 'username' : 'address']: b.key, tries: b.tries, [b.by === 'user' ? 'addresses' : 'usernames']: b.spread, minutes: LOGIN_ALERT_MINUTES },
  }));
}

const seconds = (now: Date, since: string) => Math.round((now.getTime() - new Date(since).getTime()) / 1000);
const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/**
 * The alert conditions that hold on this board (SYS-04): pure, so every node reaches the same set.
 * `message` is English for logs and the API; screens word an alert from its `kind` and `data`, so
 * `data` carries every value the words need.
 */
export function alertConditions(w: Wallboard, t: AlertThresholds): Condition[] {
  const now = new Date(w.at);
  const out: Condition[] = [];
  // PRIVATE callers sit at the head of the queues (their head start), so the shown head has them all.
  for (const c of w.waiting) {
    const waited = seconds(now, c.since);
    if (c.tier === 'PRIVATE' && waited > t.privateWaitSeconds) {
      out.push({ kind: 'private_wait', subject: `entry:${c.entry_id}`, severity: 'critical', message: `PRIVATE caller waiting over ${t.privateWaitSeconds} s (${c.skill})`, data: { entry_id: c.entry_id, skill: c.skill, threshold_s: t.privateWaitSeconds } });
    }
  }
  for (const q of w.queues) {
    const counted = q.answered + q.abandoned_after;
    if (q.service_level !== null && counted >= t.minCalls && q.service_level < q.target.share) {
      out.push({ kind: 'service_level', subject: `queue:${q.key}`, severity: 'critical', message: `${q.key}: service level ${percent(q.service_level)} below target ${percent(q.target.share)} in ${q.target.seconds} s`, data: { queue: q.key, skill: q.skill, tier: q.tier, service_level: q.service_level, target: q.target, calls: counted } });
    }
    const finished = q.answered + q.abandoned;
    if (finished >= t.minCalls && q.abandoned / finished > t.abandonRate) {
      out.push({ kind: 'abandon_rate', subject: `queue:${q.key}`, severity: 'warning', message: `${q.key}: ${percent(q.abandoned / finished)} of callers hung up (limit ${percent(t.abandonRate)})`, data: { queue: q.key, skill: q.skill, tier: q.tier, abandoned: q.abandoned, finished, share: q.abandoned / finished, threshold: t.abandonRate } });
    }
  }
  for (const s of w.skills) {
    // The warning before a breach: the model says the floor is short for the arrivals it sees now.
    if (s.gap !== null && s.gap < 0 && s.staffing.arrivals_15m > 0) {
      out.push({ kind: 'staffing_gap', subject: `skill:${s.skill}`, severity: 'warning', message: `${s.skill}: ${-s.gap} more agent(s) needed to meet target (${s.staffed} staffed, ${s.staffing.needed_erlang_a} needed)`, data: { skill: s.skill, short: -s.gap, staffed: s.staffed, needed_erlang_a: s.staffing.needed_erlang_a, needed_erlang_c: s.staffing.needed_erlang_c, predicted_service_level: s.staffing.predicted_service_level } });
    }
  }
  for (const a of w.agents) {
    if (a.state === 'away' && seconds(now, a.since) > t.awaySeconds) {
      out.push({ kind: 'agent_away', subject: `agent:${a.id}`, severity: 'warning', message: `${a.name} away (${a.reason ?? 'no reason'}) over ${Math.round(t.awaySeconds / 60)} min`, data: { agent_id: a.id, name: a.name, reason: a.reason, threshold_s: t.awaySeconds } });
    }
  }
  return out;
}
