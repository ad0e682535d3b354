import { createReadStream } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { readFeed } from '../../lib/feed-reader.js';
import { isDate } from '../../lib/input-rules.js';
import { BANK_TIME_ZONE, startOfLocalDay } from '../../lib/local-time.js';
import { AgentLanguages, SKILLS, SkillLevels } from '../agents/agents-schemas.js';
import { TIERS } from '../tiers/tier-model.js';

/** One caller of the day being replayed: when they reached the queue, who they are, what they need. */
export interface Arrival {
  at: Date;
  tier: (typeof TIERS)[number];
  skill: (typeof SKILLS)[number];
  language: 'zh' | 'en';
  /** Talk, hold and wrap-up together: the agent's time for this call. */
  handleSeconds: number;
  /** How long they wait before hanging up; null: as long as it takes. */
  patienceSeconds: number | null;
  /** The IVR line's head start in seconds on top of the tier's (card loss, security). */
  priority: number;
}

/** A day's arrivals, in order, or every line that could not be read. */
export type DayResult = { arrivals: Arrival[]; problems: [] } | { arrivals: null; problems: string[] };

export const DAY_COLUMNS = ['time', 'tier', 'skill', 'handle_s', 'patience_s', 'language', 'priority'] as const;

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** `HH:MM[:SS]` on the day in the bank's zone, or a full ISO 8601 time; null when neither. */
export function timeOnDay(text: string, day: Date | null): Date | null {
  const clock = CLOCK_TIME.exec(text);
  if (clock) return day ? new Date(day.getTime() + ((Number(clock[1]) * 60 + Number(clock[2])) * 60 + Number(clock[3] ?? 0)) * 1000) : null;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Local midnight of a `YYYY-MM-DD` in the bank's zone. */
export function bankDay(date: string): Date | null {
  return isDate(date) ? startOfLocalDay(new Date(`${date}T12:00:00Z`), BANK_TIME_ZONE) : null;
}

const seconds = (v: string, min: number) => (/^\d+(\.\d+)?$/.test(v) && Number(v) >= min ? Number(v) : null);

/** One CSV row as an arrival, or what is wrong with it. */
function arrivalOf(f: Record<string, unknown>, day: Date | null): Arrival | string {
  const text = (k: string) => String(f[k] ?? '').trim();
  const at = timeOnDay(text('time'), day);
  if (!at) return CLOCK_TIME.test(text('time')) ? `time "${text('time')}" is a time of day: say which day (--date)` : `time "${text('time')}" is not HH:MM[:SS] or an ISO 8601 time`;
  const tier = text('tier').toUpperCase();
  if (!(TIERS as readonly string[]).includes(tier)) return `tier "${text('tier')}" is not one of ${TIERS.join(', ')}`;
  const skill = text('skill');
  if (!(SKILLS as readonly string[]).includes(skill)) return `skill "${skill}" is not one of ${SKILLS.join(', ')}`;
  const handle = seconds(text('handle_s'), 1);
  if (handle === null) return `handle_s "${text('handle_s')}" is not a number of seconds (at least 1)`;
  const patience = text('patience_s') === '' ? null : seconds(text('patience_s'), 0);
  if (text('patience_s') !== '' && patience === null) return `patience_s "${text('patience_s')}" is not a number of seconds (empty: waits as long as it takes)`;
  const language = text('language') || 'zh';
  if (language !== 'zh' && language !== 'en') return `language "${language}" is not zh or en`;
  const priority = text('priority') === '' ? 0 : seconds(text('priority'), 0);
  if (priority === null) return `priority "${text('priority')}" is not a number of seconds`;
  return { at, tier: tier as Arrival['tier'], skill: skill as Arrival['skill'], language, handleSeconds: handle, patienceSeconds: patience, priority };
}

/**
 * Reads a day of arrivals from a CSV file (columns as DAY_COLUMNS; time, tier, skill and handle_s
 * required). Every bad line is named; the day is replayed only when all of it reads.
 */
export async function readDay(file: string, day: Date | null): Promise<DayResult> {
  const arrivals: Arrival[] = [];
  const problems: string[] = [];
  let header: string[] = [];
  const input = createReadStream(file);
  // A file that is not there (or not readable) is the user's to fix: said so, not a stack trace.
  const opened = await new Promise<Error | null>((resolve) => { input.once('open', () => resolve(null)); input.once('error', resolve); });
  if (opened) return { arrivals: null, problems: [`cannot read the file (${(opened as NodeJS.ErrnoException).code ?? opened.message})`] };
  for await (const r of readFeed(input, 'csv', (names) => { header = names; })) {
    if ('error' in r) {
      problems.push(`line ${r.line}: ${r.error.message}`);
      continue;
    }
    const a = arrivalOf(r.fields, day);
    if (typeof a === 'string') problems.push(`line ${r.line}: ${a}`);
    else arrivals.push(a);
  }
  const missing = ['time', 'tier', 'skill', 'handle_s'].filter((c) => !header.includes(c));
  if (missing.length > 0) return { arrivals: null, problems: [`the header has no ${missing.join(', ')} (columns: ${DAY_COLUMNS.join(', ')})`] };
  const unknown = header.filter((c) => !(DAY_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) problems.unshift(`line 1: unknown column ${unknown.join(', ')} (columns: ${DAY_COLUMNS.join(', ')})`);
  if (problems.length > 0) return { arrivals: null, problems };
  if (arrivals.length === 0) return { arrivals: null, problems: ['the file has no arrivals'] };
  return { arrivals: arrivals.sort((a, b) => a.at.getTime() - b.at.getTime()), problems: [] };
}

const LocalTime = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$', description: 'HH:MM in the bank\'s time zone' });

