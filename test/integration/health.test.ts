import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe('health and readiness', () => {
  it('/healthz answers while the process is up, without a token', async () => {
    t = await startTestApp();
    await t.http.get('/healthz').expect(200, { status: 'ok' });
  });

  it('/readyz checks the database and Redis', async () => {
    t = await startTestApp();
    const res = await t.http.get('/readyz').expect(200);
    expect(res.body.checks.database).toBe('ok');
    expect(res.body.checks.redis).toBe(process.env.REDIS_URL ? 'ok' : 'not_configured');
  });

  it('/readyz answers 503 naming Redis when Redis cannot be reached', async () => {
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    const res = await t.http.get('/readyz').expect(503);
    expect(res.body.code).toBe('SB_ERR_DEPENDENCY_UNAVAILABLE');
    expect(res.body.details.checks).toEqual({ database: 'ok', redis: 'unavailable' });
  });

  it('serves OpenAPI docs describing the customer API', async () => {
    t = await startTestApp();
    const spec = await t.http.get('/docs/json').expect(200);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/api/customers/{id}/profile', '/api/customers/lookup', '/api/auth/login']));
    await t.http.get('/docs/').expect(200);
  });

  it('unknown routes get a coded 404', async () => {
    t = await startTestApp();
    const res = await t.http.get('/api/nope').expect(404);
    expect(res.body).toMatchObject({ code: 'SB_ERR_ROUTE_NOT_FOUND', statusCode: 404 });
  });
});
