import { bankInput } from '../../agent-ui/src/bank-time.js';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { ARTIFACTS, chromiumOn, goAvailable, signIn, text, unlabelledControls } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Zhang Wei (GOLD) and Liu Fang (STANDARD): demo customers with a mobile, not on do-not-call.
const ZHANG_WEI = 3;
const LIU_FANG = 4;
// Li Xiuying (DIAMOND), also reachable and not on do-not-call.
const LI_XIUYING = 2;
const SCRIPT = '您好，我是示范银行的客户经理助理。\n1. 确认客户身份\n2. 介绍信用卡年费减免';

let t: TestApp;
// No Twilio account: the built-in simulator plays Twilio and answers the customers' phones as a person.
const { open } = chromiumOn(async () => (t = await startTestApp({ ROUTING_SWEEP_MS: '200', DIALER_TICK_MS: '200' }, { listen: true })));

/** A care campaign (no marketing consent needed) for agent1 alone (the loans skill), open all day. */
async function campaign(name: string, mode: 'progressive' | 'preview', customerIds: number[]): Promise<number> {
  const auth = await t.auth('supervisor1');
  const created = await t.http.post('/api/campaigns').set(auth).send({
    name, purpose: 'care', dialing_mode: mode, script: SCRIPT, offer: { code: 'CC_FEE_WAIVER', title: '信用卡年费减免', terms: '首年免年费，次年刷卡满6次免年费' },
    caller_id: '+864008895555', skill: 'loans', window_start: '00:00', window_end: '23:59',
  }).expect(201);
  const id = created.body.id as number;
  const list = await t.http.post(`/api/campaigns/${id}/list/csv`).set(auth).set('content-type', 'text/csv').send(`customer_id\n${customerIds.join('\n')}\n`).expect(200);
  expect(list.body.added).toBe(customerIds.length);
  return id;
}

/** A `datetime-local` value on the bank's clock (what the wrap-up's time means), `hours` from now. */
const bankClock = (hours: number) => bankInput(new Date(Date.now() + hours * 3_600_000)).slice(0, 16);

