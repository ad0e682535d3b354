import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import { formatTranscript, runScript } from '../../simulator/script.js';
import { startWebhookApp, twiml, type WebhookHandler } from '../fixtures/simulator-webhook-app.js';

const ACCOUNT = `AC${'1'.repeat(32)}`;
const TOKEN = 'sim-test-token';
const HOTLINE = '+862195555';
const CUSTOMER = '+8613800138000';

let sim: Simulator;
let app: Awaited<ReturnType<typeof startWebhookApp>>;

async function setUp(handlers: Record<string, WebhookHandler>, statusEvents = true) {
  app = await startWebhookApp(TOKEN, handlers);
  sim = createSimulator({
    accountSid: ACCOUNT, authToken: TOKEN, timeScale: 0.001,
    numbers: {
      [HOTLINE]: {
        voiceUrl: `${app.url}/voice`,
        statusCallback: `${app.url}/status`,
        ...(statusEvents ? { statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] as const } : {}),
      },
    },
  });
}

afterEach(async () => {
  await sim?.close();
  await app?.close();
});

const menu = (action = '/menu') => twiml(
  `<Say language="cmn-CN">欢迎致电</Say><Gather numDigits="1" timeout="5" action="${action}"><Say language="en-US">Press 1 for balance</Say></Gather><Say>We did not get that</Say><Hangup/>`,
);

