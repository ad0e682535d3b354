/* eslint-disable @typescript-eslint/no-explicit-any -- API and simulator JSON is asserted field by field */
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tokenFor } from '../helpers/agents.js';
import { dialToQueue, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, timelineOf, type Hotline } from '../helpers/hotline.js';
import { specCheck } from '../helpers/twilio-spec.js';
import { clockFrom, until } from '../helpers/wait.js';

// Talk analytics over Twilio Media Streams (issue 22) on the real app, PostgreSQL and Redis: the
// server starts a stream of the caller's call through the real Twilio adapter when the agent joins;
// the simulator opens the signed WebSocket and sends μ-law frames of both tracks; the server meters
// talk and silence, nudges the agent on dead air, alerts supervisors while it lasts, and writes the
// call's figures to the timeline.

const floor = hotlinePerTest();
const GOLD = '+8613800000003';
const WEDNESDAY_10 = '2026-11-18T02:00:00Z';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const mediaUrl = (h: Hotline) => `${h.url.replace(/^http/, 'ws')}/twilio/media`;

/** Opens the media endpoint as a client would; resolves with how the server answered: the upgrade's status, or the close code. */
function connect(url: string, headers: Record<string, string>, send: (ws: WebSocket) => void = () => undefined): Promise<{ refused?: number; closed?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode }));
    ws.once('open', () => send(ws));
    ws.once('close', (code) => resolve({ closed: code }));
    ws.once('error', () => undefined);
  });
}

