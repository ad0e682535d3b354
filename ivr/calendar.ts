import type { Calendar } from './flow-schema.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type DayKey = (typeof DAYS)[number];

export interface LocalTime { date: string; day: DayKey; minutes: number }

/** Wall-clock date, weekday and minute of the day in an IANA zone (throws RangeError on a bad zone). */
export function localTime(at: Date, timezone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  // Derive the weekday from the local date itself: independent of locale weekday names.
  const day = DAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? 'sun';
  return { date, day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Is the calendar open at this instant? Holidays close the whole day; make-up workdays use Monday's hours. */
export function isOpen(calendar: Calendar, at: Date): boolean {
  const t = localTime(at, calendar.timezone);
  if (calendar.holidays.includes(t.date)) return false;
  const day: DayKey = calendar.workdays?.includes(t.date) ? 'mon' : t.day;
  return (calendar.weekly[day] ?? []).some((range) => {
    const [from = '', to = ''] = range.split('-');
    return t.minutes >= toMinutes(from) && t.minutes < toMinutes(to);
  });
}

/** Milliseconds `timeZone` is ahead of UTC at `at`. */
function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(at / 1000) * 1000;
}

/** The instant a local wall-clock time (date + minute of the day) falls on in `timeZone`. */
function instantOf(date: string, minutes: number, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  const first = wall - offsetMs(wall, timeZone);
  // Across a clock change the offset at the guess differs from the offset at the answer: once more.
  return wall - offsetMs(first, timeZone);
}

/** The hours ranges of one local date, as minutes of that day: none on a holiday, Monday's on a make-up workday. */
function rangesOn(calendar: Calendar, date: string): [number, number][] {
  if (calendar.holidays.includes(date)) return [];
  const day: DayKey = calendar.workdays?.includes(date) ? 'mon' : (DAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? 'sun');
  return (calendar.weekly[day] ?? []).map((range) => {
    const [from = '', to = ''] = range.split('-');
    return [toMinutes(from), toMinutes(to)];
  });
}

/**
 * When the calendar is next open: `at` itself if open now, else the start of the next opening
 * within `horizonDays`, else null (a calendar that never opens).
 */
export function nextOpen(calendar: Calendar, at: Date, horizonDays = 31): Date | null {
  if (isOpen(calendar, at)) return at;
  const today = localTime(at, calendar.timezone).date;
  for (let d = 0; d <= horizonDays; d++) {
    const date = new Date(Date.parse(`${today}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
    for (const [from] of rangesOn(calendar, date).sort((a, b) => a[0] - b[0])) {
      const opens = instantOf(date, from, calendar.timezone);
      if (opens > at.getTime()) return new Date(opens);
    }
  }
  return null;
}

/**
 * The instant `minutes` of the calendar's open time after `from` (a working-hours deadline: an SLA
 * of 8 hours opened on Friday at 18:00 in 08:00-20:00 hours falls due on Monday at 14:00). Time
 * outside the hours does not count. Null for a calendar with no hours within `horizonDays`.
 */
export function addOpenMinutes(calendar: Calendar, from: Date, minutes: number, horizonDays = 400): Date | null {
  let left = minutes * 60_000;
  const start = from.getTime();
  const today = localTime(from, calendar.timezone).date;
  for (let d = 0; d <= horizonDays; d++) {
    const date = new Date(Date.parse(`${today}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
    for (const [a, b] of rangesOn(calendar, date).sort((x, y) => x[0] - y[0])) {
      const opens = Math.max(instantOf(date, a, calendar.timezone), start);
      const closes = instantOf(date, b, calendar.timezone);
      if (closes <= opens) continue;
      if (left <= closes - opens) return new Date(opens + left);
      left -= closes - opens;
    }
  }
  return null;
}
