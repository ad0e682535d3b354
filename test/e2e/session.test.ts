import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { chromiumOn, signIn } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { until } from '../helpers/wait.js';

const GOLD = '+8613800000003';

let t: TestApp;
// Access tokens of 10 s: the console must renew them, several times a test, without anyone noticing.
const { open } = chromiumOn(async () => (t = await startTestApp({ JWT_TTL_SECONDS: '10' }, { listen: true })));

describe('a sign-in through a shift, in Chromium', () => {
  it('the console outlives its access tokens: refreshed silently, still searching and connected; a reload keeps the sign-in; signing out ends it', { timeout: 120_000 }, async () => {
    const agent = await open();
    let refreshes = 0;
    agent.on('response', (r) => { if (r.url().endsWith('/api/auth/refresh') && r.status() === 200) refreshes++; });
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await until('two silent refreshes', async () => refreshes >= 2, 60_000);

    await agent.getByLabel('Phone', { exact: true }).fill(GOLD);
    await agent.getByRole('button', { name: 'Search', exact: true }).click();
    await agent.getByTestId('search-results').waitFor();
    await agent.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();

    await agent.reload();
    await agent.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    expect(await agent.getByLabel('Password').count()).toBe(0);

    await agent.getByRole('button', { name: 'Sign out' }).click();
    await agent.getByLabel('Password').waitFor();
    const id = (await t.db('users').where({ username: 'agent1' }).first('id')).id;
    await until('the session ended on the server', async () => (await t.db('auth_sessions').where({ user_id: id }).whereNull('revoked_at').count('* as n').first().then((r) => Number(r?.n))) === 0);
    await agent.reload();
    await agent.getByLabel('Password').waitFor();
  });

  it('a session ended elsewhere takes the console back to sign-in, saying why', { timeout: 60_000 }, async () => {
    const agent = await open();
    await signIn(agent, 'agent2', DEMO_PASSWORD);
    const id = (await t.db('users').where({ username: 'agent2' }).first('id')).id;
    // An administrator ends it (or the user is disabled): nothing is sent to the browser but what the server does.
    await t.db('auth_sessions').where({ user_id: id }).update({ revoked_at: t.db.fn.now(), revoked_reason: 'logout' });
    await agent.getByRole('alert').filter({ hasText: 'You were signed out' }).waitFor({ timeout: 20_000 });
    await agent.getByLabel('Password').waitFor();
  });
});
