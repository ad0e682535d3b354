import { describe, expect, it } from 'vitest';
import { bankDay, checkConfig, timeOnDay } from '../../server/modules/replay/replay-day.js';
import { staffingSteps } from '../../server/modules/replay/replay-engine.js';

const DAY = bankDay('2026-11-18')!;

describe('replay input', () => {
  it('reads times of day in the bank\'s zone, and full ISO times as they are', () => {
    expect(DAY.toISOString()).toBe('2026-11-17T16:00:00.000Z'); // midnight in Shanghai
    expect(timeOnDay('09:30', DAY)?.toISOString()).toBe('2026-11-18T01:30:00.000Z');
    expect(timeOnDay('09:30:15', DAY)?.toISOString()).toBe('2026-11-18T01:30:15.000Z');
    expect(timeOnDay('2026-11-18T09:30:00+08:00', null)?.toISOString()).toBe('2026-11-18T01:30:00.000Z');
    expect(timeOnDay('09:30', null)).toBeNull();
    expect(timeOnDay('9.30', DAY)).toBeNull();
    expect(bankDay('18/11/2026')).toBeNull();
  });

  it('staffing intervals become steps: overlaps add up, a gap has nobody', () => {
    const checked = checkConfig({
      teams: { general: { skills: { general: 1 } }, cards: { skills: { cards: 2 } } },
      staffing: [
        { from: '08:00', to: '12:00', agents: { general: 3, cards: 1 } },
        { from: '09:00', to: '11:00', agents: { general: 2 } },
        { from: '13:00', to: '24:00', agents: { cards: 4 } },
      ],
    });
    const steps = staffingSteps(checked.config!, DAY).map((s) => [s.at.toISOString().slice(11, 16), s.until.toISOString().slice(11, 16), s.agents]);
    expect(steps).toEqual([
      ['00:00', '01:00', { general: 3, cards: 1 }],
      ['01:00', '03:00', { general: 5, cards: 1 }],
      ['03:00', '04:00', { general: 3, cards: 1 }],
      ['04:00', '05:00', {}],
      ['05:00', '16:00', { cards: 4 }],
    ]);
    expect(checked.config!.answer_seconds).toBe(2);
  });

  it('a configuration names every problem with where it is', () => {
    expect(checkConfig({ teams: { general: { skills: { mortgages: 1 } } }, staffing: [] }).problems.length).toBeGreaterThan(0);
    expect(checkConfig({ teams: { general: { skills: { general: 1 } } }, staffing: [{ from: '08:00', to: '09:00', agents: { general: 1 } }], settings: { ROUTING_FOO: 1 } }).problems)
      .toEqual(expect.arrayContaining([expect.stringContaining('/settings')]));
  });
});
