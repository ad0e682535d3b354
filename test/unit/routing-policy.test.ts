import { describe, expect, it } from 'vitest';
import { erlangC, expectedWait, remainingWait, serviceLevel } from '../../server/modules/routing/erlang.js';
import { allowedSkills, canServe, nextWidening, overflowStep, parseHeadStarts, priorityAt, reachOf, rmWaitSeconds, ruleFor } from '../../server/modules/routing/routing-policy.js';
import { parseServiceLevels } from '../../server/modules/routing/service-levels.js';
import { arrivalRate, estimateWait, residualSeconds, servedAt } from '../../server/modules/routing/wait-model.js';

const heads = parseHeadStarts('PRIVATE=3600,DIAMOND=300,GOLD=120,STANDARD=0');
const at = (s: number) => new Date(Date.UTC(2026, 10, 18, 2, 0, s));
const order = (calls: { tier: string; arrived: number }[]) =>
  [...calls].sort((a, b) => priorityAt(at(a.arrived), a.tier, heads).getTime() - priorityAt(at(b.arrived), b.tier, heads).getTime());

describe('priority with aging', () => {
  it('puts a PRIVATE caller ahead of STANDARD callers who have waited less than the head start', () => {
    const queue = order([{ tier: 'STANDARD', arrived: 0 }, { tier: 'STANDARD', arrived: 100 }, { tier: 'PRIVATE', arrived: 3000 }]);
    expect(queue[0]!.tier).toBe('PRIVATE');
  });

  it('bounds overtaking: a later higher-tier caller passes only within the difference of head starts', () => {
    // GOLD is credited 120 s: a GOLD caller 119 s after a STANDARD one goes first, one 121 s after does not.
    expect(order([{ tier: 'STANDARD', arrived: 0 }, { tier: 'GOLD', arrived: 119 }])[0]!.tier).toBe('GOLD');
    expect(order([{ tier: 'STANDARD', arrived: 0 }, { tier: 'GOLD', arrived: 121 }])[0]!.tier).toBe('STANDARD');
  });

  it('never reorders two callers of the same tier (first come, first served)', () => {
    expect(order([{ tier: 'GOLD', arrived: 5 }, { tier: 'GOLD', arrived: 1 }]).map((c) => c.arrived)).toEqual([1, 5]);
  });
});

describe('priority of the line the caller took', () => {
  it('lets a STANDARD caller who lost a card (boost 600) go before GOLD callers who came shortly before', () => {
    const lostCard = priorityAt(at(60), 'STANDARD', heads, 600);
    const gold = priorityAt(at(0), 'GOLD', heads);
    expect(lostCard.getTime()).toBeLessThan(gold.getTime());
    // ... but not before a PRIVATE caller, whose head start is an hour.
    expect(lostCard.getTime()).toBeGreaterThan(priorityAt(at(60), 'PRIVATE', heads).getTime());
  });
});

