import { describe, expect, it } from 'vitest';
import { checkCompliance, rowHash, type ComplianceFacts } from '../../server/modules/campaigns/compliance.js';
import { dialsNow, inCallingWindow, nextWindowOpen, overdialAllowed, pacingRatio, type PacingInput } from '../../server/modules/campaigns/pacing.js';

const base: PacingInput = { mode: 'predictive', freeAgents: 4, inFlight: 0, overdialInFlight: 0, finished: 100, humans: 50, abandoned: 0, maxAbandonRate: 0.03, rateBudget: 100 };

describe('pacing', () => {
  it('dials one per free agent in progressive mode, less the calls already ringing, within the rate budget', () => {
    expect(dialsNow({ ...base, mode: 'progressive', inFlight: 1 })).toEqual({ backed: 3, overdial: 0 });
    expect(dialsNow({ ...base, mode: 'progressive', rateBudget: 2 })).toEqual({ backed: 2, overdial: 0 });
    expect(dialsNow({ ...base, mode: 'preview' })).toEqual({ backed: 0, overdial: 0 });
  });

  it('derives the predictive ratio from the answer rate, and trusts it only after enough dials', () => {
    expect(pacingRatio({ finished: 100, humans: 50 })).toBe(2);
    expect(pacingRatio({ finished: 100, humans: 10 })).toBe(3); // capped
    expect(pacingRatio({ finished: 10, humans: 2 })).toBe(1); // too few to trust
  });

  it('over-dials only while even abandoning every over-dial in flight would keep the rate within the cap', () => {
    // 50 people reached, none abandoned: one more over-dial is 1/51 < 3 %, two would be 2/52 > 3 %.
    expect(dialsNow(base)).toEqual({ backed: 4, overdial: 1 });
    expect(overdialAllowed({ humans: 50, abandoned: 0, overdialInFlight: 1, maxAbandonRate: 0.03 })).toBe(false);
    expect(dialsNow({ ...base, humans: 50, abandoned: 2 })).toEqual({ backed: 4, overdial: 0 });
    expect(dialsNow({ ...base, maxAbandonRate: 0.2 })).toEqual({ backed: 4, overdial: 4 });
  });

  it('reads the calling window in the customer\'s own time zone', () => {
    const at = new Date('2026-12-01T01:30:00Z'); // 09:30 in Shanghai, 20:30 the day before in New York
    expect(inCallingWindow(at, 'Asia/Shanghai', '09:00', '20:00')).toBe(true);
    expect(inCallingWindow(at, 'America/New_York', '09:00', '20:00')).toBe(false);
    expect(nextWindowOpen(at, 'America/New_York', '09:00', '20:00').toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(nextWindowOpen(at, 'Asia/Shanghai', '09:00', '20:00')).toBe(at);
  });
});

const facts: ComplianceFacts = {
  at: new Date('2026-12-01T03:00:00Z'), timezone: 'Asia/Shanghai', window_start: '09:00', window_end: '20:00', do_not_call: false, consent_required: true, consent: true,
  other_campaign_dials_today: 0, dials_today: 0, max_dials_per_day: 3, overdial: false, humans: 0, abandoned: 0, overdial_in_flight: 0, max_abandon_rate: 0.03, ring_seconds: 25,
};

describe('compliance check', () => {
  it('allows a dial that passes every check and records each check', () => {
    const r = checkCompliance(facts);
    expect(r.decision).toBe('allow');
    expect(Object.keys(r.checks).sort()).toEqual(['abandon_rate', 'calling_window', 'consent', 'do_not_call', 'frequency', 'ring_time']);
  });

  it.each([
    [{ at: new Date('2026-12-01T13:00:00Z') }, 'calling_window'], // 21:00 in Shanghai
    [{ do_not_call: true }, 'do_not_call'],
    [{ consent: false }, 'consent'],
    [{ other_campaign_dials_today: 1 }, 'frequency'],
    [{ dials_today: 3 }, 'frequency'],
    [{ overdial: true, humans: 10, abandoned: 1 }, 'abandon_rate'],
    [{ ring_seconds: 10 }, 'ring_time'],
  ] as [Partial<ComplianceFacts>, string][])('denies %o for %s', (change, reason) => {
    const r = checkCompliance({ ...facts, ...change });
    expect(r.decision).toBe('deny');
    expect(r.reasons).toEqual([reason]);
  });

  it('needs no marketing consent for a service call', () => {
    expect(checkCompliance({ ...facts, consent_required: false, consent: false }).decision).toBe('allow');
  });

  it('hashes a row the same whatever order its checks come back in (jsonb does not keep key order)', () => {
    const row = { id: '7', at: facts.at, campaign_id: 1, entry_id: '2', attempt_id: '3', customer_id: 4, phone_masked: '+86 139****0001', decision: 'allow', reasons: [], checks: { a: { ok: true, x: 1 }, b: { ok: false } } };
    const reordered = { ...row, checks: { b: { ok: false }, a: { x: 1, ok: true } } };
    expect(rowHash('0'.repeat(64), row)).toBe(rowHash('0'.repeat(64), reordered));
    expect(rowHash('0'.repeat(64), { ...row, decision: 'deny' })).not.toBe(rowHash('0'.repeat(64), row));
  });
});
