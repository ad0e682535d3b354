import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { ARTIFACTS, chromiumOn, goAvailable, signIn, text, unlabelledControls } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const NAME = '钻石客户理财推荐';
const SCRIPT = '您好，我是示范银行的理财顾问。\n1. 确认客户身份\n2. 介绍三个月期理财产品';
// Line 4 is the bad one: a customer number cannot hold spaces or "!".
const CSV = ['customer_no', 'C0000000002', 'C0000000003', 'not a customer!', 'C0000000004', ''].join('\n');

let t: TestApp;
// No Twilio account: the built-in simulator plays Twilio and answers the customers' phones as a person.
const { open } = chromiumOn(async () => (t = await startTestApp({ ROUTING_SWEEP_MS: '200', DIALER_TICK_MS: '200' }, { listen: true })));

describe('campaigns tab in Chromium', () => {
  it('creates a campaign in the form, builds its list from a segment and a CSV with a bad line, starts it and watches it dial', { timeout: 120_000 }, async () => {
    // agent1 works the loans skill: the campaign's calls go to them.
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await goAvailable(agent);
    const sup = await open();
    await signIn(sup, 'supervisor1', DEMO_PASSWORD);
    await sup.getByRole('button', { name: 'Campaigns', exact: true }).click();
    await sup.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    await sup.getByText('No campaign yet').waitFor();

    // The form: the server's coded error first (a calling window that ends before it starts), then the fix.
    await sup.getByRole('button', { name: 'New campaign' }).click();
    await sup.getByLabel('Name', { exact: true }).fill(NAME);
    await sup.getByRole('combobox', { name: 'Purpose', exact: true }).selectOption('marketing');
    await sup.getByRole('combobox', { name: 'Dialing mode', exact: true }).selectOption('progressive');
    await sup.getByLabel('Caller ID', { exact: true }).fill('+864008895555');
    await sup.getByRole('combobox', { name: 'Agents of skill', exact: true }).selectOption('loans');
    await sup.getByLabel('Script', { exact: true }).fill(SCRIPT);
    await sup.getByLabel('Offer code', { exact: true }).fill('WM_3M');
    await sup.getByLabel('Offer title', { exact: true }).fill('三个月期理财');
    await sup.getByLabel('Offer terms', { exact: true }).fill('起购金额5万元，业绩比较基准2.8%');
    await sup.getByLabel('Calling window from', { exact: true }).fill('20:00');
    await sup.getByLabel('Calling window to', { exact: true }).fill('09:00');
    await sup.getByLabel('Calls per second', { exact: true }).fill('2');
    await sup.getByLabel('Max attempts per customer', { exact: true }).fill('2');
    await sup.getByLabel('Ring time (seconds, at least 15)', { exact: true }).fill('20');
    await sup.getByRole('combobox', { name: 'Answering machine', exact: true }).selectOption('voicemail');
    await sup.getByLabel('Voicemail message', { exact: true }).fill('您好，这里是示范银行，我们稍后再联系您。');
    expect(await unlabelledControls(sup)).toEqual([]);
    await sup.getByRole('button', { name: 'Create campaign' }).click();
    const formError = sup.getByTestId('campaign-form-error');
    await formError.waitFor();
    expect(await formError.innerText()).toContain('SB_ERR_CAMPAIGN_INVALID');
    expect(await formError.innerText()).toContain('window_end must be after window_start');
    await sup.screenshot({ path: `${ARTIFACTS}/campaigns-form.png`, fullPage: true });
    // Open all day in each customer's own time zone, whenever the test runs.
    await sup.getByLabel('Calling window from', { exact: true }).fill('00:00');
    await sup.getByLabel('Calling window to', { exact: true }).fill('23:59');
    await sup.getByRole('button', { name: 'Create campaign' }).click();
    await sup.getByTestId('campaigns-notice').filter({ hasText: 'created as a draft' }).waitFor();
    const row = await t.db('campaigns').where({ name: NAME }).first();
    expect(row).toMatchObject({
      purpose: 'marketing', dialing_mode: 'progressive', caller_id: '+864008895555', skill: 'loans', script: SCRIPT, state: 'draft',
      window_start: '00:00', window_end: '23:59', max_attempts: 2, ring_seconds: 20, machine_action: 'voicemail', starts_at: null, ends_at: null,
      offer: { code: 'WM_3M', title: '三个月期理财', terms: '起购金额5万元，业绩比较基准2.8%' },
    });
    expect(Number(row.calls_per_second)).toBe(2);
    const id = row.id as number;
    const detail = sup.getByTestId('campaign-detail');
    expect(await detail.getByTestId('detail-state').innerText()).toBe('Draft');
    const listRow = sup.getByTestId(`campaign-row-${id}`);
    expect(await listRow.innerText()).toContain('Marketing offer');

    // Starting with nobody on the list: the server says why.
    const actions = sup.getByRole('group', { name: `Actions: ${NAME}` });
    await actions.getByRole('button', { name: 'Start' }).click();
    await detail.getByTestId('campaign-action-error').filter({ hasText: 'SB_ERR_CAMPAIGN_STATE_INVALID' }).waitFor();

    // A segment: every DIAMOND customer, scrubbed (marketing needs consent; do-not-call never).
    await sup.getByLabel('Diamond', { exact: true }).check();
    await sup.getByRole('button', { name: 'Add the segment' }).click();
    const result = sup.getByTestId('list-result');
    await result.filter({ hasText: 'From a segment' }).waitFor();
    const diamonds = Number((await t.db('customers').where({ tier: 'DIAMOND' }).count('* as n'))[0]!.n);
    const excluded = await t.db('campaign_entries').where({ campaign_id: id, state: 'excluded' }).groupBy('excluded_reason').select('excluded_reason', t.db.raw('count(*)::int AS n'));
    expect(await text(sup, 'result-rows')).toBe(String(diamonds));
    expect(await text(sup, 'result-added')).toBe(String(diamonds));
    expect(await text(sup, 'result-duplicates')).toBe('0');
    const noConsent = excluded.find((e) => e.excluded_reason === 'no_consent')?.n as number;
    expect(noConsent).toBeGreaterThan(0);
    expect(await text(sup, 'result-excluded')).toContain(`No marketing consent: ${noConsent}`);

    // A CSV with one bad line: it is reported by number; the good lines are kept, the DIAMOND one as a duplicate.
    await sup.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'call-list.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await sup.getByRole('button', { name: 'Upload CSV' }).click();
    await result.filter({ hasText: 'call-list.csv' }).waitFor();
    expect(await text(sup, 'result-rows')).toBe('4');
    expect(await text(sup, 'result-added')).toBe('2');
    expect(await text(sup, 'result-duplicates')).toBe('1');
    const bad = sup.getByTestId('result-errors').locator('tbody tr');
    expect(await bad.count()).toBe(1);
    expect((await bad.locator('td').nth(0).innerText()).trim()).toBe('4');
    expect(await bad.locator('td').nth(1).innerText()).toBe('Customer number missing or malformed');
    await sup.getByText('1 bad line', { exact: true }).waitFor();

    // The call list: the CSV's customer with its line, the phone masked.
    const entry = sup.getByTestId('entry-C0000000004');
    await entry.waitFor();
    expect((await entry.locator('td').last().innerText()).trim()).toBe('5');
    expect(await entry.locator('td').first().innerText()).toMatch(/^\+86 \d{3}\*{4}\d{4}$/);
    await expect.poll(() => text(sup, 'progress-list')).toBe(String(diamonds + 2));
    expect(await unlabelledControls(sup)).toEqual([]);

    // Start: the dialer calls the first customer due, who answers and goes straight to agent1 with the script.
    await actions.getByRole('button', { name: 'Start' }).click();
    await detail.getByTestId('detail-state').filter({ hasText: 'Running' }).waitFor();
    await listRow.getByTestId('row-state').filter({ hasText: 'Running' }).waitFor();
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Pause', 'Cancel campaign']);
    await agent.getByTestId('call-bar').waitFor({ timeout: 20_000 });
    expect(await text(agent, 'campaign-name')).toBe(NAME);
    // Progress, live from the wallboard's feed: one dial, a person reached, the rest still to call.
    await expect.poll(() => text(sup, 'progress-dialed'), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => text(sup, 'progress-humans'), { timeout: 15_000 }).toBe('1');
    // Remaining: everyone not excluded, less the one reached once their call has ended.
    const callable = diamonds + 2 - Number((await t.db('campaign_entries').where({ campaign_id: id, state: 'excluded' }).count('* as n'))[0]!.n);
    expect(Number(await text(sup, 'progress-remaining'))).toBeGreaterThanOrEqual(callable - 1);
    expect(Number(await text(sup, 'progress-remaining'))).toBeLessThanOrEqual(callable);
    await expect.poll(async () => (await listRow.locator('td').nth(5).innerText()).trim(), { timeout: 10_000 }).toBe('1');
    // The agent's leg joins the call: counted as put through.
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => text(sup, 'progress-agent'), { timeout: 10_000 }).toBe('1');
    expect(await unlabelledControls(sup)).toEqual([]);
    await sup.screenshot({ path: `${ARTIFACTS}/campaigns-page.png`, fullPage: true });

    // Pause from the tab holds the campaign; the page in Chinese keeps every control labelled.
    await actions.getByRole('button', { name: 'Pause' }).click();
    await detail.getByTestId('detail-state').filter({ hasText: 'Paused' }).waitFor();
    expect((await t.db('campaigns').where({ id }).first('state')).state).toBe('paused');
    await sup.getByRole('button', { name: 'Switch language to Chinese' }).click();
    await sup.getByRole('heading', { name: '外呼活动', exact: true }).waitFor();
    await sup.getByRole('group', { name: `操作：${NAME}` }).getByRole('button', { name: '恢复' }).waitFor();
    expect(await unlabelledControls(sup)).toEqual([]);
  });
});
