// Speech in the IVR: the main menu listens for words as well as keys, in the caller's language,
// through the real server and the simulator's typed speech (SpeechResult and Confidence, as Twilio
// posts them to the gather webhook).
import { afterEach, describe, expect, it } from 'vitest';
import { HOTLINE, startHotline, timelineOf, type Hotline } from '../helpers/hotline.js';
import { clockFrom } from '../helpers/wait.js';

let t: Hotline | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

const GOLD = '+8613800000003';
// A Wednesday at 10:00 in Shanghai: the queues are open.
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;

/** Dials, chooses the language by key, and waits at the main menu. */
async function atMainMenu(h: Hotline, languageKey: '1' | '2') {
  const c = h.sim.dial({ from: GOLD, to: HOTLINE });
  await c.waitFor('gathering');
  await c.press(languageKey);
  await c.waitFor('gathering');
  return c;
}

const spoken = async (h: Hotline, sid: string) => (await timelineOf(h, sid)).events.filter((e) => e.type === 'speech_recognised').map((e) => e.data);

describe('speech in the IVR', () => {
  it('a Mandarin caller who says they lost their card goes straight to card loss; the PIN is never listened for', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await atMainMenu(t, '1');
    const before = c.heard().length;
    await c.speak('我的卡丢了，要挂失');
    await c.waitFor('gathering');
    expect(await spoken(t, c.sid)).toEqual([expect.objectContaining({ matched: true, choice: 'lost_check', lang: 'zh' })]);
    // The card-loss path asks for the PIN (the caller is known by number, not yet verified), and that prompt takes keys only.
    expect(c.heard().slice(before).join('')).toMatch(/密码/);
    const gathers = c.transcript.filter((e) => e.kind === 'gather');
    expect(gathers.at(-1)?.text).not.toMatch(/speech/);
    await c.speak('一二三四五六');
    await expect.poll(() => c.transcript.some((e) => e.kind === 'speech' && /not heard/.test(e.text)), { timeout: 10_000 }).toBe(true);
  });

  it('an English caller who says "close my account" is put through to retention', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await atMainMenu(t, '2');
    await c.speak('I would like to close my account please');
    await expect.poll(async () => (await spoken(t!, c.sid)).length, { timeout: 10_000 }).toBe(1);
    expect((await spoken(t, c.sid))[0]).toMatchObject({ matched: true, choice: 'queue_retention', lang: 'en' });
    // Retention's agents are asked for: the caller waits for them (or, with none at work, hears the fallback).
    await expect.poll(async () => {
      const entry = await t!.db('queue_entries').where({ call_sid: c.sid }).first();
      return entry?.skill ?? (c.heard().some((l) => /no agent|callback|call you back/i.test(l)) ? 'fallback' : null);
    }, { timeout: 10_000 }).toMatch(/^(retention|fallback)$/);
    // The longest phrase wins: "lost card" is card loss, not the cards menu that "card" alone would pick.
    const d = await atMainMenu(t, '2');
    await d.speak('I lost my card');
    await expect.poll(async () => (await spoken(t!, d.sid))[0]?.choice, { timeout: 10_000 }).toBe('lost_check');
  });

  it('words that match nothing are asked for once more, then the menu takes keys only; a digit run heard is masked', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await atMainMenu(t, '1');
    await c.speak('今天天气怎么样 6222020012345678');
    await c.waitFor('gathering');
    await c.speak('随便看看');
    await c.waitFor('gathering');
    const misses = await spoken(t, c.sid);
    expect(misses.map((m) => [m.matched, m.why])).toEqual([[false, 'no_match'], [false, 'no_match']]);
    expect(JSON.stringify(misses)).not.toContain('6222020012345678');
    // Now the menu is asked with keys only, and a key still works.
    expect(c.transcript.filter((e) => e.kind === 'gather').at(-1)?.text).not.toMatch(/speech/);
    await c.press('1');
    await expect.poll(async () => (await timelineOf(t!, c.sid)).events.some((e) => e.type === 'ivr_step' && e.data.digits === '1' && e.data.valid === true), { timeout: 10_000 }).toBe(true);
    expect(await spoken(t, c.sid)).toHaveLength(2);
  });

  it('a recognition below the confidence threshold is not trusted', async () => {
    t = await startHotline({ IVR_SPEECH_MIN_CONFIDENCE: '0.8' }, { now: OPEN });
    const c = await atMainMenu(t, '1');
    await c.speak('挂失', 0.4);
    await c.waitFor('gathering');
    expect(await spoken(t, c.sid)).toEqual([expect.objectContaining({ matched: false, why: 'low_confidence', choice: null })]);
  });
});
