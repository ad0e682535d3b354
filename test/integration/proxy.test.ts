import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe('behind a reverse proxy (TRUST_PROXY)', () => {
  it('audit rows and the demo phone see the client behind the proxy, not the proxy', async () => {
    t = await startTestApp({ TRUST_PROXY: 'loopback' });
    const client = { 'X-Forwarded-For': '203.0.113.9' };
    await t.http.post('/api/auth/login').set(client).send({ username: 'agent1', password: DEMO_PASSWORD }).expect(200);
    const row = await t.db('audit_log').where({ action: 'auth.login', actor_username: 'agent1' }).orderBy('id', 'desc').first();
    expect(row.ip).toBe('203.0.113.9');
    // The demo phone needs no login, so it answers only on this machine: a remote client behind the proxy is refused.
    const refused = await t.http.get('/twilio-sim/phone/setup').set(client).expect(403);
    expect(refused.body.code).toBe('SB_ERR_AUTH_FORBIDDEN');
    await t.http.get('/twilio-sim/phone/setup').set({ 'X-Forwarded-For': '127.0.0.1' }).expect(200);
  });

  it('without TRUST_PROXY a forwarded address is not believed', async () => {
    t = await startTestApp();
    await t.http.post('/api/auth/login').set({ 'X-Forwarded-For': '203.0.113.9' }).send({ username: 'agent1', password: DEMO_PASSWORD }).expect(200);
    const row = await t.db('audit_log').where({ action: 'auth.login', actor_username: 'agent1' }).orderBy('id', 'desc').first();
    expect(row.ip).not.toBe('203.0.113.9');
  });

  it('a request id is taken from X-Request-Id or made, and returned', async () => {
    t = await startTestApp();
    const given = await t.http.get('/healthz').set({ 'X-Request-Id': 'lb-7f3a-0001' }).expect(200);
    expect(given.headers['x-request-id']).toBe('lb-7f3a-0001');
    const made = await t.http.get('/healthz').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const error = await t.http.get('/api/nothing-here').expect(404);
    expect(error.headers['x-request-id']).toBeTruthy();
  });

  it('demo-only routes exist only in demo mode', async () => {
    t = await startTestApp({ TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'auth-token-0123456789', TWILIO_API_BASE: 'http://127.0.0.1:9' });
    await t.http.get('/twilio-sim/phone/setup').expect(404);
    expect(t.app.telephony.simulator).toBeNull();
  });
});
