/* eslint-disable @typescript-eslint/no-explicit-any -- API and simulator JSON is asserted field by field */
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { createRedirectingHttpClient } from '../../server/modules/telephony/twilio-http-client.js';
import { DEMO_PIN } from '../../server/db/synthetic-bank.js';
import { tokenFor } from '../helpers/agents.js';
import { dialAndPress, dialToQueue, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, timelineOf, type Hotline } from '../helpers/hotline.js';
import { specCheck } from '../helpers/twilio-spec.js';
import { clockFrom, until } from '../helpers/wait.js';

// Recorded calls (issue 21) on the real app, PostgreSQL and Redis, with the real Twilio adapter
// talking to the simulator over HTTP: the notice, a dual-channel recording from the agent's join,
// pause and resume, the reference after Twilio's callback, playback streamed and audited,
// retention with a legal hold, and callbacks replayed or out of order.

const floor = hotlinePerTest();
const GOLD = '+8613800000003';
// A Wednesday at 10:00 in Shanghai: the hotline's human service hours.
const WEDNESDAY_10 = '2026-11-18T02:00:00Z';
const NOTICE_ZH = '为了保障您的权益，您的通话可能会被录音。';
const types = (events: { type: string }[]) => events.map((e) => e.type);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** supertest's parser for a binary body: the bytes as they came. */
/** A seeded user's Authorization header, signed by the app (no password hashing: quicker on a busy machine). */
const as = async (h: Hotline, username: string) => bearer((await tokenFor(h.app, h.db, username)).token);
const bytes = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** The simulator's REST API, read as Twilio's: Basic auth with the account. */
async function twilioGet(h: Hotline, path: string) {
  const r = await fetch(`${h.config.TWILIO_API_BASE}/2010-04-01/Accounts/${h.accountSid}${path}`, {
    headers: { Authorization: `Basic ${Buffer.from(`${h.accountSid}:${h.authToken}`).toString('base64')}` },
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() as any };
}

/** A webhook as Twilio sends it: form-encoded and signed over the URL and parameters. */
async function twilioPost(h: Hotline, path: string, params: Record<string, string>) {
  const url = `${h.url}${path}`;
  const signature = twilio.getExpectedTwilioSignature(h.authToken, url, params);
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature }, body: new URLSearchParams(params).toString() });
}

