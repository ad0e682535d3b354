import { afterEach, describe, expect, it } from 'vitest';
import { makeInteraction } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// What the agent console and the phone simulator page need from the server, beyond the socket.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const GOLD = '+8613800000003';
const HOTLINE = '+864008895555';
const PHONE = '/twilio-sim/phone';

describe('console pages', () => {
  it('serves the console at / and /simulator under a strict content-security policy, with cached hashed assets', async () => {
    t = await startTestApp();
    for (const path of ['/', '/simulator']) {
      const page = await t.http.get(path).expect(200).expect('content-type', /text\/html/);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.text).toContain('<div id="app"></div>');
    }
    const script = /src="(\/assets\/[^"]+\.js)"/.exec((await t.http.get('/')).text)![1]!;
    const asset = await t.http.get(script).expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    await t.http.get('/assets/nope.js').expect(404);
  });
});

describe('softphone', () => {
  it('tells an agent how their calls reach them: the simulator, a Voice SDK token for their identity, or their phone', async () => {
    t = await startTestApp();
    const agent = await t.auth('agent1');
    const me = await t.http.get('/api/auth/me').set(agent);
    const sim = await t.http.get('/api/agents/me/softphone').set(agent).expect(200);
    expect(sim.body).toEqual({ mode: 'simulator', identity: `agent_${me.body.id}`, token: null, expires_in: null });
    await t.http.get('/api/agents/me/softphone').set(await t.auth('supervisor1')).expect(403);
    await t.http.get('/api/agents/me/softphone').expect(401);
    await t.close();

    const accountSid = `AC${'1'.repeat(32)}`;
    const apiKey = `SK${'2'.repeat(32)}`;
    const secret = 'api-key-secret-0123456789';
    t = await startTestApp({ TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: 'auth-token-0123456789', TWILIO_API_BASE: 'http://127.0.0.1:9', TWILIO_API_KEY_SID: apiKey, TWILIO_API_KEY_SECRET: secret });
    const browser = await t.http.get('/api/agents/me/softphone').set(await t.auth('agent1')).expect(200);
    expect(browser.body.mode).toBe('twilio');
    const claims = JSON.parse(Buffer.from(browser.body.token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: apiKey, sub: accountSid, grants: { identity: `agent_${me.body.id}`, voice: { incoming: { allow: true } } } });
    expect(claims.grants.voice.outgoing).toBeUndefined();
    expect(claims.exp - claims.iat).toBe(browser.body.expires_in);
    await t.close();

    t = await startTestApp({ TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: 'auth-token-0123456789', TWILIO_API_BASE: 'http://127.0.0.1:9' });
    const desk = await t.http.get('/api/agents/me/softphone').set(await t.auth('agent1')).expect(200);
    expect(desk.body).toMatchObject({ mode: 'phone', token: null });
  });
});

describe("an agent's own recent calls", () => {
  it('lists only the calls this agent handled; other unfiltered lists stay closed to agents', async () => {
    t = await startTestApp();
    const agent1 = await t.db('users').where({ username: 'agent1' }).first('id');
    const agent2 = await t.db('users').where({ username: 'agent2' }).first('id');
    const started_at = new Date('2026-11-20T02:00:00Z');
    const mine = await makeInteraction(t.db, { started_at, customer_id: 3, agent_user_id: agent1.id, disposition: 'resolved' });
    await makeInteraction(t.db, { started_at, customer_id: 4, agent_user_id: agent2.id, disposition: 'sale' });
    const res = await t.http.get('/api/interactions?mine=true').set(await t.auth('agent1')).expect(200);
    expect(res.body.interactions.map((i: { id: string }) => i.id)).toEqual([mine]);
    const refused = await t.http.get('/api/interactions').set(await t.auth('agent1')).expect(403);
    expect(refused.body.code).toBe('SB_ERR_AUTH_FORBIDDEN');
  });
});

describe('demo phone (the /simulator page)', () => {
  it('dials the hotline, reads the IVR as it speaks, takes keys and hangs up', async () => {
    t = await startTestApp({}, { listen: true });
    const setup = await t.http.get(`${PHONE}/setup`).expect(200);
    expect(setup.body.hotlines).toContainEqual({ number: HOTLINE, flow: 'hotline' });
    expect(setup.body.callers).toContainEqual(expect.objectContaining({ customer_id: 3, phone: GOLD, tier: 'GOLD' }));

    const { body: { sid } } = await t.http.post(`${PHONE}/calls`).send({ from: GOLD }).expect(201);
    let seen = 0;
    let heard = '';
    const until = async (pred: (c: { state: string; status: string }) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const c = await t!.http.get(`${PHONE}/calls/${sid}?after=${seen}`).expect(200);
        seen = c.body.next;
        heard += c.body.transcript.map((e: { text: string }) => `${e.text}\n`).join('');
        if (pred(c.body)) return c.body;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no such state; heard:\n${heard}`);
    };
    await until((c) => c.state === 'gathering');
    expect(heard).toContain('For English, press 2');
    const lines = seen;
    await t.http.post(`${PHONE}/calls/${sid}/press`).send({ digits: '2' }).expect(204);
    await until((c) => c.state === 'gathering' && seen > lines);
    // Only what came after `after` is sent again; English was chosen and the caller was recognised.
    expect(heard.split('For English, press 2').length).toBe(2);
    expect(heard).toContain('press 0');

    await t.http.post(`${PHONE}/calls/${sid}/hangup`).expect(204);
    const ended = await until((c) => c.state === 'ended');
    expect(ended.status).toBe('completed');
    const late = await t.http.post(`${PHONE}/calls/${sid}/press`).send({ digits: '1' }).expect(409);
    expect(late.body.code).toBe('SB_ERR_SIM_NOT_LISTENING');
    const interaction = await t.db('interactions').where({ call_sid: sid }).first();
    expect(interaction).toMatchObject({ customer_id: 3, language: 'en', outcome: 'hangup_in_ivr' });
  });

  it('answers bad input with coded errors, and nobody but this machine', async () => {
    t = await startTestApp({}, { listen: true });
    const unknown = await t.http.get(`${PHONE}/calls/CA${'0'.repeat(32)}`).expect(404);
    expect(unknown.body.code).toBe('SB_ERR_SIM_CALL_NOT_FOUND');
    expect((await t.http.post(`${PHONE}/calls`).send({ from: '12345' }).expect(400)).body.code).toBe('SB_ERR_REQUEST_INVALID');
    expect((await t.http.post(`${PHONE}/calls`).send({ from: GOLD, to: '+8610000000' }).expect(400)).body.code).toBe('SB_ERR_REQUEST_INVALID');
    expect((await t.http.post(`${PHONE}/calls/${'x'.repeat(34)}/press`).send({ digits: '1' }).expect(400)).body.code).toBe('SB_ERR_REQUEST_INVALID');
    const remote = await t.app.inject({ method: 'GET', url: `${PHONE}/setup`, remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().code).toBe('SB_ERR_AUTH_FORBIDDEN');
  });

  it('does not exist with a Twilio account', async () => {
    t = await startTestApp({ TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'auth-token-0123456789', TWILIO_API_BASE: 'http://127.0.0.1:9' });
    await t.http.get(`${PHONE}/setup`).expect(404);
  });
});
