import { busyAgent } from '../helpers/agents.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { ARTIFACTS, dialForAgent, expectNoRawCodes, launchChromium, lowContrast, newPage, signIn, unlabelledControls } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { clockFrom } from '../helpers/wait.js';

// Zhang Wei: a GOLD customer, identified by his mobile.
const GOLD = '+8613800000003';
// A Wednesday at 10:00 in Shanghai: the hotline's human service hours.
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp({ ROUTING_SWEEP_MS: '200' }, { listen: true, now: OPEN });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const open = () => newPage(browser, t.app.telephony.publicUrl());

describe('supervisor wallboard in Chromium', () => {
  it('updates live as a simulated call queues and is answered, and sends a broadcast to the agent', { timeout: 120_000 }, async () => {
    const supervisor: Page = await open();
    await signIn(supervisor, 'supervisor1', DEMO_PASSWORD);
    await supervisor.getByRole('heading', { name: 'Queues' }).waitFor();
    expect(await unlabelledControls(supervisor)).toEqual([]);

    // The agent signs in but stays away, and a colleague is busy on a call: the call has to wait, and the wallboard shows it waiting.
    await busyAgent(t.db, 'floor', { general: 1 });
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    const agentRow = supervisor.getByTestId('agent-Agent One');
    await agentRow.waitFor();
    const phone = await open();
    await dialForAgent(phone, GOLD);
    const waiting = supervisor.getByTestId('waiting-1');
    await waiting.filter({ hasText: 'Gold' }).waitFor();
    const queueRow = supervisor.locator('tr[data-testid$=":GOLD"]');
    await expect.poll(async () => (await queueRow.locator('td').nth(0).innerText()).trim(), { timeout: 10_000 }).toBe('1');
    // The longest wait counts up on the screen by itself.
    const longest = async () => (await queueRow.locator('td').nth(1).innerText()).trim();
    const before = await longest();
    await expect.poll(longest, { timeout: 5_000 }).not.toBe(before);
    await supervisor.screenshot({ path: `${ARTIFACTS}/wallboard-waiting.png`, fullPage: true });
    await expectNoRawCodes(supervisor);
    // The interval on the bank's clock, in the one format of every screen.
    expect(await supervisor.getByTestId('interval').innerText()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}–\d{2}:\d{2}$/);

    // A broadcast lands on the agent's console.
    await supervisor.getByLabel('Message', { exact: true }).fill('Long queue on Gold: please stay available');
    await supervisor.getByRole('button', { name: 'Send', exact: true }).click();
    await agent.getByTestId('notice').filter({ hasText: 'Long queue on Gold' }).waitFor();

    // The agent goes available and accepts: the wallboard shows the call answered and the agent on it.
    // (Not goAvailable: with a call waiting, the offer can replace 'Available' before it is seen.)
    await agent.getByTestId('agent-state').filter({ hasText: /\d:\d\d/ }).waitFor();
    await agent.getByRole('button', { name: 'Available', exact: true }).click();
    await agent.getByRole('button', { name: 'Accept' }).click();
    await agentRow.filter({ hasText: 'On call' }).waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await queueRow.locator('td').nth(0).innerText()).trim(), { timeout: 10_000 }).toBe('0');
    // Answered once the agent's leg joins the call, shown at the next tick.
    await expect.poll(async () => (await queueRow.locator('td').nth(5).innerText()).trim(), { timeout: 10_000 }).toBe('1');
    await expect.poll(async () => supervisor.getByTestId('waiting-1').count(), { timeout: 10_000 }).toBe(0);
    await supervisor.screenshot({ path: `${ARTIFACTS}/wallboard.png`, fullPage: true });
    await expectNoRawCodes(supervisor);
    // Agent state and tier badges are readable (WCAG AA), measured from the colours the browser computed.
    expect(await supervisor.locator('.state, .tier').count()).toBeGreaterThan(1);
    expect(await lowContrast(supervisor, '.state, .tier')).toEqual([]);

    // The reports tab charts today's calls, this one among them.
    await supervisor.getByRole('button', { name: 'Reports', exact: true }).click();
    await supervisor.getByRole('img', { name: /Calls offered, answered and abandoned/ }).waitFor();
    await supervisor.screenshot({ path: `${ARTIFACTS}/reports.png`, fullPage: true });
    expect(await unlabelledControls(supervisor)).toEqual([]);

    // An agent who opens the wallboard's address gets no wallboard.
    await agent.goto('/supervisor');
    await agent.getByText('The wallboard is for supervisors and administrators.').waitFor();
    for (const p of [supervisor, agent, phone]) await p.context().close();
  });
});
