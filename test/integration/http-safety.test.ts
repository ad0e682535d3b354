import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { until } from '../helpers/wait.js';

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe('security headers on every response', () => {
  it('pages, API answers, errors and probes carry them; the console may load only its own scripts and talk to its own sockets', async () => {
    t = await startTestApp();
    const answers = [
      await t.http.get('/'),
      await t.http.get('/healthz').expect(200),
      await t.http.get('/api/customers/1/profile').expect(401),
      await t.http.get('/api/nothing-here').expect(404),
      await t.http.post('/api/auth/login').send({ username: 'agent1', password: DEMO_PASSWORD }).expect(200),
    ];
    for (const res of answers) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/connect-src 'self' ws: wss:/);
      // The demo is plain HTTP at whatever address it is opened on: nothing may force https.
      expect(csp).not.toContain('upgrade-insecure-requests');
    }
  });
});

describe('the general API rate limit', () => {
  it('refuses a user past RATE_LIMIT_MAX with a coded 429, counts each user apart, and leaves probes alone', async () => {
    t = await startTestApp({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_SECONDS: '2' });
    const agent = await t.auth('agent1');
    const supervisor = await t.auth('supervisor1');
    for (let i = 0; i < 5; i++) await t.http.get('/api/auth/me').set(agent).expect(200);
    const refused = await t.http.get('/api/auth/me').set(agent).expect(429);
    expect(refused.body).toMatchObject({ code: 'SB_ERR_RATE_LIMITED', statusCode: 429 });
    expect(refused.headers['retry-after']).toBeTruthy();
    // Another user (their own count) and the probes go on.
    await t.http.get('/api/auth/me').set(supervisor).expect(200);
    for (let i = 0; i < 10; i++) await t.http.get('/healthz').expect(200);
    // The window passes and the user is served again.
    await until('the window to pass', async () => (await t!.http.get('/api/auth/me').set(agent)).status !== 429, 10_000);
  });
});
