import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { chromiumOn, signIn, unlabelledControls } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
const { open } = chromiumOn(async () => (t = await startTestApp({}, { listen: true })));

describe('a locked PIN on the screen-pop in Chromium', () => {
  it('shows the agent that phone banking is locked, since when and why, in English and Chinese', { timeout: 60_000 }, async () => {
    const gold = await t.db('customer_phones').where({ phone: '+8613800000003' }).first('customer_id');
    await t.db('phone_pins').where({ customer_id: gold.customer_id }).update({ failures: 3, locked_at: new Date('2026-11-18T02:05:00Z'), lock_cause: 'failures' });
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await agent.getByLabel('Phone').fill('+8613800000003');
    await agent.getByRole('button', { name: 'Search', exact: true }).click();
    await agent.getByTestId('search-results').getByRole('button').first().click();
    const pin = agent.getByTestId('phone-pin');
    await pin.filter({ hasText: 'Locked' }).waitFor();
    expect(await pin.innerText()).toContain('Three wrong PINs in a row');
    expect(await pin.innerText()).toMatch(/Locked at 2026-11-18 \d\d:\d\d/);
    await agent.getByRole('button', { name: 'Switch language to Chinese' }).click();
    await pin.filter({ hasText: '已锁定' }).waitFor();
    expect(await pin.innerText()).toContain('连续三次输错密码');
    expect(await pin.innerText()).toContain('锁定时间');
  });
});

describe("the supervisor's Agents tab in Chromium", () => {
  it('gives an agent English and a cards level, which the server then holds; the words switch to Chinese', { timeout: 60_000 }, async () => {
    const agent1 = await t.db('users').where({ username: 'agent1' }).first('id');
    await t.db('agents').insert({ user_id: agent1.id, skills: JSON.stringify({ general: 1 }), languages: ['zh'] }).onConflict('user_id').merge();
    const sup = await open();
    await signIn(sup, 'supervisor1', DEMO_PASSWORD);
    await sup.getByRole('button', { name: 'Agents', exact: true }).click();
    const row = sup.getByTestId('agent-settings-agent1');
    await row.waitFor();
    expect(await row.innerText()).toContain('Mandarin');
    expect(await row.innerText()).not.toContain('English');

    await row.getByRole('button', { name: 'Edit Agent One' }).click();
    const form = sup.getByTestId('agent-form');
    await form.waitFor();
    expect(await unlabelledControls(sup)).toEqual([]);
    await form.getByRole('checkbox', { name: 'English' }).check();
    await form.getByRole('combobox', { name: 'Cards · Level' }).selectOption('3');
    await form.getByLabel('Team').fill('Cards desk');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });

    await sup.getByTestId('agent-settings-agent1').filter({ hasText: 'English' }).waitFor();
    expect(await row.innerText()).toContain('Cards 3');
    expect(await row.innerText()).toContain('Cards desk');
    const stored = await t.db('agents').where({ user_id: agent1.id }).first();
    expect(stored).toMatchObject({ skills: { general: 1, cards: 3 }, languages: ['zh', 'en'], team: 'Cards desk' });

    // Removing every language is stopped in the form, in words.
    await row.getByRole('button', { name: 'Edit Agent One' }).click();
    await form.getByRole('checkbox', { name: 'English' }).uncheck();
    await form.getByRole('checkbox', { name: 'Mandarin' }).uncheck();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'Choose at least one skill and one language' }).waitFor();
    await form.getByRole('button', { name: 'Cancel' }).click();

    await sup.getByRole('button', { name: 'Switch language to Chinese' }).click();
    await sup.getByTestId('agent-settings').getByText('技能与服务语言').waitFor();
    expect(await sup.getByTestId('agent-settings-agent1').innerText()).toContain('普通话, 英语');
  });
});