describe('simulator: IVR calls against a webhook app', () => {
  it('plays Say, Gather, press, Redirect and Hangup, signing every webhook', async () => {
    await setUp({
      '/voice': () => menu(),
      '/menu': (p) => (p.Digits === '1' ? twiml('<Say>Your balance is 100</Say><Redirect>/bye?x=1&amp;y=2</Redirect>') : twiml('<Hangup/>')),
      '/bye': () => twiml('<Say>Goodbye</Say><Hangup/>'),
      '/status': () => twiml(''),
    });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    await call.waitFor('gathering');
    expect(call.heard()).toEqual(['欢迎致电', 'Press 1 for balance']);
    expect(call.transcript[0]).toMatchObject({ kind: 'say', language: 'cmn-CN' });
    await call.press('1');
    await call.waitFor('ended');
    expect(call.status).toBe('completed');
    expect(call.heard()).toEqual(['欢迎致电', 'Press 1 for balance', 'Your balance is 100', 'Goodbye']);
    expect(call.transcript.map((e) => e.kind)).toContain('hangup');

    const voice = app.received.find((r) => r.path === '/voice');
    expect(voice?.params).toMatchObject({ CallSid: call.sid, AccountSid: ACCOUNT, From: CUSTOMER, To: HOTLINE, Caller: CUSTOMER, Called: HOTLINE, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
    const menuHit = app.received.find((r) => r.path === '/menu');
    expect(menuHit?.params).toMatchObject({ Digits: '1', CallStatus: 'in-progress' });
    expect(app.received.find((r) => r.path === '/bye')?.url).toContain('/bye?x=1&y=2');
    // Every webhook verified by the SDK's validateRequest, each with its own idempotency token.
    expect(app.received.length).toBeGreaterThanOrEqual(7);
    expect(app.received.every((r) => r.signatureValid)).toBe(true);
    const tokens = app.received.map((r) => r.idempotencyToken);
    expect(tokens.every(Boolean)).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(sim.exchanges.filter((e) => e.kind === 'webhook')).toHaveLength(app.received.length);
  });

  it('falls through to the next verb when a Gather times out, or posts the action with actionOnEmptyResult', async () => {
    await setUp({
      '/voice': () => menu(),
      '/empty': () => twiml('<Gather action="/after" actionOnEmptyResult="true" timeout="3"><Say>Again?</Say></Gather>'),
      '/after': (p) => twiml(`<Say>digits=[${p.Digits ?? 'none'}]</Say>`),
      '/status': () => twiml(''),
    });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('gathering');
    await call.silence();
    await call.waitFor('ended');
    expect(call.heard().slice(-1)).toEqual(['We did not get that']);
    expect(app.received.some((r) => r.path === '/menu')).toBe(false);
    expect(call.transcript.find((e) => e.kind === 'silence')?.at).toBeGreaterThan(0);

    sim.setNumber(HOTLINE, { voiceUrl: `${app.url}/empty` });
    const second = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await second.waitFor('gathering');
    await second.silence();
    await second.waitFor('ended');
    const after = app.received.find((r) => r.path === '/after');
    expect(after?.params.Digits).toBeUndefined();
    expect(second.heard()).toEqual(['Again?', 'digits=[none]']);
  });

  it('applies numDigits and finishOnKey to what the caller keys', async () => {
    const got: Record<string, string>[] = [];
    await setUp({
      '/voice': () => twiml('<Gather numDigits="4" action="/pin"><Say>PIN</Say></Gather>'),
      '/pin': (p) => { got.push(p); return twiml('<Gather finishOnKey="#" action="/acct"><Say>Account then hash</Say></Gather>'); },
      '/acct': (p) => { got.push(p); return twiml('<Gather finishOnKey="" timeout="2" action="/free"><Say>Anything</Say></Gather>'); },
      '/free': (p) => { got.push(p); return twiml('<Hangup/>'); },
      '/status': () => twiml(''),
    });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('gathering');
    await call.press('1234');
    await call.waitFor('gathering');
    await call.press('9876#');
    await call.waitFor('gathering');
    await call.press('12#');
    await call.waitFor('ended');
    expect(got[0]).toMatchObject({ Digits: '1234', FinishedOnKey: '' });
    expect(got[1]).toMatchObject({ Digits: '9876', FinishedOnKey: '#' });
    expect(got[2]).toMatchObject({ Digits: '12#' });
  });

  it('keeps keys pressed past the end of a gather for the next Gather (cutting its prompts), and drops them at a Say outside one', async () => {
    const got: Record<string, string>[] = [];
    await setUp({
      '/voice': () => twiml('<Gather numDigits="6" finishOnKey="#" action="/pin"><Say>PIN</Say></Gather>'),
      // The # after a 6-digit PIN reaches this gather and cuts its read-out short.
      '/pin': () => twiml('<Gather numDigits="1" finishOnKey="" action="/menu"><Say>Your balance is 100</Say></Gather>'),
      '/menu': (p) => { got.push(p); return twiml('<Gather numDigits="6" finishOnKey="#" action="/again"><Say>PIN again</Say></Gather>'); },
      // Said outside a gather: the # pressed meanwhile is lost, and the read-out heard in full.
      '/again': () => twiml('<Say>Your balance is 200</Say><Gather numDigits="1" finishOnKey="" action="/last"><Say>Menu</Say></Gather>'),
      '/last': (p) => { got.push(p); return twiml('<Hangup/>'); },
      '/status': () => twiml(''),
    });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('gathering');
    await call.press('135790#');
    await call.waitFor('gathering');
    expect(got[0]).toMatchObject({ Digits: '#' });
    expect(call.heard()).not.toContain('Your balance is 100');
    await call.press('135790#');
    await call.waitFor('gathering');
    expect(call.heard()).toContain('Your balance is 200');
    await call.press('2');
    await call.waitFor('ended');
    expect(got[1]).toMatchObject({ Digits: '2' });
  });

  it('sends status callbacks with increasing SequenceNumber, in-progress for answered, CallDuration on completed', async () => {
    await setUp({ '/voice': () => twiml('<Say>Hi</Say><Pause length="2"/><Hangup/>'), '/status': () => twiml('') });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('ended');
    const status = app.received.filter((r) => r.path === '/status');
    expect(status.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(status.map((r) => r.params.SequenceNumber)).toEqual(['0', '1', '2', '3']);
    for (const r of status) {
      expect(r.signatureValid).toBe(true);
      expect(r.params).toMatchObject({ CallSid: call.sid, CallbackSource: 'call-progress-events' });
      expect(r.params.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    }
    expect(Number(status[3]?.params.CallDuration)).toBeGreaterThanOrEqual(2);
    expect(status[2]?.params.CallDuration).toBeUndefined();
  });

  it('only sends the completed callback when a number names no events', async () => {
    await setUp({ '/voice': () => twiml('<Say>Hi</Say>'), '/status': () => twiml('') }, false);
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('ended');
    const status = app.received.filter((r) => r.path === '/status');
    expect(status.map((r) => [r.params.CallStatus, r.params.SequenceNumber])).toEqual([['completed', '0']]);
  });

  it('loops the Enqueue waitUrl and posts QueueResult=hangup when the caller hangs up', async () => {
    await setUp({
      '/voice': () => twiml('<Say>Connecting you</Say><Enqueue waitUrl="/wait" action="/exit">general</Enqueue><Say>never played</Say>'),
      '/wait': (p) => twiml(`<Say>You are number ${p.QueuePosition}</Say><Pause length="1"/>`),
      '/exit': () => twiml('<Say>Should not be played after a hangup</Say>'),
      '/status': () => twiml(''),
    });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('queued');
    while (app.received.filter((r) => r.path === '/wait').length < 3) await new Promise((r) => setTimeout(r, 5));
    await call.hangup();
    expect(call.state).toBe('ended');
    const waits = app.received.filter((r) => r.path === '/wait');
    expect(waits[0]?.params).toMatchObject({ QueuePosition: '1', CurrentQueueSize: '1', MaxQueueSize: '100', AvgQueueTime: '0' });
    expect(waits[0]?.params.QueueSid).toMatch(/^QU[0-9a-f]{32}$/);
    expect(Number(waits[2]?.params.QueueTime)).toBeGreaterThan(Number(waits[0]?.params.QueueTime));
    const exit = app.received.filter((r) => r.path === '/exit');
    expect(exit).toHaveLength(1);
    expect(exit[0]?.params).toMatchObject({ QueueResult: 'hangup', QueueSid: waits[0]?.params.QueueSid });
    expect(Number(exit[0]?.params.QueueTime)).toBeGreaterThanOrEqual(1);
    expect(call.heard()).not.toContain('Should not be played after a hangup');
    const status = app.received.filter((r) => r.path === '/status');
    expect(status.at(-1)?.params.CallStatus).toBe('completed');
  });

  it('leaves the queue on <Leave/> and continues with the action TwiML', async () => {
    await setUp({
      '/voice': () => twiml('<Enqueue waitUrl="/wait" action="/exit">general</Enqueue>'),
      '/wait': () => twiml('<Gather numDigits="1" timeout="1" action="/key"><Say>Press 1 for a callback</Say></Gather><Play>http://music/hold.mp3</Play>'),
      '/key': (p) => twiml(p.Digits === '1' ? '<Leave/>' : ''),
      '/exit': (p) => twiml(`<Say>Left with ${p.QueueResult}</Say>`),
      '/status': () => twiml(''),
    });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('queued');
    await call.press('1');
    await call.waitFor('ended');
    expect(call.heard()).toContain('Left with leave');
  });

  it('plays the application error and ends the call when a webhook fails', async () => {
    await setUp({ '/voice': () => ({ status: 500, body: 'boom' }), '/status': () => twiml('') });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('ended');
    expect(call.transcript.some((e) => e.kind === 'error')).toBe(true);
    expect(call.status).toBe('completed');

    sim.setNumber(HOTLINE, { voiceUrl: `${app.url}/not-twiml` });
    const second = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await second.waitFor('ended');
    expect(second.transcript.some((e) => e.kind === 'error')).toBe(true);
  });

  it('runs a scripted caller and formats its transcript', async () => {
    await setUp({
      '/voice': () => menu(),
      '/menu': () => twiml('<Enqueue waitUrl="/wait">general</Enqueue>'),
      '/wait': () => twiml('<Say>Please hold</Say><Pause length="1"/>'),
      '/status': () => twiml(''),
    });
    const transcript = await runScript(sim, { from: CUSTOMER, to: HOTLINE, presses: ['1'] });
    const lines = formatTranscript(transcript);
    expect(lines[0]).toBe('  0.0s  IVR says (cmn-CN): 欢迎致电');
    expect(lines.some((l) => /\d+\.\ds {2}caller presses 1$/.test(l))).toBe(true);
    expect(lines.some((l) => l.endsWith('queued in "general" (position 1)'))).toBe(true);
    expect(lines.at(-1)).toMatch(/call ended \(completed\)$/);
  });

  it('dials a number: DialCallStatus per the peer, DialCallSid and DialCallDuration on the action', async () => {
    const dialed: Record<string, string>[] = [];
    await setUp({
      '/voice': () => twiml('<Dial action="/dialed" timeout="5" callerId="+862195555"><Number>+8613900000001</Number></Dial>'),
      '/dialed': (p) => { dialed.push(p); return twiml('<Hangup/>'); },
      '/status': () => twiml(''),
    });
    sim.setPeer('+8613900000001', 'busy');
    const busy = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await busy.waitFor('ended');
    sim.setPeer('+8613900000001', 'answer');
    const answered = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await answered.waitFor('ended');
    expect(dialed[0]).toMatchObject({ DialCallStatus: 'busy', DialCallDuration: '0' });
    expect(dialed[1]).toMatchObject({ DialCallStatus: 'completed' });
    expect(dialed[1]?.DialCallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(Number(dialed[1]?.DialCallDuration)).toBeGreaterThan(0);
    const leg = sim.call(dialed[1]?.DialCallSid ?? '');
    expect(leg).toMatchObject({ direction: 'outbound-dial', from: '+862195555', to: '+8613900000001', status: 'completed' });
  });

  it('records until the finish key and posts the recording to the action and status callback', async () => {
    await setUp({
      '/voice': () => twiml('<Say>Leave a message</Say><Record action="/rec" maxLength="30" recordingStatusCallback="/recstatus"/>'),
      '/rec': (p) => twiml(`<Say>Saved ${p.RecordingDuration} seconds</Say>`),
      '/recstatus': () => twiml(''),
      '/status': () => twiml(''),
    });
    const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
    await call.waitFor('gathering');
    await call.press('#');
    await call.waitFor('ended');
    const rec = app.received.find((r) => r.path === '/rec')?.params;
    expect(rec?.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(rec).toMatchObject({ Digits: '#', RecordingDuration: '5' });
    expect(rec?.RecordingUrl).toContain(`/Recordings/${rec?.RecordingSid}`);
    expect(call.heard()).toContain('Saved 5 seconds');
    while (!app.received.some((r) => r.path === '/recstatus')) await new Promise((r) => setTimeout(r, 5));
    expect(app.received.find((r) => r.path === '/recstatus')?.params).toMatchObject({ RecordingStatus: 'completed', RecordingSid: rec?.RecordingSid });
  });

  it('retries a webhook once after a connection failure, with the same idempotency token', async () => {
    await setUp({ '/voice': () => twiml('<Say>Hi</Say>') });
    const seen: { token: string | undefined; body: string }[] = [];
    const flaky = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const token = req.headers['i-twilio-idempotency-token'];
        seen.push({ token: typeof token === 'string' ? token : undefined, body });
        if (seen.length === 1) req.socket.destroy();
        else res.end('<Response/>');
      });
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const port = (flaky.address() as AddressInfo).port;
      sim.setNumber(HOTLINE, { voiceUrl: `${app.url}/voice`, statusCallback: `http://127.0.0.1:${port}/status` });
      const call = sim.dial({ from: CUSTOMER, to: HOTLINE });
      await call.waitFor('ended');
      expect(seen).toHaveLength(2);
      expect(seen[0]?.token).toBeTruthy();
      expect(seen[1]?.token).toBe(seen[0]?.token);
      expect(seen[1]?.body).toBe(seen[0]?.body);
      const exchange = sim.exchanges.filter((e) => e.url.endsWith('/status'));
      expect(exchange.map((e) => e.status)).toEqual([200]);
    } finally {
      await new Promise((r) => flaky.close(r));
    }
  });
});
