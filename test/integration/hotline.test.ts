import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PIN } from '../../server/db/synthetic-bank.js';
import { purgeReplies } from '../../server/modules/calls/calls-repository.js';
import { busyAgent } from '../helpers/agents.js';
import { HOTLINE, startHotline, timelineOf, type Hotline } from '../helpers/hotline.js';
import { clockFrom } from '../helpers/wait.js';

let t: Hotline | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

const PRIVATE = '+8613800000001';
const GOLD = '+8613800000003';
const STANDARD_LOST_CARD = '+8613800000004';
const SHARED = '+8613800000009';
const UNKNOWN = '+8613912345678';

// A Wednesday at 10:00 in Shanghai (open) and a Sunday at 23:00 (closed).
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;
const CLOSED = clockFrom('2026-11-22T15:00:00Z').now;

/** Dials the hotline and answers each menu in turn; resolves when the IVR waits for the next input. */
async function call(h: Hotline, from: string, ...presses: string[]) {
  const c = h.sim.dial({ from, to: HOTLINE });
  for (const keys of presses) {
    await c.waitFor('gathering');
    await c.press(keys);
  }
  await waitSettled(c);
  return c;
}

/** After a press the call runs until it waits for input, queues or ends. */
async function waitSettled(c: ReturnType<Hotline['sim']['dial']>) {
  const deadline = Date.now() + 10_000;
  while (!['gathering', 'queued', 'ended'].includes(c.state)) {
    if (Date.now() > deadline) throw new Error(`call stuck in ${c.state}: ${c.heard().join(' | ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const eventTypes = (events: { type: string }[]) => events.map((e) => e.type);

describe('the hotline over the Twilio simulator', () => {
  it('identifies a caller by number, walks the menu and reads the balance after the PIN', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await call(t, GOLD, '1', '1', '1', DEMO_PIN);
    const heard = c.heard().join('\n');
    expect(heard).toMatch(/余额|balance/i);
    expect(heard).toMatch(/\d[\d,]*\.\d\d/); // an amount is read out
    const { interaction, events } = await timelineOf(t, c.sid);
    const customer = await t.db('customer_phones').where({ phone: GOLD }).first();
    expect(interaction.customer_id).toBe(customer.customer_id);
    expect(interaction.tier_at_time).toBe('GOLD');
    expect(interaction.verified).toBe(true);
    expect(interaction.self_service).toEqual(['balance']);
    expect(eventTypes(events)).toEqual(expect.arrayContaining(['started', 'language_selected', 'identified', 'verified', 'self_service']));
    // The PIN is nowhere: not in events, not in the stored replies, not in the call's session.
    const stored = JSON.stringify([events, await t.db('webhook_replies').where({ call_sid: c.sid }), await t.db('calls').where({ sid: c.sid })]);
    expect(stored).not.toContain(DEMO_PIN);
    expect(interaction.ani_masked).not.toContain(GOLD);
    // Nor in the simulator: the PIN gather's keys were sent to the app, never kept in its record or the transcript.
    const pinGather = t.sim.exchanges.find((e) => e.callSid === c.sid && e.url.includes('secret=1'));
    expect(pinGather).toMatchObject({ redacted: ['Digits'] });
    expect(pinGather!.params.Digits).toBeUndefined();
    expect(JSON.stringify([t.sim.exchanges, c.transcript])).not.toContain(DEMO_PIN);
    expect(c.transcript.filter((e) => e.kind === 'press').map((e) => e.text)).toEqual(['1', '1', '1', '*'.repeat(DEMO_PIN.length)]);
  });

  it('a PRIVATE caller is greeted by title and surname and queued for private banking with no menus', async () => {
    t = await startHotline({}, { now: CLOSED });
    await busyAgent(t.db, 'pb', { private_banking: 1 });
    const c = await call(t, PRIVATE, '1');
    expect(c.state).toBe('queued');
    // Not verified: whoever holds the phone hears 王先生, never the full name.
    expect(c.heard().join('\n')).toContain('王先生');
    expect(c.heard().join('\n')).not.toContain('王建国');
    const { interaction, events } = await timelineOf(t, c.sid);
    expect(interaction.queue_skill).toBe('private_banking');
    expect(events.find((e) => e.type === 'queued')?.data).toMatchObject({ skill: 'private_banking' });
    expect(events.some((e) => e.node === 'main_menu')).toBe(false);
    await c.hangup();
    await expect.poll(async () => (await timelineOf(t!, c.sid)).interaction.outcome).toBe('abandoned');
    const left = (await timelineOf(t, c.sid)).events.find((e) => e.type === 'left_queue');
    expect(left?.data).toMatchObject({ result: 'hangup' });
  });

  it('a number shared by two customers asks for the card last 4 and never guesses', async () => {
    t = await startHotline({}, { now: OPEN });
    const wife = await t.db('customers').where({ name_zh: '周淑珍' }).first();
    const card = await t.db('cards').where({ customer_id: wife.id }).first();
    const c = await call(t, SHARED, '1', card.last4);
    const { interaction, events } = await timelineOf(t, c.sid);
    expect(events.some((e) => e.type === 'identify_ambiguous')).toBe(true);
    expect(interaction.customer_id).toBe(wife.id);
  });

  it('three wrong PINs lock phone banking and send the caller to the security desk', async () => {
    t = await startHotline({}, { now: OPEN });
    await busyAgent(t.db, 'sec', { security: 1 });
    const c = await call(t, GOLD, '1', '1', '1', '000000', '111111', '222222');
    expect(c.state).toBe('queued');
    const { interaction, events } = await timelineOf(t, c.sid);
    expect(interaction.queue_skill).toBe('security');
    expect(interaction.verified).toBe(false);
    expect(eventTypes(events)).toContain('pin_locked');
    const pin = await t.db('phone_pins').where({ customer_id: interaction.customer_id }).first();
    expect(pin.locked_at).not.toBeNull();
    // Locked means locked: the right PIN on the next call does not get through either.
    await c.hangup();
    const again = await call(t, GOLD, '1', '1', '1', DEMO_PIN);
    expect(again.state).toBe('queued');
    expect((await timelineOf(t, again.sid)).interaction.verified).toBe(false);
  });

  it('a lost card is blocked by its last 4 digits, a case opened and the case number read back', async () => {
    t = await startHotline({}, { now: CLOSED });
    const customer = await t.db('customer_phones').where({ phone: GOLD }).first();
    const cards = await t.db('cards').where({ customer_id: customer.customer_id }).whereIn('status', ['active', 'frozen']).orderBy('id');
    expect(cards.length).toBeGreaterThan(0);
    const lost = cards[0];
    const c = await call(t, GOLD, '1', '2', '1', DEMO_PIN, '1', lost.last4);
    const after = await t.db('cards').where({ customer_id: customer.customer_id }).orderBy('id');
    // The card named is blocked; every other card keeps working.
    for (const card of after) expect(card.status).toBe(card.id === lost.id ? 'lost' : cards.find((x) => x.id === card.id)?.status ?? card.status);
    const cases = await t.db('complaints').where({ customer_id: customer.customer_id, category: 'card_loss' });
    expect(cases).toHaveLength(1);
    const heard = c.heard().join('').replace(/[\s,，]/g, '');
    expect(heard).toContain(cases[0].case_no);
    expect(heard).toContain(`尾号${lost.last4}`);
    const { interaction } = await timelineOf(t, c.sid);
    expect(interaction.self_service).toContain('lost_card');
  });

  it('blocks all the cards only once the caller confirms it', async () => {
    t = await startHotline({}, { now: CLOSED });
    const customer = await t.db('customer_phones').where({ phone: GOLD }).first();
    await call(t, GOLD, '1', '2', '1', DEMO_PIN, '2', '1');
    const cards = await t.db('cards').where({ customer_id: customer.customer_id });
    for (const card of cards) expect(['lost', 'closed']).toContain(card.status);
  });

  it('PIN then # reads the balance in full: the # is neither a menu choice nor a cut to the read-out', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await call(t, GOLD, '1', '1', '1', `${DEMO_PIN}#`);
    expect(c.state).toBe('gathering');
    const heard = c.heard().join('\n');
    expect(heard).toMatch(/余额为 [\d,]+\.\d\d/);
    expect(heard).toContain('返回主菜单请按1');
    const { events } = await timelineOf(t, c.sid);
    expect(events.some((e) => e.type === 'input_failed')).toBe(false);
    expect(events.some((e) => e.type === 'hangup')).toBe(false);
  });

  it('invalid keys and silence re-prompt, then hand the caller to an agent rather than drop them', async () => {
    t = await startHotline({}, { now: OPEN });
    await busyAgent(t.db, 'gen', { general: 1 });
    const c = t.sim.dial({ from: UNKNOWN, to: HOTLINE });
    await c.waitFor('gathering');
    await c.press('1');
    await c.waitFor('gathering');
    const menuPrompts = c.heard().length;
    await c.press('8'); // not an option
    await c.waitFor('gathering');
    expect(c.heard().length).toBeGreaterThan(menuPrompts);
    await c.silence();
    await c.waitFor('gathering');
    await c.silence();
    await waitSettled(c);
    expect(c.state).toBe('queued');
    const { interaction, events } = await timelineOf(t, c.sid);
    expect(interaction.customer_id).toBeNull();
    expect(events.filter((e) => e.type === 'ivr_step').map((e) => e.data.input)).toEqual(expect.arrayContaining(['timeout']));
    expect(interaction.queue_skill).toBe('general');
  });

  it('after hours, asking for an agent books a callback for the opening, and the caller hears when', async () => {
    t = await startHotline({ SERVICE_HOURS: 'bank' }, { now: CLOSED });
    const c = await call(t, GOLD, '1', '0');
    await c.waitFor('ended');
    const { interaction, events } = await timelineOf(t, c.sid);
    const requests = await t.db('callback_requests').where({ interaction_id: interaction.id });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ phone: GOLD, skill: 'general', state: 'scheduled', tier: 'GOLD' });
    // Sunday 23:00 in Shanghai: the bank's hours open on Monday at 08:00.
    expect(events.find((e) => e.type === 'queue_unavailable')?.data).toMatchObject({ skill: 'general', reason: 'closed', opens_at: '2026-11-23T00:00:00.000Z' });
    expect(c.heard().join('\n')).toContain('2026年11月23日08:00服务开始后');
    expect(events.some((e) => e.type === 'entered_queue')).toBe(false);
    await expect.poll(async () => (await timelineOf(t!, c.sid)).interaction.outcome).toBe('callback');
  });

  it('in hours with nobody at work, the caller is not queued for nobody: a callback is booked instead', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await call(t, PRIVATE, '1');
    expect(c.state).toBe('ended');
    const { events } = await timelineOf(t, c.sid);
    expect(events.find((e) => e.type === 'queue_unavailable')?.data).toMatchObject({ skill: 'private_banking', reason: 'unstaffed' });
    expect(events.some((e) => e.type === 'entered_queue')).toBe(false);
    expect(await t.db('callback_requests').where({ phone: PRIVATE, skill: 'private_banking' })).toHaveLength(1);
    expect(c.heard().join('\n')).toContain('在有客服代表可以服务时尽快与您联系');
  });

  it('a withheld number is never promised a callback', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await call(t, 'anonymous', '1', '0');
    await c.waitFor('ended');
    expect(c.heard().join('\n')).toContain('您的来电号码未显示，我们无法为您回电');
    expect(await t.db('callback_requests').where({ phone: 'anonymous' })).toHaveLength(0);
  });

  it('the interaction log is served by the API, and the profile shows the call', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await call(t, STANDARD_LOST_CARD, '2');
    await c.hangup();
    const customer = await t.db('customer_phones').where({ phone: STANDARD_LOST_CARD }).first();
    await expect.poll(async () => (await timelineOf(t!, c.sid)).interaction.ended_at).not.toBeNull();
    const list = await t.http.get('/api/interactions').query({ customer_id: customer.customer_id }).set(await t.auth('agent1')).expect(200);
    expect(list.body.interactions).toHaveLength(1);
    const [summary] = list.body.interactions;
    expect(summary).toMatchObject({ call_sid: c.sid, language: 'en', channel: 'phone', direction: 'inbound' });
    expect(summary.ani_masked).toMatch(/\*{4}/);
    const timeline = await t.http.get(`/api/interactions/${summary.id}/timeline`).set(await t.auth('agent1')).expect(200);
    expect(eventTypes(timeline.body.events)[0]).toBe('started');
    expect(eventTypes(timeline.body.events)).toContain('ended');
    // A supervisor reviewing the customer's calls may open their profile for that review.
    await t.http.get('/api/interactions').query({ customer_id: customer.customer_id }).set(await t.auth('supervisor1')).expect(200);
    const profile = await t.http.get(`/api/customers/${customer.customer_id}/profile`).query({ purpose: 'review' }).set(await t.auth('supervisor1')).expect(200);
    expect(profile.body.recent_interactions[0].id).toBe(summary.id);
    // Agents read one customer's history, not the whole log; unknown ids are a coded 404.
    expect((await t.http.get('/api/interactions').set(await t.auth('agent1')).expect(403)).body.code).toBe('SB_ERR_AUTH_FORBIDDEN');
    await t.http.get('/api/interactions').set(await t.auth('supervisor1')).expect(200);
    const missing = await t.http.get('/api/interactions/00000000-0000-4000-8000-000000000000/timeline').set(await t.auth('agent1')).expect(404);
    expect(missing.body.code).toBe('SB_ERR_INTERACTION_NOT_FOUND');
  });
});

