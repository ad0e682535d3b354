import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioSpecValidator } from '../../simulator/openapi-check.js';
import { createRedirectingHttpClient } from '../../server/modules/telephony/twilio-http-client.js';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import { startWebhookApp, twiml } from '../fixtures/simulator-webhook-app.js';

const ACCOUNT = `AC${'2'.repeat(32)}`;
const TOKEN = 'rest-test-token';
const HOTLINE = '+14155550100';
const CUSTOMER = '+14155550123';
const UNKNOWN_CALL = `CA${'0'.repeat(32)}`;

let sim: Simulator;
let app: Awaited<ReturnType<typeof startWebhookApp>>;
let baseUrl: string;
let client: twilio.Twilio;
let httpClient: ReturnType<typeof createRedirectingHttpClient>;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, what: string, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(5);
  }
}

beforeAll(async () => {
  app = await startWebhookApp(TOKEN, {
    '/outbound': (p) => twiml(`<Say>Hello ${p.AnsweredBy ?? 'unknown'}</Say><Gather numDigits="1" action="/never"><Say>Press a key</Say></Gather>`),
    '/redirected': () => twiml('<Say>You were redirected</Say><Gather numDigits="1"><Say>Still there?</Say></Gather>'),
    '/voice': () => twiml('<Enqueue waitUrl="/wait" action="/exit">support</Enqueue>'),
    '/wait': () => twiml('<Say>Please hold</Say><Pause length="2"/>'),
    '/exit': (p) => twiml(`<Say>Queue result ${p.QueueResult}</Say>`),
    '/agent-desk': () => twiml('<Say>An agent will help you now</Say><Hangup/>'),
    '/status': () => twiml(''),
    '/conf-events': () => twiml(''),
  });
  sim = createSimulator({ accountSid: ACCOUNT, authToken: TOKEN, timeScale: 0.001, numbers: { [HOTLINE]: { voiceUrl: `${app.url}/voice` } } });
  baseUrl = await sim.listen();
  httpClient = createRedirectingHttpClient(baseUrl);
  client = twilio(ACCOUNT, TOKEN, { httpClient });
});

afterAll(async () => {
  await sim?.close();
  await app?.close();
});