describe('talk analytics over media streams', () => {
  it('meters an agent call from the agent\'s join: dead air nudges the agent and alerts supervisors while it lasts, and the call\'s talk figures land on the timeline', async () => {
    const h = await floor.start({ TALK_ANALYTICS: 'true', TALK_DEAD_AIR_SECONDS: '5', ROUTING_SWEEP_MS: '200', WALLBOARD_TICK_MS: '1000' }, { now: clockFrom(WEDNESDAY_10).now });
    const login = await tokenFor(h.app, h.db, 'agent1');
    const agent = await floor.online(h, login);
    const caller = await dialToQueue(h, GOLD, HOTLINE, ['1', '0']);
    // The two talk in turn, then neither says anything (the agent looking something up, say).
    caller.talk([{ who: 'caller', seconds: 3 }, { who: 'agent', seconds: 3 }, { who: 'both', seconds: 1 }, { who: 'none', seconds: 3600 }]);
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');

    const stream = await until('the stream at Twilio', async () => h.sim.exchanges.find((e) => e.kind === 'rest' && e.path?.endsWith('/Streams.json')));
    expect(stream.status).toBe(200);
    expect(stream.params).toMatchObject({ Track: 'both_tracks' });

    // Five seconds of silence on both sides: the agent is nudged, in words the console shows.
    const nudge = await agent.next('call:nudge', undefined, 30_000);
    expect(nudge).toMatchObject({ kind: 'dead_air', seconds: 5, interaction_id: offer.interaction_id });

    // Supervisors see the alert while the silence lasts, and it clears when talk resumes.
    const sup = bearer((await tokenFor(h.app, h.db, 'supervisor1')).token);
    const alert = await until('the dead-air alert', async () => {
      const r = await h.http.get('/api/alerts').query({ open: true }).set(sup);
      return r.body.alerts?.find((a: any) => a.kind === 'dead_air');
    });
    expect(alert).toMatchObject({ severity: 'warning', subject: `interaction:${offer.interaction_id}` });
    expect(alert.data).toMatchObject({ interaction_id: offer.interaction_id, agent_id: login.id, threshold_s: 5 });
    caller.talk([{ who: 'caller', seconds: 2 }, { who: 'agent', seconds: 2 }]);
    await until('the alert cleared', async () => {
      const r = await h.http.get('/api/alerts').query({ open: false }).set(sup);
      return r.body.alerts?.find((a: any) => a.kind === 'dead_air' && a.cleared_at);
    });

    await agent.request('call:end');
    await agent.next('call:ended');
    const { events } = await until('the talk figures', async () => {
      const t = await timelineOf(h, caller.sid);
      return t.events.some((e) => e.type === 'talk_analytics') ? t : null;
    });
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['dead_air', 'dead_air_ended', 'talk_analytics']));
    expect(types.indexOf('dead_air')).toBeLessThan(types.indexOf('dead_air_ended'));
    const figures = events.find((e) => e.type === 'talk_analytics')!.data as { caller_talk: number; agent_talk: number; overtalk: number; silence: number; dead_air: number; longest_silence_s: number };
    // Both sides spoke, over-talked for a second, and the long silence is the call's longest.
    expect(figures.caller_talk).toBeGreaterThan(0);
    expect(figures.agent_talk).toBeGreaterThan(0);
    expect(figures.overtalk).toBeGreaterThan(0);
    expect(figures.overtalk).toBeLessThan(figures.caller_talk);
    expect(figures.dead_air).toBe(1);
    expect(figures.longest_silence_s).toBeGreaterThanOrEqual(5);
    expect(figures.caller_talk + figures.agent_talk - figures.overtalk + figures.silence).toBeCloseTo(1, 2);
    const row = await h.db('talk_streams').where({ interaction_id: offer.interaction_id }).first();
    expect(row).toMatchObject({ agent_user_id: login.id, dead_air_since: null });
    expect(row.stopped_at).not.toBeNull();
    await caller.hangup();

    // Every REST exchange of the streams was one Twilio's OpenAPI description allows.
    const spec = specCheck(h.sim.exchanges, '/Streams');
    expect(spec.checked).toBeGreaterThanOrEqual(1);
    expect(spec.problems).toEqual([]);
  }, 120_000);

  it('closes a stream that goes quiet without its stop, keeping what it heard, and never lets a late frame or a second start count twice', async () => {
    const h = await floor.start({ TALK_ANALYTICS: 'true', MEDIA_STREAM_IDLE_SECONDS: '2', ROUTING_SWEEP_MS: '200' }, { now: clockFrom(WEDNESDAY_10).now });
    const agent = await floor.online(h, await tokenFor(h.app, h.db, 'agent1'));
    const caller = await dialToQueue(h, GOLD, HOTLINE, ['1', '0']);
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');

    // A stream of this call that sends a second of audio, then nothing, and never says stop.
    const url = mediaUrl(h);
    const streamSid = `MZ${'a'.repeat(32)}`;
    const talk = Buffer.from(Array.from({ length: 160 }, (_, i) => (i % 2 ? 0x9f : 0x1f))).toString('base64');
    const ended = await connect(url, { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(h.authToken, url, {}) }, (ws) => {
      const start = { event: 'start', sequenceNumber: '1', streamSid, start: { callSid: caller.sid, streamSid, tracks: ['inbound', 'outbound'] } };
      ws.send(JSON.stringify(start));
      ws.send(JSON.stringify(start)); // a second start changes nothing
      for (let f = 0; f < 50; f++) {
        for (const track of ['inbound', 'outbound']) ws.send(JSON.stringify({ event: 'media', streamSid, media: { track, chunk: String(f + 1), timestamp: String(f * 20), payload: track === 'inbound' ? talk : Buffer.alloc(160, 0xff).toString('base64') } }));
      }
      // A frame from before what was already counted, and a malformed one: neither counts.
      ws.send(JSON.stringify({ event: 'media', streamSid, media: { track: 'inbound', chunk: '1', timestamp: '0', payload: talk } }));
      ws.send(JSON.stringify({ event: 'media', streamSid, media: { track: 'sideways', timestamp: 'soon' } }));
    });
    // The server gave up on it after MEDIA_STREAM_IDLE_SECONDS (terminated: no close frame).
    expect(ended.closed).toBeDefined();
    const row = await until('the quiet stream recorded', async () => {
      const r = await h.db('talk_streams').where({ stream_sid: streamSid }).first();
      return r?.stopped_at ? r : null;
    });
    expect(row).toMatchObject({ stopped_why: 'idle', call_sid: caller.sid, interaction_id: offer.interaction_id });
    expect(row.summary).toMatchObject({ seconds: 1, caller_talk: 1, agent_talk: 0, dead_air: 0 });
    await caller.hangup();
  }, 60_000);

  it('refuses an upgrade without Twilio\'s signature, closes a stream of no agent call or of garbage, and keeps serving', async () => {
    const h = await floor.start({ TALK_ANALYTICS: 'true' });
    const url = mediaUrl(h);
    const signed = { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(h.authToken, url, {}) };
    expect(await connect(url, {})).toEqual({ refused: 403 });
    expect(await connect(url, { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature('not-the-token', url, {}) })).toEqual({ refused: 403 });

    // Signed, but the call has no agent part live: the server closes the stream (policy violation).
    const unknown = await connect(url, signed, (ws) => {
      ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
      ws.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: `MZ${'0'.repeat(32)}`, start: { callSid: `CA${'0'.repeat(32)}`, streamSid: `MZ${'0'.repeat(32)}`, tracks: ['inbound', 'outbound'] } }));
    });
    expect(unknown).toEqual({ closed: 1008 });
    // Garbage, not Twilio speaking: closed once it is plainly not a stream.
    const garbage = await connect(url, signed, (ws) => { for (let i = 0; i < 60; i++) ws.send(i % 2 ? '{not json' : '[1,2]'); });
    expect(garbage).toEqual({ closed: 1003 });
    expect(await h.db('talk_streams').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    // The socket.io consoles still upgrade, and HTTP still answers.
    const agent = await floor.online(h, await tokenFor(h.app, h.db, 'agent1'));
    expect(agent).toBeTruthy();
    await h.http.get('/healthz').expect(200);
  }, 60_000);
});
