import type { Knex } from 'knex';
import { startOfInterval, startOfLocalDay } from '../../lib/local-time.js';
import { DEFAULT_HANDLE_SECONDS } from '../routing/routing-service.js';
import { agentsNeeded, erlangA, expectedWait } from '../routing/erlang.js';
import { targetOf, serviceLevelShare, type ServiceLevels, type ServiceLevelTarget } from '../routing/service-levels.js';
import { openAlerts } from './alerts-repository.js';
import type { Progress } from '../campaigns/campaigns-schemas.js';
import type { CallbackBacklog } from '../callbacks/callbacks-schemas.js';
import { agentBoard, campaignNames, queueFigures, skillFigures, waitingHead } from './wallboard-repository.js';
import type { Wallboard, WallboardCampaign, WallboardQueue, WallboardSkill } from './supervision-schemas.js';

export const INTERVAL_MINUTES = 15;
const WAITING_SHOWN = 50;
const VIP_TIERS: ReadonlySet<string> = new Set(['PRIVATE', 'DIAMOND']);

const iso = (d: Date | string) => new Date(d).toISOString();
const round = (n: number | null) => (n === null || !Number.isFinite(n) ? null : Math.round(n));

/** 王建国 -> 王** ; Wang Jianguo -> W*** J***: enough for a supervisor to tell callers apart on a shared screen. */
export function maskName(name: string): string {
  if (/^[\p{Script=Han}]+$/u.test(name)) return name[0] + '*'.repeat(name.length - 1);
  return name.split(/\s+/).map((w) => (w ? `${w[0]}***` : w)).join(' ');
}

interface Load { arrivals15m: number; handleSeconds: number; patienceSeconds: number | null; staffed: number }

/**
 * The staffing models for one load: agents needed now for the target (Erlang C, and Erlang A with
 * the callers' observed patience), and the service level Erlang A predicts with the agents staffed.
 * The prediction is what warns before a breach: it drops below target as soon as arrivals outgrow
 * the floor, while the interval's measured service level still looks good.
 */
function staffing(load: Load, target: ServiceLevelTarget) {
  const arrivalRate = load.arrivals15m / (INTERVAL_MINUTES * 60);
  const base = { arrivalRate, handleSeconds: load.handleSeconds, agents: load.staffed };
  // No abandonment seen means patience is long; a day stands in for "forever" and keeps Erlang A finite.
  const patienceSeconds = load.patienceSeconds ?? 86_400;
  const predicted = arrivalRate === 0 ? null : erlangA({ ...base, patienceSeconds }, target.seconds).answeredWithinShare;
  return {
    arrivals_15m: load.arrivals15m,
    handle_s: Math.round(load.handleSeconds),
    patience_s: round(load.patienceSeconds),
    needed_erlang_c: agentsNeeded('C', base, target),
    needed_erlang_a: agentsNeeded('A', { ...base, patienceSeconds }, target),
    predicted_service_level: predicted,
  };
}

/** The strictest target among tiers: the one a shared skill group must staff for. */
function strictest(targets: ServiceLevelTarget[]): ServiceLevelTarget {
  return targets.reduce((a, b) => (b.share > a.share || (b.share === a.share && b.seconds < a.seconds) ? b : a));
}

/** The campaigns' progress as board rows: keyed by campaign, with the name the supervisor knows it by. */
async function campaignRows(db: Knex, progress: Progress[]): Promise<WallboardCampaign[]> {
  const names = await campaignNames(db, progress.map((p) => p.campaign_id));
  return progress.map((p) => ({ key: String(p.campaign_id), name: names.get(p.campaign_id) ?? `#${p.campaign_id}`, ...p }));
}

/**
 * Reads the whole live picture from PostgreSQL, so every node computes the same board whatever
 * node the calls and agents are on. A handful of indexed statements, whatever the number of
 * supervisors watching: a node builds one board a tick and sends it to all of them.
 * `campaignProgress` is the campaigns module's live progress, `callbackBacklog` the callbacks
 * module's backlog (none when not given).
 */
