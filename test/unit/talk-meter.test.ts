import { describe, expect, it } from 'vitest';
import { isSpeech, TalkMeter, type Side } from '../../server/modules/talk/talk-meter.js';
import { decodeMuLaw } from '../../server/modules/telephony/media-streams.js';

/** Feeds `seconds` of 20 ms frames from `at` (s), each side speaking or not. */
function feed(m: TalkMeter, at: number, seconds: number, speaking: Partial<Record<Side, boolean>>, sides: Side[] = ['caller', 'agent']) {
  const events = [];
  for (let ms = at * 1000; ms < (at + seconds) * 1000; ms += 20) {
    for (const side of sides) events.push(...m.frame(side, ms, speaking[side] ?? false));
  }
  return events;
}

describe('talk meter', () => {
  it('shares a call\'s time between caller, agent, over-talk and silence', () => {
    const m = new TalkMeter(10_000);
    feed(m, 0, 4, { caller: true });
    feed(m, 4, 4, { agent: true });
    feed(m, 8, 1, { caller: true, agent: true });
    feed(m, 9, 1, {});
    const { summary, events } = m.finish();
    expect(events).toEqual([]);
    expect(summary).toEqual({ seconds: 10, caller_talk: 0.5, agent_talk: 0.5, overtalk: 0.1, silence: 0.1, longest_silence_s: 1, dead_air: 0 });
  });

  it('tells dead air once when the silence reaches the threshold and once when talk resumes', () => {
    const m = new TalkMeter(5_000);
    feed(m, 0, 2, { caller: true });
    const silent = feed(m, 2, 8, {});
    expect(silent).toEqual([{ kind: 'dead_air_started', at_s: 7, seconds: 5 }]);
    const resumed = feed(m, 10, 1, { agent: true });
    expect(resumed).toEqual([{ kind: 'dead_air_ended', at_s: 10.02, seconds: 8 }]);
    expect(m.finish().summary).toMatchObject({ dead_air: 1, longest_silence_s: 8 });
  });

  it('settles a moment once: a frame that comes after its moment was counted changes nothing, and a one-track stream is metered', () => {
    const m = new TalkMeter(5_000);
    feed(m, 0, 1, { caller: true });
    expect(m.frame('agent', 0, true)).toEqual([]);
    expect(m.finish().summary).toMatchObject({ seconds: 1, caller_talk: 1, agent_talk: 0, overtalk: 0 });
    const one = new TalkMeter(5_000, ['caller']);
    feed(one, 0, 2, { caller: true }, ['caller']);
    feed(one, 2, 6, {}, ['caller']);
    expect(one.finish().summary).toMatchObject({ seconds: 8, caller_talk: 0.25, silence: 0.75, dead_air: 1 });
  });

  it('hears speech in μ-law frames, not line hiss or silence', () => {
    const silence = decodeMuLaw(Buffer.alloc(160, 0xff));
    expect([...silence].every((v) => v === 0)).toBe(true);
    expect(isSpeech(silence)).toBe(false);
    // μ-law 0xF0..0xFF are the quietest codes (within ±120 of zero): hiss.
    expect(isSpeech(decodeMuLaw(Buffer.from(Array.from({ length: 160 }, (_, i) => (i % 2 ? 0xf2 : 0x72)))))).toBe(false);
    // 0x9F / 0x1F: about ±4,000, a voice at speaking level.
    expect(isSpeech(decodeMuLaw(Buffer.from(Array.from({ length: 160 }, (_, i) => (i % 2 ? 0x9f : 0x1f)))))).toBe(true);
  });
});
