import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { ARTIFACTS, chromiumOn, dialForAgent, goAvailable, signIn, text, unlabelledControls } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { until } from '../helpers/wait.js';

// Zhang Wei: a GOLD customer, identified by his mobile.
const GOLD = '+8613800000003';
const ZHANG_WEI = 3;

let t: TestApp;
const { open } = chromiumOn(async () => {
  t = await startTestApp({ ROUTING_SWEEP_MS: '200' }, { listen: true });
  return t;
});

describe('cases from the console in Chromium', () => {
  it('an agent opens a complaint from the call panel, sees it with its SLA on the pop, logs it at wrap-up, and records the customer\'s satisfaction on the feedback task; supervisors see the queue', { timeout: 120_000 }, async () => {
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await goAvailable(agent);
    const phone = await open();
    await dialForAgent(phone, GOLD);
    await agent.getByTestId('offer').waitFor({ timeout: 5_000 });
    await agent.getByRole('button', { name: 'Accept', exact: true }).click();
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });

    await agent.getByTestId('open-case').click();
    await agent.getByLabel('Type').selectOption('complaint');
    await agent.getByLabel('Category').selectOption('fees');
    await agent.getByLabel('Severity').selectOption('high');
    await agent.getByLabel('Summary (one line)').fill('Annual fee charged twice');
    await agent.getByLabel('Products concerned (comma separated)').fill('CC-GOLD');
    expect(await unlabelledControls(agent)).toEqual([]);
    await agent.getByRole('button', { name: 'Open case', exact: true }).click();
    const said = await agent.getByTestId('case-opened').innerText();
    const caseNo = /CS-\d{4}-\d{6}/.exec(said)?.[0];
    expect(caseNo).toBeDefined();
    const row = await until('the case in the database', () => t.db('complaints').where({ case_no: caseNo }).first());
    expect(row).toMatchObject({ customer_id: ZHANG_WEI, kind: 'complaint', category: 'fees', severity: 'high', channel: 'phone', created_by: expect.any(Number) });

    // The pop refreshes: the case, in words, with its SLA due time.
    const shown = agent.getByTestId('open-case-row').filter({ hasText: caseNo! });
    await shown.waitFor({ timeout: 10_000 });
    expect(await shown.innerText()).toContain('Fees and charges');
    expect(await shown.getByTestId('case-sla').innerText()).toMatch(/^due /);
    await agent.screenshot({ path: `${ARTIFACTS}/console-case-opened.png`, fullPage: true });

    await agent.getByRole('button', { name: 'End call', exact: true }).click();
    await agent.getByTestId('wrapup').waitFor({ timeout: 10_000 });
    await agent.getByRole('combobox', { name: 'Disposition' }).selectOption('complaint_logged');
    await agent.getByRole('button', { name: 'Complete wrap-up' }).click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
    expect(await text(agent, 'agent-state')).toContain('Available');

    // The supervisor's case queue lists it, in words, with its SLA.
    const supervisor = await open();
    await signIn(supervisor, 'supervisor1', DEMO_PASSWORD);
    await supervisor.getByRole('button', { name: 'Cases', exact: true }).click();
    const queued = supervisor.getByTestId(`case-${row.id}`);
    await queued.waitFor({ timeout: 10_000 });
    expect(await queued.innerText()).toContain(caseNo!);
    expect(await queued.innerText()).toContain('High');
    expect(await unlabelledControls(supervisor)).toEqual([]);
    await supervisor.screenshot({ path: `${ARTIFACTS}/supervisor-cases.png`, fullPage: true });

    // The agent is given the case and resolves it (by API here); their console shows the feedback contact owed.
    const sup = await t.auth('supervisor1');
    const agentId = Number((await t.db('users').where({ username: 'agent1' }).first('id')).id);
    await t.http.post(`/api/cases/${row.id}/transition`).set(sup).send({ action: 'assign', owner_id: agentId }).expect(200);
    const asAgent = await t.auth('agent1');
    await t.http.post(`/api/cases/${row.id}/transition`).set(asAgent).send({ action: 'start' }).expect(200);
    await t.http.post(`/api/cases/${row.id}/transition`).set(asAgent).send({ action: 'resolve', result: 'Second fee refunded' }).expect(200);
    await agent.reload();
    // The feedback contact is on the agent's task list: telling the customer the result records their satisfaction.
    const feedback = await until('the feedback task', () => t.db('tasks').where({ case_id: row.id, kind: 'feedback', state: 'open' }).first());
    const task = agent.getByTestId(`task-${feedback.id}`);
    await task.waitFor({ timeout: 10_000 });
    expect(await task.innerText()).toContain('Tell the customer the result');
    await task.getByLabel('Customer satisfaction').selectOption('5');
    expect(await unlabelledControls(agent)).toEqual([]);
    await task.getByRole('button', { name: 'Record feedback' }).click();
    await until('the case feedback contacted', async () => (await t.db('complaints').where({ id: row.id }).first()).status === 'feedback_contacted');
    expect((await t.db('complaints').where({ id: row.id }).first()).satisfaction).toBe(5);
    await task.waitFor({ state: 'detached', timeout: 10_000 });
  });
});