describe('who may serve a call', () => {
  const timing = { overflowSeconds: 60, levels: parseServiceLevels('PRIVATE=90/10,DIAMOND=85/15,GOLD=80/20,STANDARD=80/30'), rmWaitSeconds: 20 };
  const call = { skill: 'private_banking', tier: 'STANDARD', language: 'zh', rm_id: null, target_agent_id: null, declined_by: [], enqueued_at: at(0) };
  const agent = (skills: Record<string, number>, extra: object = {}) => ({ user_id: 7, skills, languages: ['zh'], rm_id: null, idle_since: at(0), ...extra });

  it('widens the skill group one step per overflow period', () => {
    expect(allowedSkills('private_banking', 59, 60)).toEqual(['private_banking']);
    expect(allowedSkills('private_banking', 60, 60)).toEqual(['private_banking', 'wealth']);
    expect(allowedSkills('private_banking', 200, 60)).toEqual(['private_banking', 'wealth', 'general']);
    expect(allowedSkills('general', 10_000, 60)).toEqual(['general']);
  });

  it('takes the skill, the language, a refusal and the relationship manager into account', () => {
    expect(canServe(agent({ general: 3 }), call, at(5), timing)).toBe(false);
    expect(canServe(agent({ general: 3 }), call, at(30), timing)).toBe(true);
    expect(canServe(agent({ private_banking: 1 }, { languages: ['en'] }), call, at(5), timing)).toBe(false);
    expect(canServe(agent({ private_banking: 1 }), { ...call, declined_by: [7] }, at(5), timing)).toBe(false);
    const rm = agent({}, { rm_id: 42 });
    expect(canServe(rm, { ...call, rm_id: 42 }, at(0), timing)).toBe(true);
    expect(ruleFor(rm, { ...call, rm_id: 42 })).toBe('relationship_manager');
    expect(ruleFor(agent({ general: 1 }), call)).toBe('overflow');
  });

  it('widens within the tier\'s service-level target: a PRIVATE caller reaches any general agent after 6 s, not 120 s', () => {
    const vip = { ...call, tier: 'PRIVATE' };
    expect(overflowStep(timing, 'PRIVATE', 'private_banking')).toBe(3);
    expect(canServe(agent({ general: 1 }), vip, at(5), timing)).toBe(false);
    expect(canServe(agent({ general: 1 }), vip, at(6), timing)).toBe(true);
    expect(nextWidening(vip, at(1), timing)?.getTime()).toBe(at(3).getTime());
    expect(nextWidening(vip, at(7), timing)).toBeNull();
    // The configured step still caps it, and STANDARD keeps half its 30 s for the one step of cards -> general.
    expect(overflowStep({ ...timing, overflowSeconds: 2 }, 'PRIVATE', 'private_banking')).toBe(2);
    expect(overflowStep(timing, 'STANDARD', 'cards')).toBe(15);
    expect(rmWaitSeconds(timing, 'PRIVATE')).toBe(5);
  });
});

describe('the wait a caller is told', () => {
  it('counts down the busy agents\' calls from what is left of them, not from a whole handle time', () => {
    const samples = [100, 100, 100, 100];
    expect(residualSeconds(30, samples, 180)).toBe(70);
    // Second in line with two agents each 70 s from the end: served when the second frees.
    expect(estimateWait({ ahead: 1, free: 0, busyElapsed: [30, 30], handleSamples: samples, defaultHandleSeconds: 180, overtakers: [] })).toBe(70);
    // Third in line: the agent free in 10 s takes the first, and is free again 100 s later.
    expect(estimateWait({ ahead: 2, free: 0, busyElapsed: [30, 90], handleSamples: samples, defaultHandleSeconds: 180, overtakers: [] })).toBe(110);
  });

  it('says nothing of a wait with an agent free, gives none with nobody at work, and counts callers who will overtake', () => {
    expect(estimateWait({ ahead: 0, free: 1, busyElapsed: [], handleSamples: [], defaultHandleSeconds: 180, overtakers: [] })).toBe(0);
    expect(estimateWait({ ahead: 0, free: 0, busyElapsed: [], handleSamples: [], defaultHandleSeconds: 180, overtakers: [] })).toBeNull();
    const alone = estimateWait({ ahead: 0, free: 0, busyElapsed: [0], handleSamples: [60], defaultHandleSeconds: 180, overtakers: [] })!;
    const overtaken = estimateWait({ ahead: 0, free: 0, busyElapsed: [0], handleSamples: [60], defaultHandleSeconds: 180, overtakers: [{ rate: 1 / 60, windowSeconds: 3600 }] })!;
    expect(alone).toBe(60);
    expect(overtaken).toBeGreaterThan(alone);
  });

  it('waits until the caller is answered: the offer-to-answer part of recent calls is added to a wait, not to "in a moment"', () => {
    const floor = { ahead: 1, free: 0, busyElapsed: [30, 30], handleSamples: [100, 100], defaultHandleSeconds: 180, overtakers: [] };
    expect(estimateWait(floor)).toBe(70);
    // The agent frees up in 70 s; the offer, their accept and their leg take 3 s more.
    expect(estimateWait({ ...floor, answerSamples: [2, 4] })).toBe(73);
    expect(estimateWait({ ...floor, ahead: 0, free: 1, answerSamples: [2, 4] })).toBe(0);
  });

  it('reads the rate of overtaking callers over the span they have been coming in, not a window that is mostly a quiet spell', () => {
    // Steady for the whole 300 s window: 30 callers, one every 10 s.
    expect(arrivalRate(30, 300, 300)).toBe(0.1);
    expect(arrivalRate(30, 295, 300)).toBeCloseTo(0.1, 2);
    // The same pace, but the hotline opened two minutes ago: 12 callers in 120 s, not 12 in 300 s.
    expect(arrivalRate(12, 120, 300)).toBe(0.1);
    // One caller a moment ago is not a flood.
    expect(arrivalRate(1, 2, 300)).toBeCloseTo(1 / 60, 6);
    expect(arrivalRate(0, 0, 300)).toBe(0);
  });

  it('finds the moment a caller deep in a long queue is served as taking the callers ahead one by one would', () => {
    const oneByOne = (ahead: number, freeAt: number[], handle: number) => {
      const times = [...freeAt].sort((a, b) => a - b);
      for (let k = 0; k < ahead; k++) {
        times.push(times.shift()! + handle);
        times.sort((a, b) => a - b);
      }
      return times[0]!;
    };
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let run = 0; run < 200; run++) {
      const freeAt = Array.from({ length: 1 + Math.floor(random() * 12) }, () => (random() < 0.2 ? 0 : Math.round(random() * 400)));
      const ahead = Math.floor(random() * 60);
      const handle = 1 + Math.round(random() * 300);
      expect(servedAt(ahead, freeAt, handle)).toBeCloseTo(oneByOne(ahead, freeAt, handle), 6);
    }
  });
});