describe('simulator: Twilio REST API through the official SDK', () => {
  it('creates an outbound call (201), plays its Url with AnsweredBy, and redirects it on update (200)', async () => {
    sim.setPeer('+14155550999', 'answer');
    const created = await client.calls.create({
      to: '+14155550999', from: HOTLINE, url: `${app.url}/outbound`, statusCallback: `${app.url}/status`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'], machineDetection: 'Enable', timeout: 20,
    });
    expect(httpClient.lastResponse?.statusCode).toBe(201);
    expect(created.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.status).toBe('queued');
    expect(created.direction).toBe('outbound-api');
    expect(created.dateCreated).toBeInstanceOf(Date);
    const call = sim.call(created.sid);
    expect(call).toBeDefined();
    await call?.waitFor('gathering');
    expect(call?.heard()).toEqual(['Hello human', 'Press a key']);

    const updated = await client.calls(created.sid).update({ url: `${app.url}/redirected`, method: 'POST' });
    expect(httpClient.lastResponse?.statusCode).toBe(200);
    expect(updated.sid).toBe(created.sid);
    await until(() => call?.heard().includes('Still there?') ?? false, 'the redirected document');
    expect(call?.state).toBe('gathering');

    const fetched = await client.calls(created.sid).fetch();
    expect(fetched.status).toBe('in-progress');
    const ended = await client.calls(created.sid).update({ status: 'completed' });
    expect(ended.status).toBe('completed');
    await call?.waitFor('ended');
    const status = app.received.filter((r) => r.path === '/status' && r.params.CallSid === created.sid);
    expect(status.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(status.every((r) => r.signatureValid)).toBe(true);
    const listed = await client.calls.list({ to: '+14155550999' });
    expect(listed.map((c) => c.sid)).toContain(created.sid);
  });

  it('reports busy and no-answer peers as the call status', async () => {
    sim.setPeer('+14155550998', 'busy');
    const busy = await client.calls.create({ to: '+14155550998', from: HOTLINE, twiml: '<Response><Say>hi</Say></Response>' });
    await sim.call(busy.sid)?.waitFor('ended');
    expect((await client.calls(busy.sid).fetch()).status).toBe('busy');
  });

  it('lists queues and members, and dequeues Front to a new Url (QueueResult=redirected)', async () => {
    const caller = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await caller.waitFor('queued');
    const queues = await client.queues.list();
    const support = queues.find((q) => q.friendlyName === 'support');
    expect(support?.sid).toMatch(/^QU[0-9a-f]{32}$/);
    expect(support?.currentSize).toBe(1);
    const members = await client.queues(support?.sid ?? '').members.list();
    expect(members.map((m) => m.callSid)).toEqual([caller.sid]);
    expect(members[0]?.position).toBe(1);

    const member = await client.queues(support?.sid ?? '').members('Front').update({ url: `${app.url}/agent-desk`, method: 'POST' });
    expect(httpClient.lastResponse?.statusCode).toBe(200);
    expect(member.callSid).toBe(caller.sid);
    await caller.waitFor('ended');
    expect(caller.heard()).toContain('An agent will help you now');
    const exit = app.received.filter((r) => r.path === '/exit' && r.params.CallSid === caller.sid);
    expect(exit.map((r) => r.params.QueueResult)).toEqual(['redirected']);
    expect((await client.queues(support?.sid ?? '').fetch()).currentSize).toBe(0);
  });

  it('bridges a queued caller to an agent who dials the queue, then plays the Enqueue action', async () => {
    const caller = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await caller.waitFor('queued');
    const agent = await client.calls.create({ to: 'client:alice', from: HOTLINE, twiml: '<Response><Dial><Queue>support</Queue></Dial></Response>' });
    await caller.waitFor('bridged');
    await sim.call(agent.sid)?.waitFor('bridged');
    await sim.call(agent.sid)?.hangup();
    await caller.waitFor('ended');
    expect(caller.heard()).toContain('Queue result bridged');
  });

  it('adds, updates and removes conference participants', async () => {
    sim.setPeer('client:bob', 'answer');
    const p = await client.conferences('room-7').participants.create({ from: HOTLINE, to: 'client:bob', muted: true, beep: 'false', conferenceStatusCallback: `${app.url}/conf-events` });
    expect(httpClient.lastResponse?.statusCode).toBe(201);
    expect(p.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    await sim.call(p.callSid)?.waitFor('conference');
    const [conf] = await client.conferences.list({ friendlyName: 'room-7' });
    expect(conf?.sid).toMatch(/^CF[0-9a-f]{32}$/);
    expect(conf?.status).toBe('in-progress');
    const listed = await client.conferences(conf?.sid ?? '').participants.list();
    expect(listed.map((x) => [x.callSid, x.muted])).toEqual([[p.callSid, true]]);
    const held = await client.conferences(conf?.sid ?? '').participants(p.callSid).update({ hold: true, muted: false });
    expect([held.hold, held.muted]).toEqual([true, false]);
    await client.conferences(conf?.sid ?? '').participants(p.callSid).remove();
    expect(httpClient.lastResponse?.statusCode).toBe(204);
    await sim.call(p.callSid)?.waitFor('ended');
    expect((await client.conferences(conf?.sid ?? '').fetch()).status).toBe('completed');
    const events = () => app.received.filter((r) => r.path === '/conf-events').map((r) => r.params.StatusCallbackEvent);
    await until(() => events().length === 4, 'conference callbacks');
    expect(events()).toEqual(['conference-start', 'participant-join', 'participant-leave', 'conference-end']);
  });

  it('refuses a wrong auth token with 401 / 20003', async () => {
    const bad = twilio(ACCOUNT, 'not-the-token', { httpClient: createRedirectingHttpClient(baseUrl) });
    await expect(bad.calls.list()).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it('answers an unknown SID with 404 / 20404', async () => {
    await expect(client.calls(UNKNOWN_CALL).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(client.calls(UNKNOWN_CALL).update({ status: 'completed' })).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('sent and answered only what Twilio\'s OpenAPI description allows (every REST exchange above)', () => {
    const validator = createTwilioSpecValidator(new URL('../fixtures/twilio_api_v2010.json', import.meta.url).pathname);
    const rest = sim.exchanges.filter((e) => e.kind === 'rest');
    expect(rest.length).toBeGreaterThan(15);
    const problems = rest.flatMap((e) => [
      ...validator.validateRequest(e.method, e.path ?? e.url, e.params),
      ...validator.validateResponse(e.method, e.path ?? e.url, e.status, e.body),
    ].map((p) => `${e.method} ${e.path} ${e.status}: ${p}`));
    expect(problems).toEqual([]);
  });

  // After the OpenAPI check above: a fault's answers are the simulator's, not a resource's.
  it('fails the REST API with 503 / 20503 for the window a test asks for, over HTTP, then answers again', async () => {
    const basic = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
    const on = await fetch(`${baseUrl}/sim/faults`, { method: 'POST', headers: { Authorization: basic, 'Content-Type': 'application/json' }, body: JSON.stringify({ ms: 60_000 }) });
    expect(on.status).toBe(200);
    await expect(client.calls.list()).rejects.toMatchObject({ status: 503, code: 20503 });
    await expect(client.calls.create({ to: CUSTOMER, from: HOTLINE, url: `${app.url}/outbound` })).rejects.toMatchObject({ status: 503 });
    // Only the account may switch faults.
    expect((await fetch(`${baseUrl}/sim/faults`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${baseUrl}/sim/faults`, { method: 'DELETE', headers: { Authorization: basic } })).status).toBe(204);
    await expect(client.calls.list()).resolves.toBeInstanceOf(Array);
    // A window ends by itself; a fault may hit one method only.
    sim.fail({ ms: 150, methods: ['POST'] });
    await expect(client.calls.list()).resolves.toBeInstanceOf(Array);
    await expect(client.calls(UNKNOWN_CALL).update({ status: 'completed' })).rejects.toMatchObject({ status: 503 });
    await wait(200);
    await expect(client.calls(UNKNOWN_CALL).update({ status: 'completed' })).rejects.toMatchObject({ status: 404 });
    expect(() => sim.fail({ ms: 1000, status: 418 as 503 })).toThrow(/fault answers/);
  });
});