describe('outbound campaigns in Chromium', () => {
  it('puts an answered campaign call straight through with its script and offer; the wallboard shows progress, pause and resume; wrap-up takes a callback', { timeout: 120_000 }, async () => {
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await goAvailable(agent);
    const supervisor = await open();
    await signIn(supervisor, 'supervisor1', DEMO_PASSWORD);
    await supervisor.getByTestId('campaigns').waitFor();

    const id = await campaign('信用卡关怀回访', 'progressive', [ZHANG_WEI]);
    await t.http.post(`/api/campaigns/${id}/start`).set(await t.auth('supervisor1')).expect(200);

    // The customer answers: the call is the agent's at once, with the pop and the campaign, no offer to accept.
    await agent.getByTestId('call-bar').waitFor({ timeout: 15_000 });
    expect(await agent.getByTestId('offer').count()).toBe(0);
    expect(await text(agent, 'customer-name')).toContain('张伟');
    expect(await text(agent, 'campaign-name')).toBe('信用卡关怀回访');
    expect(await text(agent, 'campaign-script')).toBe(SCRIPT);
    expect(await text(agent, 'campaign-offer')).toContain('CC_FEE_WAIVER');
    expect(await text(agent, 'call-campaign')).toContain('信用卡关怀回访');
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });
    expect(await unlabelledControls(agent)).toEqual([]);
    await agent.screenshot({ path: `${ARTIFACTS}/console-campaign.png`, fullPage: true });

    // The wallboard counts the dial and the person who answered; pause and resume take effect.
    const row = supervisor.getByTestId(`campaign-${id}`);
    const cell = async (n: number) => (await row.locator('td').nth(n).innerText()).trim();
    await expect.poll(() => cell(0), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => cell(2), { timeout: 10_000 }).toBe('1');
    expect(await row.getByTestId('campaign-state').innerText()).toBe('Running');
    expect(await unlabelledControls(supervisor)).toEqual([]);
    await supervisor.screenshot({ path: `${ARTIFACTS}/wallboard-campaigns.png`, fullPage: true });
    await row.getByRole('button', { name: 'Pause: 信用卡关怀回访' }).click();
    await row.getByTestId('campaign-state').filter({ hasText: 'Paused' }).waitFor({ timeout: 5_000 });
    expect((await t.db('campaigns').where({ id }).first('state')).state).toBe('paused');
    await row.getByRole('button', { name: 'Resume: 信用卡关怀回访' }).click();
    await row.getByTestId('campaign-state').filter({ hasText: 'Running' }).waitFor({ timeout: 5_000 });

    // Wrap-up offers the campaign's dispositions only; "call back" needs a time, and a reload keeps it a campaign wrap-up.
    await agent.getByRole('button', { name: 'End call', exact: true }).click();
    await agent.getByTestId('wrapup').waitFor({ timeout: 10_000 });
    await agent.reload();
    await agent.getByTestId('wrapup-campaign').waitFor();
    const disposition = agent.getByRole('combobox', { name: 'Disposition' });
    expect(await disposition.locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(
      ['', 'interested', 'sale', 'callback', 'not_interested', 'wrong_number', 'do_not_call'],
    );
    await disposition.selectOption('callback');
    const when = agent.getByLabel('Call back at');
    expect(await when.getAttribute('required')).not.toBeNull();
    await when.fill(bankClock(26));
    expect(await unlabelledControls(agent)).toEqual([]);
    await agent.screenshot({ path: `${ARTIFACTS}/console-campaign-wrapup.png`, fullPage: true });
    await agent.getByRole('button', { name: 'Complete wrap-up' }).click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();

    const entry = await t.db('campaign_entries').where({ campaign_id: id, customer_id: ZHANG_WEI }).first();
    expect(entry.disposition).toBe('callback');
    expect(new Date(entry.callback_at).getTime()).toBeGreaterThan(Date.now() + 25 * 3_600_000);
    const interaction = await t.db('interactions').where({ campaign_id: id }).first();
    expect(interaction).toMatchObject({ direction: 'outbound', disposition: 'callback', customer_id: ZHANG_WEI });
  });

  it('previews a customer with the script, survives a reload, dials; wraps up in Chinese; previews the next and skips', { timeout: 120_000 }, async () => {
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await goAvailable(agent);
    const id = await campaign('贷款客户回访', 'preview', [LIU_FANG, LI_XIUYING]);
    await t.http.post(`/api/campaigns/${id}/start`).set(await t.auth('supervisor1')).expect(200);
    const names: Record<string, number> = { 刘芳: LIU_FANG, 李秀英: LI_XIUYING };
    const previewed = async () => {
      const name = (await agent.getByTestId('preview-name').filter({ hasText: /刘芳|李秀英/ }).innerText()).trim();
      return names[name]!;
    };

    // The preview shows the customer and the campaign, with Dial focused; the agent is reserved for it.
    await agent.getByRole('button', { name: 'Next preview customer' }).click();
    await agent.getByTestId('preview').waitFor();
    const first = await previewed();
    expect(await text(agent, 'campaign-name')).toBe('贷款客户回访');
    expect(await text(agent, 'campaign-script')).toBe(SCRIPT);
    await agent.getByTestId('agent-state').filter({ hasText: '(Preview call)' }).waitFor();
    expect(await agent.evaluate(() => document.activeElement?.textContent)).toBe('Dial');
    expect(await unlabelledControls(agent)).toEqual([]);
    await agent.screenshot({ path: `${ARTIFACTS}/console-preview.png`, fullPage: true });

    // A reload while reserved keeps the preview; Dial, and the call arrives assigned when the customer answers.
    await agent.reload();
    await agent.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    await agent.getByTestId('preview-name').filter({ hasText: /刘芳|李秀英/ }).waitFor({ timeout: 10_000 });
    expect(await previewed()).toBe(first);
    await agent.getByRole('button', { name: 'Dial', exact: true }).click();
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });
    expect(await agent.getByTestId('preview').count()).toBe(0);
    expect(await text(agent, 'campaign-name')).toBe('贷款客户回访');

    await agent.getByRole('button', { name: 'Switch language to Chinese' }).click();
    await agent.getByRole('button', { name: '结束通话', exact: true }).click();
    await agent.getByTestId('wrapup').waitFor({ timeout: 10_000 });
    await agent.getByRole('combobox', { name: '处理结果' }).selectOption({ label: '有意向' });
    await agent.getByRole('button', { name: '提交小结' }).click();
    await agent.getByTestId('agent-state').filter({ hasText: '就绪' }).waitFor();
    expect(await t.db('campaign_entries').where({ campaign_id: id, customer_id: first }).first()).toMatchObject({ disposition: 'interested', state: 'done' });

    // The next customer on the list; skipping gives the agent back, with nothing dialled.
    await agent.getByRole('button', { name: '切换为英文界面' }).click();
    await agent.getByRole('button', { name: 'Next preview customer' }).click();
    await agent.getByTestId('preview').waitFor();
    const second = await previewed();
    expect(second).not.toBe(first);
    await agent.getByRole('button', { name: 'Skip', exact: true }).click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
    expect(await agent.getByTestId('preview').count()).toBe(0);
    const attempts = await t.db('dial_attempts').where({ campaign_id: id }).orderBy('id').select('customer_id', 'outcome');
    expect(attempts).toEqual([{ customer_id: first, outcome: 'human' }, { customer_id: second, outcome: 'skipped' }]);
  });
});
