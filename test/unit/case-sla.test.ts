import { describe, expect, it } from 'vitest';
import { loadCalendars } from '../../ivr/flows.js';
import { parseCaseSla } from '../../server/modules/cases/case-sla.js';

const calendars = loadCalendars();

describe('case SLA configuration', () => {
  it('refuses a configuration with holes: no default, an acknowledge target past the resolve target, an unknown calendar', () => {
    expect(() => parseCaseSla('fees=2/24', calendars, 'bank', 80)).toThrow(/no \* target/);
    expect(() => parseCaseSla('*=30/24', calendars, 'bank', 80)).toThrow(/acknowledged within/);
    expect(() => parseCaseSla('*=0/0', calendars, 'bank', 80)).toThrow(/no resolve time/);
    expect(() => parseCaseSla('*=1/4,*=2/8', calendars, 'bank', 80)).toThrow(/twice/);
    expect(() => parseCaseSla('*=1/4', calendars, 'nowhere', 80)).toThrow(/CASE_SLA_CALENDAR/);
  });

  it('takes the category first, then the kind, then *; and counts only the working hours, skipping holidays', () => {
    const sla = parseCaseSla('*=4/40,fees=2/24,suggestion=8/80', calendars, 'bank', 80);
    expect(sla.targetOf('complaint', 'fees')).toEqual({ ackMinutes: 120, resolveMinutes: 1440 });
    expect(sla.targetOf('suggestion', 'service')).toEqual({ ackMinutes: 480, resolveMinutes: 4800 });
    expect(sla.targetOf('complaint', 'loan')).toEqual({ ackMinutes: 240, resolveMinutes: 2400 });
    // Wednesday 30 Sep 2026 19:00 Shanghai, one hour before closing; 1-7 October are the National Day holidays.
    const due = sla.deadlines('complaint', 'fees', new Date('2026-09-30T11:00:00Z'));
    expect(due.ack_due_at.toISOString()).toBe('2026-10-08T01:00:00.000Z'); // Thursday 8 Oct 09:00
    expect(due.sla_due_at.toISOString()).toBe('2026-10-09T11:00:00.000Z'); // 1 h + 12 h + 11 h: Friday 19:00
    expect(due.risk_at.getTime()).toBeLessThan(due.sla_due_at.getTime());
  });
});
