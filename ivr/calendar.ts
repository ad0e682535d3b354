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
