import { isOpen, nextOpen } from '../../../ivr/calendar.js';
import type { Calendar } from '../../../ivr/flow-schema.js';

/**
 * The hours each skill group's agents keep (SERVICE_HOURS): one calendar for every queue
 * (`always`, `bank`), or per skill with `*` for the rest (`*=bank,cards=always`). The calendars
 * themselves are data (ivr/calendars.json). A queue outside its hours is never entered: the IVR
 * runs the flow's fallback instead, and a callback waits for the next opening.
 */
export interface ServiceHours {
  calendarOf(skill: string): Calendar;
  isOpen(skill: string, at: Date): boolean;
  /** When the skill's hours next open (`at` itself when open now); null for a calendar that never opens. */
  nextOpen(skill: string, at: Date): Date | null;
  /** The configured names, for error messages and the README. */
  describe(): string;
}

export function parseServiceHours(spec: string, calendars: Record<string, Calendar>): ServiceHours {
  const bySkill = new Map<string, string>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [skill, name] = part.includes('=') ? part.split('=') : ['*', part];
    bySkill.set(skill!, name!);
  }
  for (const [skill, name] of bySkill) {
    if (!calendars[name]) throw new Error(`SERVICE_HOURS: ${skill === '*' ? '' : `${skill}=`}${name} names no calendar (known: ${Object.keys(calendars).join(', ')})`);
  }
  if (!bySkill.has('*')) bySkill.set('*', 'always');
  const calendarOf = (skill: string) => calendars[bySkill.get(skill) ?? bySkill.get('*')!]!;
  return {
    calendarOf,
    isOpen: (skill, at) => isOpen(calendarOf(skill), at),
    nextOpen: (skill, at) => nextOpen(calendarOf(skill), at),
    describe: () => [...bySkill].map(([s, n]) => (s === '*' ? n : `${s}=${n}`)).join(','),
  };
}
