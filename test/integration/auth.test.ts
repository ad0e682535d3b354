import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../../server/modules/users/users-service.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe('login and roles', () => {
  it('a demo agent logs in and the token says who they are', async () => {
    t = await startTestApp();
    const headers = await t.auth('agent1');
    const me = await t.http.get('/api/auth/me').set(headers).expect(200);
    expect(me.body).toMatchObject({ username: 'agent1', role: 'agent' });
  });

  it('a wrong password is a coded 401 and is audited, without the password', async () => {
    t = await startTestApp();
    const res = await t.http.post('/api/auth/login').send({ username: 'agent1', password: 'wrong-password' }).expect(401);
    expect(res.body.code).toBe('SB_ERR_AUTH_BAD_CREDENTIALS');
    const rows = await t.db('audit_log').where({ action: 'auth.login_failed', actor_username: 'agent1' });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('wrong-password');
  });

  it('an unknown user gets the same answer as a wrong password', async () => {
    t = await startTestApp();
    const res = await t.http.post('/api/auth/login').send({ username: 'nobody', password: 'whatever-pass' }).expect(401);
    expect(res.body.code).toBe('SB_ERR_AUTH_BAD_CREDENTIALS');
  });

  it('repeated failures lock the account out, even with the right password, until the window passes', async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
    for (let i = 0; i < 3; i++) await t.http.post('/api/auth/login').send({ username: 'agent2', password: `guess-${i}-xx` }).expect(401);
    const res = await t.http.post('/api/auth/login').send({ username: 'agent2', password: 'switchboard-demo' }).expect(429);
    expect(res.body.code).toBe('SB_ERR_AUTH_THROTTLED');
    // Another account is not affected by agent2's failures.
    await t.http.post('/api/auth/login').send({ username: 'agent1', password: 'switchboard-demo' }).expect(200);
  });

  it('no token, a forged token and an expired token are all 401 with a code', async () => {
    t = await startTestApp();
    const none = await t.http.get('/api/customers/1/profile').expect(401);
    expect(none.body.code).toBe('SB_ERR_AUTH_REQUIRED');
    const forged = await t.http.get('/api/customers/1/profile').set({ Authorization: 'Bearer not.a.jwt' }).expect(401);
    expect(forged.body.code).toBe('SB_ERR_AUTH_TOKEN_INVALID');
    const expired = t.app.jwt.sign({ sub: '1', sid: randomUUID() }, { expiresIn: -10 } as never);
    const old = await t.http.get('/api/customers/1/profile').set({ Authorization: `Bearer ${expired}` }).expect(401);
    expect(old.body.code).toBe('SB_ERR_AUTH_TOKEN_INVALID');
  });

  it('an agent cannot reach admin routes (403), an admin can', async () => {
    t = await startTestApp();
    const body = { ebanking: { mobile_enrolled: true, online_enrolled: true, logins_90d: 3, transactions_90d: 2, settlement_volume_90d: 100 } };
    const res = await t.http.post('/api/customers/1/holdings').set(await t.auth('agent1')).send(body).expect(403);
    expect(res.body.code).toBe('SB_ERR_AUTH_FORBIDDEN');
    await t.http.post('/api/customers/1/holdings').set(await t.auth('admin')).send(body).expect(200);
  });

  it('users are created with argon2 hashes and usernames are unique', async () => {
    t = await startTestApp();
    const user = await createUser(t.db, { username: 'new.agent', password: 'a-long-password', role: 'agent' });
    const row = await t.db('users').where({ id: user.id }).first();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    await expect(createUser(t.db, { username: 'new.agent', password: 'another-password', role: 'agent' })).rejects.toMatchObject({ code: 'SB_ERR_USER_EXISTS' });
    await t.http.post('/api/auth/login').send({ username: 'new.agent', password: 'a-long-password' }).expect(200);
  });
});

describe('bad input never becomes a 500', () => {
  it('malformed JSON is a coded 400', async () => {
    t = await startTestApp();
    const res = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"username": "agent1",').expect(400);
    expect(res.body.code).toBe('SB_ERR_REQUEST_MALFORMED_JSON');
  });

  it('an oversized body is a coded 413', async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
    const res = await t.http.post('/api/auth/login').send({ username: 'agent1', password: 'x'.repeat(5000) }).expect(413);
    expect(res.body.code).toBe('SB_ERR_REQUEST_TOO_LARGE');
  });

  it('a body that breaks the schema is a coded 400 naming the field', async () => {
    t = await startTestApp();
    const res = await t.http.post('/api/auth/login').send({ username: 'agent1' }).expect(400);
    expect(res.body.code).toBe('SB_ERR_REQUEST_INVALID');
    expect(JSON.stringify(res.body.details)).toContain('password');
  });
});
