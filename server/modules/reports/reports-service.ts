import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { isTimeZone } from '../../lib/local-time.js';
import { serviceLevelShare, type ServiceLevels } from '../routing/service-levels.js';
import { project } from './reports-projection.js';
import { agentExists, agentStateFigures, contactsFigures, labelsFor, recordedCalls } from './reports-repository.js';
import { AGENT_STATES, type AgentStatesQuery, type AgentStatesReport, type AgentStatesRow, type ContactsQuery, type ContactsReport, type ContactsRow, type ReportInterval } from './reports-schemas.js';

const DAY_MS = 86_400_000;
/** The longest range per bucket size: enough for the reports people ask for, few enough rows to chart. */
export const MAX_RANGE_DAYS: Record<ReportInterval, number> = { '15m': 7, day: 400, week: 731, month: 3653 };

export interface ReportsDeps {
  db: Knex;
  levels: ServiceLevels;
  now?: () => Date;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
/** Averages and shares to a fixed precision, so JSON and CSV show the same figure. */
const round = (x: number | null, digits = 3) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** from < to, a range the interval allows, a zone that exists; else the coded 400s. */
function checkRange(q: { from: string; to: string; interval: ReportInterval; tz: string }): { from: Date; to: Date } {
  const from = new Date(q.from);
  const to = new Date(q.to);
  if (!(from < to)) throw appError('SB_ERR_REPORT_RANGE_INVALID', undefined, { from: q.from, to: q.to });
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > MAX_RANGE_DAYS[q.interval]) {
    throw appError('SB_ERR_REPORT_RANGE_TOO_LONG', `At most ${MAX_RANGE_DAYS[q.interval]} days with interval ${q.interval}`, { interval: q.interval, max_days: MAX_RANGE_DAYS[q.interval] });
  }
  if (!isTimeZone(q.tz)) throw appError('SB_ERR_REPORT_TIMEZONE_INVALID', undefined, { tz: q.tz });
  return { from, to };
}

/**
 * Contact-center reports: contacts (queue, handling, IVR, survey, first-contact resolution) and
 * agent states, by interval, from the interaction log's projection. Each report first brings the
 * projection up to date, so it includes every event logged before it was asked for.
 */
export function createReportsService(deps: ReportsDeps) {
  const { db, levels } = deps;
  const clock = deps.now ?? (() => new Date());

  return {
    /** Catches the projection up with the log (reports do this themselves; exposed for jobs and tests). */
    project: () => project(db),

    async contacts(q: ContactsQuery): Promise<ContactsReport> {
      const { from, to } = checkRange(q);
      await project(db);
      const figures = await contactsFigures(db, { from, to, interval: q.interval, by: q.by, tz: q.tz, levels });
      // Agents and RMs in id order (the query orders keys as text); the rows without one last.
      if (q.by === 'agent' || q.by === 'rm') {
        const rank = (k: string) => (k === '' ? Infinity : Number(k));
        figures.sort((a, b) => a.bucket.getTime() - b.bucket.getTime() || rank(a.key) - rank(b.key));
      }
      const labels = q.by === 'agent' || q.by === 'rm' ? await labelsFor(db, q.by, [...new Set(figures.filter((f) => f.key !== '').map((f) => Number(f.key)))]) : new Map<number, string>();
      const rows: ContactsRow[] = figures.map((f) => {
        const avg = (sum: number) => round(ratio(sum, f.handled), 1);
        return {
          bucket_start: f.bucket.toISOString(),
          key: f.key === '' ? null : f.key,
          label: f.key === '' ? null : labels.get(Number(f.key)) ?? null,
          offered: f.offered,
          answered: f.answered,
          abandoned: f.abandoned,
          answered_within_target: f.answered_within_target,
          abandoned_after_target: f.abandoned_after_target,
          service_level: round(serviceLevelShare(f.answered_within_target, f.answered, f.abandoned_after_target), 4),
          asa_s: round(ratio(f.answer_wait_s, f.answered), 1),
          handled: f.handled,
          aht_s: avg(f.talk_s + f.hold_s + f.wrap_s),
          talk_s: avg(f.talk_s),
          hold_s: avg(f.hold_s),
          wrap_s: avg(f.wrap_s),
          transfers: f.transfers,
          ivr_calls: f.ivr_calls,
          contained: f.contained,
          containment_rate: round(ratio(f.contained, f.ivr_calls), 4),
          fcr_contacts: f.fcr_contacts,
          fcr_resolved: f.fcr_resolved,
          fcr_rate: round(ratio(f.fcr_resolved, f.fcr_contacts), 4),
          csat_responses: f.csat_responses,
          csat_avg: round(ratio(f.csat_sum, f.csat_responses), 2),
        };
      });
      return { from: from.toISOString(), to: to.toISOString(), interval: q.interval, by: q.by, tz: q.tz, rows };
    },

    /** The inbound calls that reached a queue in [from, to), one per caller, as the log recorded them (the what-if replay's day). */
    async recordedCalls(from: Date, to: Date) {
      await project(db);
      return recordedCalls(db, from, to);
    },

    async agentStates(q: AgentStatesQuery): Promise<AgentStatesReport> {
      const { from, to } = checkRange(q);
      if (q.agent_id !== undefined && !(await agentExists(db, q.agent_id))) throw appError('SB_ERR_AGENT_NOT_FOUND');
      // Nothing is known past now: the states running now are counted up to this instant.
      const now = clock();
      const until = to < now ? to : now;
      const figures = until > from ? await agentStateFigures(db, { from, until, interval: q.interval, tz: q.tz, agentId: q.agent_id }) : [];
      const labels = await labelsFor(db, 'agent', [...new Set(figures.map((f) => f.agent_id))]);
      const rows = figures.map((f) => ({
        bucket_start: f.bucket.toISOString(),
        agent_id: f.agent_id,
        label: labels.get(f.agent_id) ?? null,
        ...Object.fromEntries(AGENT_STATES.map((s) => [`${s}_s`, round(f.seconds[s] ?? 0)])),
      }) as AgentStatesRow);
      return { from: from.toISOString(), to: to.toISOString(), interval: q.interval, tz: q.tz, until: (until > from ? until : from).toISOString(), rows };
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
