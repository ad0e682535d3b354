import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PIN } from '../../server/db/synthetic-bank.js';
import { connectAgent, makeAgents } from '../helpers/agents.js';
import { HOTLINE, startHotline, type Hotline } from '../helpers/hotline.js';
import { startTestApp } from '../helpers/test-app.js';
import { until, zoneAtLocalHour, clockFrom } from '../helpers/wait.js';

// A working session at LOG_LEVEL=debug, every line the server logs kept: none may carry a full
// phone number, the PIN, an ID number, an account or card number, or a customer's full name.
const GOLD = '+8613800000003';
const LOST_CARD = '+8613800000004';
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;

let h: Hotline;
let log = '';
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => { log += d.toString('utf8'); });
  h = await startHotline({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json', ROUTING_SWEEP_MS: '200', DIALER_TICK_MS: '100' }, { now: OPEN, logStream: stream });
});
afterAll(async () => { await h?.close(); });

async function call(from: string, ...presses: string[]) {
  const c = h.sim.dial({ from, to: HOTLINE });
  for (const keys of presses) {
    await c.waitFor('gathering');
    await c.press(keys);
  }
  await until('the call to settle', async () => ['gathering', 'queued', 'ended'].includes(c.state));
  await c.hangup().catch(() => undefined);
  await c.waitFor('ended');
  return c;
}

describe('logs carry no personal data', () => {
  it('a scripted session: lookup, search, self-service with PIN, card loss, a campaign call', { timeout: 90_000 }, async () => {
    const agent = await h.auth('agent1');
    const gold = await h.db('customers as c').join('customer_phones as p', 'p.customer_id', 'c.id').where('p.phone', GOLD).first('c.*');
    const lost = await h.db('customers as c').join('customer_phones as p', 'p.customer_id', 'c.id').where('p.phone', LOST_CARD).first('c.*');

    // Caller-ID lookup, profile, and searches by phone, name and card digits.
    await h.http.get('/api/customers/lookup').query({ phone: GOLD }).set(agent).expect(200);
    await h.http.get('/api/customers/search').query({ name: gold.name_zh }).set(agent).expect(200);
    await h.http.get('/api/customers/search').query({ name: gold.name_en }).set(agent).expect(200);
    await h.http.get('/api/customers/search').query({ phone: LOST_CARD }).set(agent).expect(200);
    // A request that fails validation logs its rejection too.
    await h.http.get('/api/customers/lookup').query({ phone: `${GOLD}x` }).set(agent).expect(400);

    // Self-service balance after the PIN, and a lost card blocked.
    await call(GOLD, '1', '1', '1', DEMO_PIN);
    await call(LOST_CARD, '1', '2', '1', DEMO_PIN);

    // A campaign call put through to an agent and wrapped up.
    const supervisor = await h.auth('supervisor1');
    const [made] = await makeAgents(h.app, h.db, 'piiout', 1, { piiout: 1 });
    const console = await connectAgent(h.url, made!.token, made!.id, { heartbeatMs: 2000 });
    await console.next('agent:restore');
    await console.request('state:set', { state: 'available' });
    await h.db('customers').where({ id: gold.id }).update({ timezone: zoneAtLocalHour(12), marketing_consent: true, do_not_call: false });
    const campaign = (await h.http.post('/api/campaigns').set(supervisor).send({
      name: 'PII check', purpose: 'care', dialing_mode: 'progressive', caller_id: '+864008895500', skill: 'piiout', window_start: '00:00', window_end: '23:59', calls_per_second: 5, max_attempts: 1,
    }).expect(201)).body;
    await h.http.post(`/api/campaigns/${campaign.id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv').send(`customer_no\n${gold.customer_no}\n`).expect(200);
    await h.http.post(`/api/campaigns/${campaign.id}/start`).set(supervisor).expect(200);
    await console.next('call:connected', () => true, 20_000);
    await console.request('call:end');
    await console.next('call:ended');
    await console.request('wrapup:complete', { reason_codes: [], products_discussed: [], disposition: 'not_interested', notes: `spoke with ${gold.name_en}` });
    console.close();

    const accounts = (await h.db('deposit_accounts').whereIn('customer_id', [gold.id, lost.id]).select('account_no')).map((r) => r.account_no as string);
    const lines = log.split('\n').filter(Boolean);
    expect(lines.some((l) => l.includes('"level":20'))).toBe(true); // debug really was on
    expect(lines.length).toBeGreaterThan(40);
    if (process.env.SB_DUMP_LOG) (await import('node:fs')).writeFileSync(process.env.SB_DUMP_LOG, log);
    const forbidden = [GOLD, LOST_CARD, GOLD.slice(1), LOST_CARD.slice(1), DEMO_PIN, gold.id_number, lost.id_number, gold.name_zh, gold.name_en, lost.name_zh, lost.name_en, ...accounts];
    for (const secret of forbidden) {
      const hit = lines.find((l) => l.includes(secret));
      expect(hit, `"${secret}" logged`).toBeUndefined();
    }
    // No run of digits long enough to be a card number anywhere.
    expect(lines.find((l) => /\d{13,19}/.test(l.replace(/"(time|ms)":\d+/g, '')))).toBeUndefined();
    // Lookups are still logged, by route and query key.
    expect(lines.some((l) => l.includes('/api/customers/lookup?phone=…'))).toBe(true);
  });
});

describe('the demo terminal', () => {
  it('stays quiet while the phone simulator page polls, and says what matters in short lines', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    const t = await startTestApp({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' }, { logStream: stream });
    try {
      for (let i = 0; i < 20; i++) await t.http.get('/twilio-sim/phone/setup').expect(200);
      await t.http.post('/api/auth/login').send({ username: 'agent1', password: 'wrong-password' }).expect(401);
      const lines = out.split('\n').filter(Boolean);
      expect(lines.filter((l) => l.includes('/twilio-sim/'))).toEqual([]);
      expect(lines.some((l) => /^\d\d:\d\d:\d\d INFO {2}request rejected {2}code=SB_ERR_AUTH_BAD_CREDENTIALS$/.test(l))).toBe(true);
      expect(lines.every((l) => !l.startsWith('{'))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