describe('a recorded call', () => {
  it('is announced, recorded dual-channel from the agent\'s join, paused and resumed by the agent, and played back to a supervisor only, audited', async () => {
    const h = await floor.start({ ROUTING_SWEEP_MS: '200' }, { now: clockFrom(WEDNESDAY_10).now });
    const agentLogin = await tokenFor(h.app, h.db, 'agent1');
    const agent = await floor.online(h, agentLogin);
    const caller = await dialToQueue(h, GOLD, HOTLINE, ['1', '0']);
    // The notice comes in the caller's language, before anyone can join.
    expect(caller.heard()).toContain(NOTICE_ZH);

    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    await caller.waitFor('conference');
    const interactionId: string = offer.interaction_id;

    // Twilio (here the simulator) records the caller's call, both channels.
    const atTwilio = await until('the recording at Twilio', async () => {
      const list = await twilioGet(h, `/Calls/${caller.sid}/Recordings.json`);
      return list.body.recordings?.[0];
    });
    expect(atTwilio).toMatchObject({ status: 'in-progress', channels: 2, source: 'StartCallRecordingAPI', call_sid: caller.sid });
    const sid: string = atTwilio.sid;
    await until('the recording on the interaction', async () => (await h.db('recordings').where({ sid }).first()));

    // Pause and resume from the agent's console API: Twilio's recording follows, each step an event.
    const agentHttp = bearer(agentLogin.token);
    const other = await as(h, 'agent2');
    const foreign = await h.http.post(`/api/interactions/${interactionId}/recording/pause`).set(other);
    expect([foreign.status, foreign.body.code]).toEqual([403, 'SB_ERR_AUTH_FORBIDDEN']);
    const paused = await h.http.post(`/api/interactions/${interactionId}/recording/pause`).set(agentHttp).expect(200);
    expect(paused.body).toMatchObject({ sid, status: 'paused' });
    expect((await twilioGet(h, `/Recordings/${sid}.json`)).body.status).toBe('paused');
    const twice = await h.http.post(`/api/interactions/${interactionId}/recording/pause`).set(agentHttp);
    expect([twice.status, twice.body.code]).toEqual([409, 'SB_ERR_RECORDING_STATE']);
    await h.http.post(`/api/interactions/${interactionId}/recording/resume`).set(agentHttp).expect(200);
    expect((await twilioGet(h, `/Recordings/${sid}.json`)).body.status).toBe('in-progress');

    // Not complete yet: nothing to play.
    const sup = await as(h, 'supervisor1');
    const early = await h.http.get(`/api/recordings/${sid}/audio`).query({ why: 'quality review' }).set(sup);
    expect([early.status, early.body.code]).toEqual([409, 'SB_ERR_RECORDING_NOT_READY']);

    await agent.request('call:end');
    await agent.next('call:ended');
    // The agent part is over: the recording stops, and Twilio's callback brings its length and channels.
    const done = await until('the completed recording', async () => {
      const row = await h.db('recordings').where({ sid }).first();
      return row?.status === 'completed' ? row : null;
    });
    expect(done).toMatchObject({ interaction_id: interactionId, channels: 2 });
    expect(done.duration_s).toBeGreaterThan(0);
    await caller.hangup();

    const { events } = await timelineOf(h, caller.sid);
    expect(types(events)).toEqual(expect.arrayContaining(['recording_notice', 'recording_started', 'recording_paused', 'recording_resumed', 'recording_completed']));
    expect(events.find((e) => e.type === 'recording_paused')!.data).toMatchObject({ recording_sid: sid, why: 'agent', by_user_id: agentLogin.id });
    expect(events.find((e) => e.type === 'recording_completed')!.data).toMatchObject({ recording_sid: sid, channels: 2 });
    // Twilio's media URL is nowhere in the timeline: playback goes through our server.
    expect(JSON.stringify(events)).not.toContain('twilio.com');

    // An agent may not listen; a reason is required; a supervisor listens (not downloads).
    const refused = await h.http.get(`/api/recordings/${sid}/audio`).query({ why: 'curious' }).set(agentHttp);
    expect([refused.status, refused.body.code]).toEqual([403, 'SB_ERR_RECORDING_PLAYBACK_FORBIDDEN']);
    expect((await h.http.get(`/api/recordings/${sid}/audio`).set(sup)).status).toBe(400);
    const noDownload = await h.http.get(`/api/recordings/${sid}/audio`).query({ why: 'keep a copy', download: true }).set(sup);
    expect([noDownload.status, noDownload.body.code]).toEqual([403, 'SB_ERR_RECORDING_DOWNLOAD_FORBIDDEN']);
    const played = await h.http.get(`/api/recordings/${sid}/audio`).query({ why: 'quality review' }).set(sup).buffer(true).parse(bytes);
    expect(played.status).toBe(200);
    expect(played.headers['content-type']).toContain('audio/');
    expect(played.headers['content-disposition']).toContain('inline');
    const wav = played.body as Buffer;
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.subarray(8, 12).toString()).toBe('WAVE');
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(wav.length).toBeGreaterThan(8000);

    const audit = await h.db('audit_log').where({ action: 'recording.play' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_username: 'supervisor1', customer_id: 3, call_sid: caller.sid });
    expect(audit[0].details).toMatchObject({ interaction_id: interactionId, recording_sid: sid, why: 'quality review' });

    const admin = await as(h, 'admin');
    const downloaded = await h.http.get(`/api/recordings/${sid}/audio`).query({ why: 'regulator request', download: true }).set(admin).buffer(true).parse(bytes);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['content-disposition']).toContain('attachment');
    expect(await h.db('audit_log').where({ action: 'recording.download' })).toHaveLength(1);

    // The supervisor's list shows it; an agent's is refused.
    const list = await h.http.get('/api/recordings').set(sup).expect(200);
    expect(list.body.recordings).toEqual([expect.objectContaining({ sid, interaction_id: interactionId, channels: 2, customer_id: 3 })]);
    expect((await h.http.get('/api/recordings').set(agentHttp)).status).toBe(403);

    // Every REST exchange with the simulator's recordings was one Twilio's OpenAPI description allows.
    const spec = specCheck(h.sim.exchanges, '/Recordings');
    expect(spec.checked).toBeGreaterThanOrEqual(4);
    expect(spec.problems).toEqual([]);
  }, 120_000);

  it('pauses while the caller keys their PIN, before the prompt plays, and resumes after it', async () => {
    const h = await floor.start({}, { now: clockFrom(WEDNESDAY_10).now });
    const client = twilio(h.accountSid, h.authToken, { httpClient: createRedirectingHttpClient(h.config.TWILIO_API_BASE!) });
    const c = h.sim.dial({ from: GOLD, to: HOTLINE });
    await c.waitFor('gathering');
    // A call already being recorded (as one would be with an agent) meets the PIN prompt.
    const r = await client.calls(c.sid).recordings.create({ recordingChannels: 'dual', recordingStatusCallback: `${h.url}/twilio/voice/recording`, recordingStatusCallbackEvent: ['in-progress', 'completed'] });
    await until('the recording on the interaction', async () => (await h.db('recordings').where({ sid: r.sid }).first()));
    for (const keys of ['1', '1', '1']) {
      await c.waitFor('gathering');
      await c.press(keys);
    }
    await c.waitFor('gathering');
    expect(c.heard().join('\n')).toMatch(/密码/);
    expect((await twilioGet(h, `/Recordings/${r.sid}.json`)).body.status).toBe('paused');
    await c.press(DEMO_PIN);
    await until('the recording resumed', async () => (await twilioGet(h, `/Recordings/${r.sid}.json`)).body.status === 'in-progress');
    const { events } = await timelineOf(h, c.sid);
    const steps = events.filter((e) => e.type === 'recording_paused' || e.type === 'recording_resumed');
    expect(steps.map((e) => [e.type, e.data.why])).toEqual([['recording_paused', 'secure_input'], ['recording_resumed', 'secure_input']]);
    expect(JSON.stringify(events)).not.toContain(DEMO_PIN);
    await c.hangup();
  }, 60_000);

  it('takes replayed and out-of-order recording callbacks in its stride, and refuses unsigned ones', async () => {
    const h = await floor.start({}, { now: clockFrom(WEDNESDAY_10).now });
    const caller = await dialAndPress(h, GOLD, HOTLINE, []);
    await caller.waitFor('gathering');
    const sid = `RE${'a'.repeat(32)}`;
    const base = { AccountSid: h.accountSid, CallSid: caller.sid, RecordingSid: sid, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${h.accountSid}/Recordings/${sid}`, RecordingChannels: '2' };
    const completed = { ...base, RecordingStatus: 'completed', RecordingDuration: '42' };
    // Completed first, then the late in-progress, then completed again (a replay), then a retry with other values.
    expect((await twilioPost(h, '/twilio/voice/recording', completed)).status).toBe(200);
    expect((await twilioPost(h, '/twilio/voice/recording', { ...base, RecordingStatus: 'in-progress' })).status).toBe(200);
    expect((await twilioPost(h, '/twilio/voice/recording', completed)).status).toBe(200);
    expect((await twilioPost(h, '/twilio/voice/recording', { ...completed, RecordingDuration: '7' })).status).toBe(200);
    // Unsigned: refused, changes nothing.
    const forged = await fetch(`${h.url}/twilio/voice/recording`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...completed, RecordingDuration: '1' }).toString() });
    expect(forged.status).toBe(403);

    const rows = await h.db('recordings').where({ call_sid: caller.sid });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sid, status: 'completed', duration_s: 42, channels: 2 });
    const { events } = await timelineOf(h, caller.sid);
    expect(types(events).filter((t) => t.startsWith('recording_'))).toEqual(['recording_started', 'recording_completed']);
    await caller.hangup();
  });
});

describe('retention', () => {
  it('deletes an expired recording at Twilio and here, and keeps one under legal hold', async () => {
    const clock = clockFrom(WEDNESDAY_10);
    const h = await floor.start({ RECORDING_RETENTION_DAYS: '*=30,wealth=3650', RECORDING_RETENTION_SWEEP_MS: '200' }, { now: clock.now });
    const sup = await as(h, 'supervisor1');
    const agent = await as(h, 'agent1');

    // Two calls recorded through Twilio's REST API, with the app's own callback; then they end.
    const client = twilio(h.accountSid, h.authToken, { httpClient: createRedirectingHttpClient(h.config.TWILIO_API_BASE!) });
    const calls = [];
    for (const from of ['+8613800000003', '+8613900000111']) {
      const c = await dialAndPress(h, from, HOTLINE, []);
      await c.waitFor('gathering');
      const r = await client.calls(c.sid).recordings.create({ recordingChannels: 'dual', recordingStatusCallback: `${h.url}/twilio/voice/recording`, recordingStatusCallbackEvent: ['in-progress', 'completed'] });
      await c.hangup();
      calls.push({ call: c, sid: r.sid });
    }
    const [kept, expired] = calls as [typeof calls[0], typeof calls[0]];
    for (const { sid } of calls) await until(`recording ${sid} completed`, async () => (await h.db('recordings').where({ sid, status: 'completed' }).first()));
    const keptInteraction = (await h.db('recordings').where({ sid: kept.sid }).first()).interaction_id;

    // A hold needs a reason and a supervisor; set, it is audited and in the timeline.
    const noReason = await h.http.put(`/api/interactions/${keptInteraction}/legal-hold`).set(sup).send({ hold: true });
    expect([noReason.status, noReason.body.code]).toEqual([400, 'SB_ERR_LEGAL_HOLD_REASON_REQUIRED']);
    expect((await h.http.put(`/api/interactions/${keptInteraction}/legal-hold`).set(agent).send({ hold: true, reason: 'x' })).status).toBe(403);
    await h.http.put(`/api/interactions/${keptInteraction}/legal-hold`).set(sup).send({ hold: true, reason: 'Complaint CS-2026-000123 before the regulator' }).expect(200);
    expect(await h.db('audit_log').where({ action: 'recording.legal_hold' })).toHaveLength(1);

    // Thirty-one days on: the retention job deletes the one not held, at Twilio and here.
    clock.advance(31 * 86_400);
    const gone = await until('the expired recording deleted', async () => (await h.db('recordings').where({ sid: expired.sid, status: 'deleted' }).first()));
    expect(gone.deleted_why).toBe('retention');
    expect((await twilioGet(h, `/Recordings/${expired.sid}.json`)).status).toBe(404);
    expect((await twilioGet(h, `/Recordings/${kept.sid}.json`)).status).toBe(200);
    expect((await h.db('recordings').where({ sid: kept.sid }).first()).status).toBe('completed');
    const { events } = await timelineOf(h, expired.call.sid);
    expect(events.find((e) => e.type === 'recording_deleted')!.data).toMatchObject({ recording_sid: expired.sid, why: 'retention', days: 30, at_twilio: 'deleted' });
    expect(types((await timelineOf(h, kept.call.sid)).events)).toContain('legal_hold_set');

    // A deleted recording is not played.
    const deleted = await h.http.get(`/api/recordings/${expired.sid}/audio`).query({ why: 'quality review' }).set(sup);
    expect([deleted.status, deleted.body.code]).toEqual([410, 'SB_ERR_RECORDING_DELETED']);
  }, 90_000);
});
