import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { ARTIFACTS, chromiumOn, goAvailable, pressKeys, signIn, unlabelledControls } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { until } from '../helpers/wait.js';

// Li Na (customer 2): a DIAMOND client with a relationship manager, on the wealth line.
const LI_NA = 2;

let t: TestApp;
const { open } = chromiumOn(async () => {
  t = await startTestApp({ ROUTING_SWEEP_MS: '200', ROUTING_RM_WAIT_SECONDS: '0' }, { listen: true });
  return t;
});

describe('the relationship manager\'s view in Chromium', () => {
  it('an RM signs in to their own view; an agent books them a visit from their client\'s call; the RM sees "your client called" with why and how it ended, and the visit on their worklist', { timeout: 120_000 }, async () => {
    const client = await t.db('customers').where({ id: LI_NA }).first('rm_id', 'name_zh', 'name_en');
    const phone = (await t.db('customer_phones').where({ customer_id: LI_NA, is_primary: true }).first('phone')).phone as string;
    const rmUser = (await t.db('users').where({ role: 'rm', rm_id: client.rm_id }).orderBy('id').first('username')).username as string;

    const rm = await open();
    await signIn(rm, rmUser, DEMO_PASSWORD);
    await rm.getByTestId('rm-worklist').waitFor();
    expect(await rm.getByTestId('rm-calls').innerText()).toContain('None of your clients has called');

    // agent2 takes wealth calls; the RM is signed in but not taking calls.
    const agent = await open();
    await signIn(agent, 'agent2', DEMO_PASSWORD);
    await goAvailable(agent);
    const handset = await open();
    await handset.goto('/simulator');
    await handset.getByLabel('Calling from').fill(phone);
    await handset.getByRole('button', { name: 'Call', exact: true }).click();
    await handset.getByTestId('transcript').filter({ hasText: 'For English, press 2' }).waitFor();
    await pressKeys(handset, '1');
    await handset.getByTestId('sim-state').filter({ hasText: 'queued' }).waitFor({ timeout: 20_000 });
    await agent.getByTestId('offer').waitFor({ timeout: 20_000 });
    await agent.getByRole('button', { name: 'Accept', exact: true }).click();
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });

    // From the call: a visit for the client's RM, in two days at 10:00 (the browser's time).
    const when = await agent.evaluate(() => {
      const d = new Date(Date.now() + 2 * 86_400_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T10:00`;
    });
    const form = agent.getByTestId('rm-task-form');
    await form.getByText('Book for the relationship manager').click();
    await form.getByLabel('Task').selectOption('visit');
    await form.getByLabel('When').fill(when);
    await form.getByLabel('Purpose').fill('Review the maturing deposit');
    await form.getByRole('button', { name: 'Book', exact: true }).click();
    await form.getByText('Booked for the relationship manager: Visit').waitFor({ timeout: 10_000 });
    // The same slot again clashes, and says so.
    await form.getByLabel('Purpose').fill('Second visit');
    await form.getByRole('button', { name: 'Book', exact: true }).click();
    expect(await form.getByRole('alert').innerText()).toContain('SB_ERR_TASK_CONFLICT');

    await agent.getByRole('button', { name: 'End call', exact: true }).click();
    await agent.getByTestId('wrapup').waitFor({ timeout: 10_000 });
    await agent.getByRole('combobox', { name: 'Disposition' }).selectOption('resolved');
    await agent.getByLabel('Reason codes (comma separated)').fill('deposit_maturity');
    await agent.getByRole('button', { name: 'Complete wrap-up' }).click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();

    // The RM's view: the call as it was wrapped up, the new task, and the visit on the worklist.
    const called = rm.getByTestId('rm-client-called');
    await called.waitFor({ timeout: 15_000 });
    const said = await called.innerText();
    expect(said).toContain(client.name_zh ?? client.name_en);
    expect(said).toContain('deposit_maturity');
    expect(said).toContain('Resolved');
    expect(said).toContain('agent2');
    expect(await rm.getByTestId('rm-alert').first().innerText()).toContain('New task for you: Visit');
    const task = await until('the visit booked', () => t.db('tasks').where({ customer_id: LI_NA, kind: 'visit', state: 'open' }).first());
    const row = rm.getByTestId(`rm-task-${task.id}`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain('Review the maturing deposit');
    expect(await row.innerText()).toContain('Diamond');
    expect(await unlabelledControls(rm)).toEqual([]);
    await rm.screenshot({ path: `${ARTIFACTS}/rm-view.png`, fullPage: true });

    // The phone console is a tab away; the worklist in Chinese too.
    await rm.getByTestId('rm-tab-phone').click();
    await rm.getByTestId('agent-state').waitFor();
    await rm.getByTestId('rm-tab-work').click();
    await rm.getByRole('button', { name: 'Switch language to Chinese' }).click();
    expect(await rm.getByTestId('rm-worklist').innerText()).toContain('待办清单');
    expect(await row.innerText()).toContain('拜访');
  });
});