describe('webhook security, retries and reordering', () => {
  const sign = (h: Hotline, url: string, params: Record<string, string>) => twilio.getExpectedTwilioSignature(h.authToken, url, params);
  const post = (url: string, params: Record<string, string>, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params) });
  const callParams = (h: Hotline, sid: string, from = GOLD) => ({ CallSid: sid, AccountSid: h.accountSid, From: from, To: HOTLINE, Direction: 'inbound', CallStatus: 'ringing', ApiVersion: '2010-04-01' });
  /** Twilio's idempotency token of a recorded webhook. */
  const twilioHeaders = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() === 'i-twilio-idempotency-token').map(([k, v]) => [k.toLowerCase(), v]));
  const newSid = () => `CA${Math.random().toString(16).slice(2).padEnd(16, '0').slice(0, 16)}${'a'.repeat(16)}`;

  it('keys pressed on the turn that queued the caller never put them in the queue twice', async () => {
    t = await startHotline({}, { now: OPEN });
    await busyAgent(t.db, 'pb', { private_banking: 1 });
    const c = await call(t, PRIVATE, '1');
    expect(c.state).toBe('queued');
    const { step } = await t.db('calls').where({ sid: c.sid }).first('step');
    const url = `${t.url}/twilio/voice/gather?step=${step}`;
    const params = { ...callParams(t, c.sid, PRIVATE), CallStatus: 'in-progress', Digits: '9' };
    expect((await post(url, params, { 'x-twilio-signature': sign(t, url, params) })).status).toBe(200);
    const live = await t.db('queue_entries').where({ call_sid: c.sid }).whereIn('state', ['waiting', 'offered']);
    expect(live).toHaveLength(1);
  });

  it('a missing or wrong signature is refused with 403 and nothing is processed', async () => {
    t = await startHotline({}, { now: OPEN });
    const url = `${t.url}/twilio/voice/incoming`;
    const params = callParams(t, newSid());
    const forged = await post(url, params, { 'x-twilio-signature': sign({ ...t, authToken: 'not-the-token-000' }, url, params) });
    expect(forged.status).toBe(403);
    expect((await forged.json()).code).toBe('SB_ERR_TWILIO_SIGNATURE_INVALID');
    expect((await post(url, params, {})).status).toBe(403);
    // Signed for another URL (a replay against another endpoint) does not pass either.
    expect((await post(url, params, { 'x-twilio-signature': sign(t, `${t.url}/twilio/voice/status`, params) })).status).toBe(403);
    expect(await t.db('calls').where({ sid: params.CallSid }).first()).toBeUndefined();
    // The same request correctly signed goes through.
    expect((await post(url, params, { 'x-twilio-signature': sign(t, url, params) })).status).toBe(200);
  });

  it('what the IVR said is purged once a call is over, never while it is live', async () => {
    t = await startHotline({}, { now: OPEN });
    const live = await call(t, GOLD, '1', '1');
    const done = await call(t, UNKNOWN, '1');
    await done.hangup();
    await expect.poll(async () => (await t!.db('calls').where({ sid: done.sid }).first()).ended_at).not.toBeNull();
    await t.db('calls').where({ sid: done.sid }).update({ ended_at: new Date(Date.now() - 11 * 60_000) });
    await purgeReplies(t.db, new Date(Date.now() - 10 * 60_000));
    expect(await t.db('webhook_replies').where({ call_sid: done.sid })).toHaveLength(0);
    expect((await t.db('webhook_replies').where({ call_sid: live.sid })).length).toBeGreaterThan(0);
  });

  it('a replayed webhook gets the same TwiML and adds no event', async () => {
    t = await startHotline({}, { now: OPEN });
    const c = await call(t, GOLD, '1', '1');
    const gather = t.sim.exchanges.filter((e) => e.kind === 'webhook' && e.callSid === c.sid && e.url.includes('/gather'));
    expect(gather.length).toBeGreaterThanOrEqual(2);
    // Status callbacks travel on their own; let the answered one land before counting.
    await expect.poll(async () => (await timelineOf(t!, c.sid)).events.some((e) => e.data.status === 'in-progress')).toBe(true);
    const { events: before } = await timelineOf(t, c.sid);
    for (const original of gather) {
      // The signature is a function of URL and parameters: Twilio's retry carries the same one.
      const params = original.params as Record<string, string>;
      const replay = await post(original.url, params, { ...twilioHeaders(original.headers), 'x-twilio-signature': sign(t, original.url, params) });
      expect(replay.status).toBe(200);
      expect(await replay.text()).toBe(original.body);
    }
    // Without Twilio's idempotency token, the step in the signed URL still catches a stale turn.
    const first = gather[0]!;
    const stale = await post(first.url, first.params as Record<string, string>, { 'x-twilio-signature': sign(t, first.url, first.params as Record<string, string>) });
    expect(stale.status).toBe(200);
    // A second incoming request for the same call (its parameters changed) does not restart the IVR.
    const incoming = t.sim.exchanges.find((e) => e.kind === 'webhook' && e.callSid === c.sid && e.url.endsWith('/incoming'))!;
    const changed = { ...(incoming.params as Record<string, string>), CallStatus: 'in-progress' };
    const again = await post(incoming.url, changed, { 'x-twilio-signature': sign(t, incoming.url, changed) });
    expect(await again.text()).toBe(gather.at(-1)!.body);
    const { events: after } = await timelineOf(t, c.sid);
    expect(after.map((e) => e.type)).toEqual(before.map((e) => e.type));
  });

  it('status callbacks out of order never move a call back, and completed-first still ends it', async () => {
    t = await startHotline({}, { now: OPEN });
    const sid = newSid();
    const status = async (CallStatus: string, SequenceNumber: number) => {
      const url = `${t!.url}/twilio/voice/status`;
      const params = { ...callParams(t!, sid), CallStatus, SequenceNumber: String(SequenceNumber), CallbackSource: 'call-progress-events', ...(CallStatus === 'completed' ? { CallDuration: '42' } : {}) };
      const res = await post(url, params, { 'x-twilio-signature': sign(t!, url, params) });
      expect(res.status).toBe(200);
    };
    await status('completed', 3);
    await status('ringing', 1);
    await status('in-progress', 2);
    await status('completed', 3); // Twilio's retry
    const row = await t.db('calls').where({ sid }).first();
    expect(row.status).toBe('completed');
    const { interaction, events } = await timelineOf(t, sid);
    expect(interaction.ended_at).not.toBeNull();
    expect(eventTypes(events).filter((e) => e === 'ended')).toHaveLength(1);
    expect(eventTypes(events)).not.toContain('status');
    // The incoming webhook arriving after the end gets a hangup, not a fresh IVR.
    const url = `${t.url}/twilio/voice/incoming`;
    const params = callParams(t, sid);
    const res = await post(url, params, { 'x-twilio-signature': sign(t, url, params) });
    expect(await res.text()).toContain('<Hangup/>');

    // In order, a live call records each step once.
    const live = await call(t, GOLD);
    await live.hangup();
    await expect.poll(async () => (await t!.db('calls').where({ sid: live.sid }).first()).status).toBe('completed');
    const statuses = (await timelineOf(t, live.sid)).events.filter((e) => e.type === 'status').map((e) => e.data.status);
    expect(new Set(statuses).size).toBe(statuses.length);
  });

  it('bad webhook input is a coded 400, never a 500', async () => {
    t = await startHotline({}, { now: OPEN });
    const url = `${t.url}/twilio/voice/gather?step=abc`;
    const params = callParams(t, newSid());
    const res = await post(url, params, { 'x-twilio-signature': sign(t, url, params) });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('SB_ERR_REQUEST_INVALID');
    const bad = { ...params, CallSid: 'not-a-sid' };
    const res2 = await post(`${t.url}/twilio/voice/incoming`, bad, { 'x-twilio-signature': sign(t, `${t.url}/twilio/voice/incoming`, bad) });
    expect(res2.status).toBe(400);
  });
});