export async function buildWallboard(
  db: Knex, now: Date, levels: ServiceLevels, campaignProgress: () => Promise<Progress[]> = async () => [], callbackBacklog: () => Promise<CallbackBacklog[]> = async () => [],
): Promise<Wallboard> {
  const intervalStart = startOfInterval(now, INTERVAL_MINUTES);
  const [figures, skillsNow, agents, head, alerts, campaigns, callbacks] = await Promise.all([
    queueFigures(db, now, intervalStart, levels),
    skillFigures(db, now),
    agentBoard(db, startOfLocalDay(now)),
    waitingHead(db, WAITING_SHOWN),
    openAlerts(db),
    campaignProgress().then((p) => campaignRows(db, p)),
    callbackBacklog(),
  ]);
  const handleOf = (skill: string) => skillsNow.handle.get(skill) ?? DEFAULT_HANDLE_SECONDS;
  const staffedOf = (skill: string) => skillsNow.staffed.get(skill) ?? { staffed: 0, available: 0 };

  const queues: WallboardQueue[] = figures.map((f) => {
    const target = targetOf(levels, f.tier);
    const patience = f.abandons_1h > 0 ? f.waited_1h_s / f.abandons_1h : null;
    const waitingInSkill = figures.filter((g) => g.skill === f.skill).reduce((n, g) => n + g.waiting, 0);
    const estimate = expectedWait({ arrivalRate: f.arrivals_15m / 900, handleSeconds: handleOf(f.skill), agents: staffedOf(f.skill).staffed }, waitingInSkill);
    return {
      key: `${f.skill}:${f.tier}`, skill: f.skill, tier: f.tier, waiting: f.waiting,
      oldest_since: f.oldest_since ? iso(f.oldest_since) : null,
      estimated_wait_s: round(estimate),
      target: { share: target.share, seconds: target.seconds },
      arrived: f.arrived, answered: f.answered, answered_within: f.answered_within, abandoned: f.abandoned, abandoned_after: f.abandoned_after,
      service_level: serviceLevelShare(f.answered_within, f.answered, f.abandoned_after),
      asa_s: f.asa_s === null ? null : Math.round(f.asa_s * 10) / 10,
      staffing: staffing({ arrivals15m: f.arrivals_15m, handleSeconds: handleOf(f.skill), patienceSeconds: patience, staffed: staffedOf(f.skill).staffed }, target),
    };
  }).sort((a, b) => a.key.localeCompare(b.key));

  const skillNames = [...new Set([...queues.map((q) => q.skill), ...skillsNow.staffed.keys()])].sort();
  const skills: WallboardSkill[] = skillNames.map((skill) => {
    const mine = figures.filter((f) => f.skill === skill);
    const abandons = mine.reduce((n, f) => n + f.abandons_1h, 0);
    const exposure = mine.reduce((n, f) => n + f.waited_1h_s, 0);
    const busyTiers = mine.filter((f) => f.arrivals_15m > 0).map((f) => targetOf(levels, f.tier));
    const s = staffedOf(skill);
    const model = staffing({
      arrivals15m: mine.reduce((n, f) => n + f.arrivals_15m, 0), handleSeconds: handleOf(skill),
      patienceSeconds: abandons > 0 ? exposure / abandons : null, staffed: s.staffed,
    }, busyTiers.length > 0 ? strictest(busyTiers) : targetOf(levels, 'STANDARD'));
    return {
      key: skill, skill, waiting: mine.reduce((n, f) => n + f.waiting, 0), staffed: s.staffed, available: s.available,
      staffing: model, gap: model.needed_erlang_a === null ? null : s.staffed - model.needed_erlang_a,
    };
  });

  return {
    at: now.toISOString(),
    interval: { start: intervalStart.toISOString(), end: new Date(intervalStart.getTime() + INTERVAL_MINUTES * 60_000).toISOString() },
    queues,
    skills,
    agents: agents.map((a) => ({
      key: String(a.user_id), id: a.user_id, name: a.display_name, state: a.state, reason: a.reason, since: iso(a.state_since),
      call: a.entry_id && a.skill && a.tier && a.entry_state ? {
        entry_id: a.entry_id, skill: a.skill, tier: a.tier, state: a.entry_state, held: a.held ?? false,
        since: iso(a.answered_at ?? a.enqueued_at ?? a.state_since),
      } : null,
      handled_today: a.handled_today,
    })),
    waiting: head.map((e, i) => ({
      key: String(e.id), position: i + 1, entry_id: String(e.id), skill: e.skill, tier: e.tier, language: e.language, state: e.state, since: iso(e.enqueued_at),
      customer: e.name ? maskName(e.name) : null, vip: VIP_TIERS.has(e.tier),
    })),
    alerts,
    campaigns,
    callbacks: callbacks.map((c) => ({ key: `${c.skill}:${c.tier}`, ...c })),
  };
}