describe('Erlang C', () => {
  it('matches the textbook case: 10 Erlangs on 11 agents wait with probability ~0.68', () => {
    expect(erlangC(11, 10)).toBeCloseTo(0.6821, 3);
  });

  it('predicts a service level and a mean wait consistent with each other', () => {
    // 100 calls in 15 min, 180 s handle: 20 Erlangs; 25 agents.
    const load = { arrivalRate: 100 / 900, handleSeconds: 180, agents: 25 };
    const wait = expectedWait(load, 0);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThan(60);
    expect(serviceLevel(load, 20)).toBeGreaterThan(0.7);
    expect(serviceLevel({ ...load, agents: 21 }, 20)).toBeLessThan(serviceLevel(load, 20));
  });

  it('falls back to the work already queued when the queue is overloaded, and gives no estimate with nobody staffed', () => {
    expect(expectedWait({ arrivalRate: 1, handleSeconds: 100, agents: 10 }, 9)).toBe(100);
    expect(expectedWait({ arrivalRate: 0.1, handleSeconds: 100, agents: 0 }, 0)).toBe(Infinity);
    expect(remainingWait(3, 120, 2)).toBe(180);
  });
});

describe('reachOf: which waiting calls the matcher reads for these free agents', () => {
  const agent = (user_id: number, skills: Record<string, number>, languages = ['zh'], rm_id: number | null = null) => ({ user_id, skills, languages, rm_id, idle_since: null });

  it('takes every skill whose overflow chain reaches a skill the agents hold, and no other', () => {
    const wealth = reachOf([agent(1, { wealth: 2, cards: 0 })]);
    expect(wealth.skills.sort()).toEqual(['funds_fx', 'private_banking', 'wealth']);
    // general takes anything in the end: every skill with an overflow chain reaches it.
    expect(reachOf([agent(2, { general: 1 })]).skills).toEqual(expect.arrayContaining(['general', 'cards', 'security', 'retention', 'private_banking']));
    // A skill with no overflow step is reached only by agents who hold it.
    expect(reachOf([agent(3, { mortgage_desk: 1 })]).skills).toEqual(['mortgage_desk']);
  });

  it('names the agents (transfer targets), their RM ids and their languages', () => {
    const r = reachOf([agent(4, { cards: 1 }, ['zh', 'en'], 77), agent(5, { cards: 1 }, ['zh'])]);
    expect(r).toMatchObject({ agentIds: [4, 5], rmIds: [77] });
    expect(r.languages.sort()).toEqual(['en', 'zh']);
  });
});
