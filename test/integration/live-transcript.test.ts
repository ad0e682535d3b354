/* eslint-disable @typescript-eslint/no-explicit-any -- API and simulator JSON is asserted field by field */
import { io, type Socket } from 'socket.io-client';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { createScriptedRecogniser } from '../../server/modules/talk/recogniser.js';
import { tokenFor } from '../helpers/agents.js';
import { dialToQueue, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, timelineOf } from '../helpers/hotline.js';
import { specCheck } from '../helpers/twilio-spec.js';
import { clockFrom, until } from '../helpers/wait.js';

// The live transcript of an agent call (issue 22) on the real app, PostgreSQL and Redis: the
// server starts Twilio's real-time transcription through the real adapter when the agent joins;
// the simulator posts each utterance to the signed webhook; the words reach the agent's console
// and the timeline with card numbers cut out, and the prompts they call for are raised once.

const floor = hotlinePerTest();
const GOLD = '+8613800000003';
const WEDNESDAY_10 = '2026-11-18T02:00:00Z';
const CARD = '6222 0212 3456 7890';

describe('the live transcript of an agent call', () => {
  it('brings the words to the agent with card numbers cut out, raises each prompt once, and keeps the same words on the timeline', async () => {
    const h = await floor.start({ TALK_TRANSCRIPTS: 'true' }, { now: clockFrom(WEDNESDAY_10).now });
    const login = await tokenFor(h.app, h.db, 'agent1');
    const agent = await floor.online(h, login);
    const caller = await dialToQueue(h, GOLD, HOTLINE, ['1', '0']);
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    const started = await until('the transcription at Twilio', async () => h.sim.exchanges.find((e) => e.kind === 'rest' && e.path?.endsWith('/Transcriptions.json')));
    expect(started.params).toMatchObject({ Track: 'both_tracks', LanguageCode: 'zh-CN', PartialResults: 'false' });

    // A supervisor listens in: the words come to their wallboard too; a second supervisor, not listening, hears nothing.
    const supLogin = await tokenFor(h.app, h.db, 'supervisor1');
    const heard: any[] = [];
    const board: Socket = io(`${h.url}/supervisor`, { auth: { token: supLogin.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    board.on('monitor:transcript', (u: any) => heard.push(u));
    await new Promise<void>((resolve, reject) => { board.once('connect', () => resolve()); board.once('connect_error', reject); });
    await h.http.post(`/api/queue-entries/${offer.entry_id}/monitor`).set({ Authorization: `Bearer ${supLogin.token}` }).send({ mode: 'listen' }).expect(200);
    const admin = await tokenFor(h.app, h.db, 'admin');
    const other: any[] = [];
    const otherBoard: Socket = io(`${h.url}/supervisor`, { auth: { token: admin.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    otherBoard.on('monitor:transcript', (u: any) => other.push(u));
    await new Promise<void>((resolve) => otherBoard.once('connect', () => resolve()));

    await caller.utter('caller', `我想销户，我的卡号是 ${CARD}`);
    const said = await agent.next('call:transcript');
    expect(said).toMatchObject({ interaction_id: offer.interaction_id, side: 'caller' });
    expect(said.text).toContain('我想销户');
    expect(said.text).not.toMatch(/6222|7890/);
    const onBoard = await until('the words on the monitor', async () => heard[0]);
    expect(onBoard).toMatchObject({ entry_id: offer.entry_id, interaction_id: offer.interaction_id, side: 'caller', text: said.text });
    const prompt = await agent.next('call:prompt');
    expect(prompt).toMatchObject({ interaction_id: offer.interaction_id, rule: 'retention', kind: 'retention' });

    await caller.utter('agent', '好的，我先帮您看看有没有免年费的方案');
    expect(await agent.next('call:transcript')).toMatchObject({ side: 'agent', text: '好的，我先帮您看看有没有免年费的方案' });
    // Said again: a new line, but the prompt is not raised twice. English words raise their own.
    await caller.utter('caller', 'still, close my account, or put the money in a fund');
    await agent.next('call:transcript', (u) => u.text.startsWith('still'));
    expect(await agent.next('call:prompt')).toMatchObject({ rule: 'risk_disclosure', kind: 'compliance' });

    // Twilio retries a callback it got no answer to: the same utterance does not land twice.
    const first = h.sim.exchanges.find((e) => e.kind === 'webhook' && e.params.TranscriptionEvent === 'transcription-content')!;
    const params = Object.fromEntries(Object.entries(first.params).map(([k, v]) => [k, String(v)]));
    const replay = await fetch(first.url, {
      method: 'POST', body: new URLSearchParams(params).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(h.authToken, first.url, params) },
    });
    expect(replay.status).toBe(200);

    const { events } = await timelineOf(h, caller.sid);
    const lines = events.filter((e) => e.type === 'utterance');
    expect(lines.map((e) => e.data.side)).toEqual(['caller', 'agent', 'caller']);
    expect(events.filter((e) => e.type === 'assist_prompt').map((e) => e.data.rule)).toEqual(['retention', 'risk_disclosure']);
    // Nothing kept holds the card number: not the timeline, not the prompts.
    expect(JSON.stringify(events)).not.toMatch(/6222|3456 7890/);

    await until('all three lines on the monitor', async () => heard.length === 3 || null);
    expect(other).toEqual([]);
    board.disconnect();
    otherBoard.disconnect();
    await agent.request('call:end');
    await agent.next('call:ended');
    await until('the transcription stopped', async () => h.sim.exchanges.find((e) => e.kind === 'webhook' && e.params.TranscriptionEvent === 'transcription-stopped'));
    await caller.hangup();

    // Every REST exchange of the transcriptions was one Twilio's OpenAPI description allows.
    const spec = specCheck(h.sim.exchanges, '/Transcriptions');
    expect(spec.checked).toBeGreaterThanOrEqual(2);
    expect(spec.problems).toEqual([]);
  }, 120_000);

  it('with the bank\'s own recogniser, the words come from the call\'s media stream through the speech-recognition port and take the same path; Twilio transcribes nothing', async () => {
    const words = createScriptedRecogniser();
    const h = await floor.start({ TALK_TRANSCRIPTS: 'true', TALK_TRANSCRIPT_SOURCE: 'stream', ROUTING_SWEEP_MS: '200' }, { now: clockFrom(WEDNESDAY_10).now, recogniser: words.recogniser });
    const agent = await floor.online(h, await tokenFor(h.app, h.db, 'agent1'));
    const caller = await dialToQueue(h, GOLD, HOTLINE, ['1', '0']);
    // The caller speaks two seconds, then the agent: the recogniser hears each stretch end and says its words.
    caller.talk([{ who: 'none', seconds: 0.5 }, { who: 'caller', seconds: 2 }, { who: 'none', seconds: 1 }, { who: 'agent', seconds: 2 }, { who: 'none', seconds: 3600 }]);
    words.say(caller.sid, 'caller', `我想销户，我的卡号是 ${CARD}`);
    words.say(caller.sid, 'agent', '好的，我帮您看看');
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');

    const said = await agent.next('call:transcript', undefined, 20_000);
    expect(said).toMatchObject({ interaction_id: offer.interaction_id, side: 'caller' });
    expect(said.text).toContain('我想销户');
    expect(said.text).not.toMatch(/6222|7890/);
    expect(await agent.next('call:prompt')).toMatchObject({ rule: 'retention' });
    expect(await agent.next('call:transcript', undefined, 20_000)).toMatchObject({ side: 'agent', text: '好的，我帮您看看' });
    const { events } = await timelineOf(h, caller.sid);
    expect(events.filter((e) => e.type === 'utterance').map((e) => e.data.side)).toEqual(['caller', 'agent']);
    expect(JSON.stringify(events)).not.toMatch(/6222|3456 7890/);
    // The stream fed the port; Twilio was never asked to transcribe.
    expect(h.sim.exchanges.filter((e) => e.kind === 'rest' && e.path?.includes('/Transcriptions'))).toEqual([]);
    expect(h.sim.exchanges.filter((e) => e.kind === 'rest' && e.path?.endsWith('/Streams.json'))).toHaveLength(1);
    await caller.hangup();
  }, 60_000);

  it('refuses an unsigned transcription callback, and a call with no agent part live keeps nothing', async () => {
    const h = await floor.start({ TALK_TRANSCRIPTS: 'true' });
    const url = `${h.url}/twilio/voice/transcription`;
    const params = {
      AccountSid: h.accountSid, CallSid: `CA${'1'.repeat(32)}`, TranscriptionEvent: 'transcription-content', Track: 'inbound_track', Final: 'true',
      TranscriptionData: JSON.stringify({ transcript: '我想销户', confidence: 0.9 }), SequenceId: '1',
    };
    const post = (signature: string) => fetch(url, { method: 'POST', body: new URLSearchParams(params).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature } });
    const unsigned = await post('bm90IGEgc2lnbmF0dXJl');
    expect(unsigned.status).toBe(403);
    expect((await unsigned.json() as any).code).toBe('SB_ERR_TWILIO_SIGNATURE_INVALID');
    const signed = await post(twilio.getExpectedTwilioSignature(h.authToken, url, params));
    expect(signed.status).toBe(200);
    expect(await h.db('talk_prompts').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    // Unreadable words are not an error Twilio should retry: answered, nothing kept.
    const garbled = { ...params, TranscriptionData: '{not json' };
    const g = await fetch(url, { method: 'POST', body: new URLSearchParams(garbled).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(h.authToken, url, garbled) } });
    expect(g.status).toBe(200);
  }, 60_000);
});
