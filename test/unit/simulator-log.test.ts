import { describe, expect, it } from 'vitest';
import { BoundedLog, isSecretUrl } from '../../simulator/util.js';

describe("the simulator's exchange log", () => {
  it('keeps only the latest entries, and reads like an array', () => {
    const log = BoundedLog.withCapacity<number>(3);
    for (let i = 1; i <= 10; i++) log.push(i);
    expect([...log]).toEqual([8, 9, 10]);
    expect(log.filter((n) => n > 8)).toEqual([9, 10]);
    expect(log.find((n) => n === 9)).toBe(9);
  });

  it('knows a secret gather by its action URL', () => {
    expect(isSecretUrl('https://bank.example/twilio/voice/gather?step=3&secret=1')).toBe(true);
    expect(isSecretUrl('https://bank.example/twilio/voice/gather?step=3')).toBe(false);
    expect(isSecretUrl('https://bank.example/twilio/voice/gather?step=3&secret=10')).toBe(false);
  });
});
