import { addOpenMinutes } from '../../../ivr/calendar.js';
import type { Calendar } from '../../../ivr/flow-schema.js';

/** A case's targets, in working minutes of the bank's calendar. */
export interface SlaTarget { ackMinutes: number; resolveMinutes: number }

export interface CaseSla {
  /** The target of a case: its category's, else its kind's, else the `*` default. */
  targetOf(kind: string, category: string): SlaTarget;
  /** The instant `minutes` of working time after `from`. */
  after(from: Date, minutes: number): Date;
  /** Acknowledge-by, resolve-by and at-risk-from for a case opened (or reopened) at `from`. */
  deadlines(kind: string, category: string, from: Date): { ack_due_at: Date; sla_due_at: Date; risk_at: Date };
}

/**
 * CASE_SLA: `key=ack/resolve,…` in working hours, the key a category (fees), a kind (suggestion)
 * or `*`. A configuration with holes is refused at boot: no `*` (some case would have no target),
 * an acknowledge target longer than its resolve target, or a zero resolve target.
 */
export function parseCaseSla(spec: string, calendars: Record<string, Calendar>, calendarName: string, atRiskPercent: number): CaseSla {
  const calendar = calendars[calendarName];
  if (!calendar) throw new Error(`CASE_SLA_CALENDAR: ${calendarName} names no calendar (known: ${Object.keys(calendars).join(', ')})`);
  const targets = new Map<string, SlaTarget>();
  for (const part of spec.split(',')) {
    const [key, value] = part.split('=') as [string, string];
    const [ack, resolve] = value.split('/').map(Number) as [number, number];
    if (targets.has(key)) throw new Error(`CASE_SLA: ${key} is given twice`);
    if (resolve <= 0) throw new Error(`CASE_SLA: ${key} has no resolve time`);
    if (ack > resolve) throw new Error(`CASE_SLA: ${key} must be acknowledged within its resolve time (${ack} h > ${resolve} h)`);
    targets.set(key, { ackMinutes: Math.round(ack * 60), resolveMinutes: Math.round(resolve * 60) });
  }
  if (!targets.has('*')) throw new Error('CASE_SLA: no * target, so some cases would have none (add *=ack/resolve)');
  const after = (from: Date, minutes: number) => {
    const at = addOpenMinutes(calendar, from, minutes);
    if (!at) throw new Error(`CASE_SLA_CALENDAR: ${calendarName} has no working hours ahead`);
    return at;
  };
  if (!addOpenMinutes(calendar, new Date(), 60)) throw new Error(`CASE_SLA_CALENDAR: ${calendarName} has no working hours ahead`);
  const targetOf = (kind: string, category: string) => targets.get(category) ?? targets.get(kind) ?? targets.get('*')!;
  return {
    targetOf,
    after,
    deadlines(kind, category, from) {
      const t = targetOf(kind, category);
      return { ack_due_at: after(from, t.ackMinutes), sla_due_at: after(from, t.resolveMinutes), risk_at: after(from, Math.floor((t.resolveMinutes * atRiskPercent) / 100)) };
    },
  };
}
