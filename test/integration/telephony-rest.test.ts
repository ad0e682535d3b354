import { busyAgent } from '../helpers/agents.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createTwilioSpecValidator } from '../../simulator/openapi-check.js';
import { HOTLINE, startHotline, timelineOf, type Hotline } from '../helpers/hotline.js';

let t: Hotline | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

const SPEC = new URL('../fixtures/twilio_api_v2010.json', import.meta.url).pathname;

// The adapter's outbound REST goes through the official twilio client; here it talks to the
// simulator over HTTP, and every request and answer is checked against Twilio's own OpenAPI.
describe('outbound REST through the twilio client', () => {
  it('lists and releases queue members, places and ends calls, all within Twilio’s published API', async () => {
    t = await startHotline();
    await busyAgent(t.db, 'pb', { private_banking: 1 });
    const { rest } = t.app.telephony;
    const caller = t.sim.dial({ from: '+8613800000001', to: HOTLINE });
    await caller.waitFor('gathering');
    await caller.press('1');
    await caller.waitFor('queued');
    await expect.poll(async () => (await t!.db('calls').where({ sid: caller.sid }).first()).queue_sid).toMatch(/^QU/);
    const { queue_sid } = await t.db('calls').where({ sid: caller.sid }).first();

    const members = await rest.queueMembers(queue_sid);
    expect(members.map((m) => m.callSid)).toEqual([caller.sid]);

    // An outbound call (how callbacks and campaigns will ring customers): answered by the peer.
    t.sim.setPeer('+8613800000003', 'answer');
    const placed = await rest.createCall({ to: '+8613800000003', from: HOTLINE, url: `${t.url}/twilio/voice/incoming`, statusCallback: `${t.url}/twilio/voice/status` });
    expect(placed.sid).toMatch(/^CA[0-9a-f]{32}$/);
    await expect.poll(() => t!.sim.call(placed.sid)?.state).toBe('gathering');
    await rest.hangupCall(placed.sid);
    await expect.poll(() => t!.sim.call(placed.sid)?.state).toBe('ended');

    // Ending the queued call over REST: the caller leaves the queue and the interaction ends.
    const ended = await rest.hangupCall(caller.sid);
    expect(ended.status).toBe('completed');
    await expect.poll(async () => (await timelineOf(t!, caller.sid)).interaction.ended_at).not.toBeNull();

    await expect(rest.redirectCall(`CA${'0'.repeat(32)}`, `${t.url}/twilio/voice/incoming`)).rejects.toMatchObject({ status: 404 });

    const validator = createTwilioSpecValidator(SPEC);
    const restExchanges = t.sim.exchanges.filter((e) => e.kind === 'rest');
    expect(restExchanges.length).toBeGreaterThanOrEqual(4);
    const problems = restExchanges.flatMap((e) => [
      ...validator.validateRequest(e.method, e.path ?? e.url, e.params),
      ...(e.status < 400 ? validator.validateResponse(e.method, e.path ?? e.url, e.status, e.body) : []),
    ]);
    expect(problems).toEqual([]);
  });
});