/** The routing settings a replay may change: the same names and rules as the server's configuration. */
export const REPLAY_SETTINGS = [
  'ROUTING_TIER_HEADSTART', 'ROUTING_OVERFLOW_SECONDS', 'ROUTING_RM_WAIT_SECONDS', 'ROUTING_OFFER_SECONDS', 'SERVICE_LEVELS', 'SERVICE_HOURS',
] as const;

const Setting = Type.Union([Type.String(), Type.Number()]);

/** A routing configuration to try on the day: settings, teams, who is staffed when, and how agents work. */
export const ReplayConfig = Type.Object({
  description: Type.Optional(Type.String({ maxLength: 200 })),
  /** Checked as the server checks its environment (loadConfig), when the replay starts. */
  settings: Type.Optional(Type.Partial(Type.Object(Object.fromEntries(REPLAY_SETTINGS.map((k) => [k, Setting])) as Record<(typeof REPLAY_SETTINGS)[number], typeof Setting>), { additionalProperties: false })),
  teams: Type.Record(Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }), Type.Object({
    skills: SkillLevels,
    languages: Type.Optional(AgentLanguages),
  }, { additionalProperties: false }), { minProperties: 1 }),
  staffing: Type.Array(Type.Object({
    from: LocalTime,
    to: LocalTime,
    agents: Type.Record(Type.String(), Type.Integer({ minimum: 0, maximum: 2000 })),
  }, { additionalProperties: false }), { minItems: 1 }),
  /** Seconds from an offer to the agent accepting it (the ring on the console). */
  answer_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 2 })),
  /** Of each call's handle time, the seconds spent in wrap-up after the caller has gone. */
  wrap_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, default: 0 })),
}, { additionalProperties: false });
export type ReplayConfig = Static<typeof ReplayConfig>;

/** A configuration file's content checked: the config, or every problem with where it is. */
export function checkConfig(raw: unknown): { config: ReplayConfig; problems: [] } | { config: null; problems: string[] } {
  const errors = [...Value.Errors(ReplayConfig, raw)].map((e) => `${e.instancePath || '/'}: ${e.message}`);
  if (errors.length > 0) return { config: null, problems: errors };
  const config = Value.Default(ReplayConfig, structuredClone(raw)) as ReplayConfig;
  const problems: string[] = [];
  config.staffing.forEach((s, i) => {
    if (s.from >= s.to) problems.push(`/staffing/${i}: from ${s.from} is not before to ${s.to}`);
    for (const team of Object.keys(s.agents)) if (!config.teams[team]) problems.push(`/staffing/${i}/agents: no team "${team}" in /teams`);
  });
  return problems.length > 0 ? { config: null, problems } : { config, problems: [] };
}

/** Handle time of a caller nobody answered on the day, when their queue answered nobody either (seconds). */
const FALLBACK_HANDLE_SECONDS = 180;

/**
 * A recorded day as arrivals. A caller who was answered waits as long as it takes in the replay
 * (how much longer they would have waited is not known); one who hung up or left the line hangs
 * up after the same wait. A caller nobody served gets their queue's mean handle time of the day.
 */
export function arrivalsOf(calls: { enqueued_at: Date; skill: string; tier: string; language: string; priority: number; handle_s: number | null; left_after_s: number | null }[]): Arrival[] {
  const handled = new Map<string, { sum: number; n: number }>();
  for (const c of calls) {
    if (c.handle_s === null) continue;
    const h = handled.get(c.skill) ?? { sum: 0, n: 0 };
    handled.set(c.skill, { sum: h.sum + c.handle_s, n: h.n + 1 });
  }
  const meanHandle = (skill: string) => { const h = handled.get(skill); return h ? h.sum / h.n : FALLBACK_HANDLE_SECONDS; };
  return calls.map((c) => ({
    at: c.enqueued_at,
    tier: ((TIERS as readonly string[]).includes(c.tier) ? c.tier : 'STANDARD') as Arrival['tier'],
    skill: ((SKILLS as readonly string[]).includes(c.skill) ? c.skill : 'general') as Arrival['skill'],
    language: c.language === 'en' ? 'en' : 'zh',
    handleSeconds: Math.max(1, Math.round(c.handle_s ?? meanHandle(c.skill))),
    patienceSeconds: c.left_after_s,
    priority: c.priority,
  }));
}
