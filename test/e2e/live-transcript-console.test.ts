import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { ARTIFACTS, chromiumOn, dialForAgent, expectNoRawCodes, goAvailable, signIn, text } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { clockFrom, until } from '../helpers/wait.js';

// Zhang Wei: a GOLD customer, identified by his mobile.
const GOLD = '+8613800000003';
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;

let t: TestApp;
const { open } = chromiumOn(async () => (t = await startTestApp(
  { ROUTING_SWEEP_MS: '200', TALK_TRANSCRIPTS: 'true', TALK_ANALYTICS: 'true', TALK_DEAD_AIR_SECONDS: '4' },
  { listen: true, now: OPEN },
)));

describe('the live transcript on the agent console in Chromium', () => {
  it('shows what is said with the card number cut out, the retention prompt it raises, and a dead-air nudge', { timeout: 120_000 }, async () => {
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await goAvailable(agent);
    const phone = await open();
    await dialForAgent(phone, GOLD);
    await agent.getByTestId('offer').waitFor({ timeout: 10_000 });
    await agent.getByRole('button', { name: 'Accept', exact: true }).click();
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });

    // A supervisor listens in from the wallboard.
    const supervisor = await open();
    await signIn(supervisor, 'supervisor1', DEMO_PASSWORD);
    const row = supervisor.getByTestId('agent-Agent One');
    await row.getByRole('button', { name: 'Listen', exact: true }).click();
    // Listening has begun once the supervisor's leg is on the call (the server records it after Twilio placed it).
    await until('the supervisor listening', async () => (await t.db('monitor_legs').whereNull('ended_at').first()) ?? null);

    // The caller's words, as Twilio's transcription hears them (the simulator playing Twilio).
    const caller = t.app.telephony.simulator!.calls().find((c) => c.from === GOLD && c.state === 'conference')!;
    await caller.utter('caller', '你好，我想销户，卡号是 6222 0212 3456 7890');
    await agent.getByTestId('transcript').filter({ hasText: '我想销户' }).waitFor({ timeout: 10_000 });
    const shown = await text(agent, 'transcript');
    expect(shown).not.toMatch(/6222|7890/);
    expect(shown).toContain('Customer');
    expect(await text(agent, 'prompts')).toContain('Retention');
    // The same words on the supervisor's wallboard, under the agent's name, the card number cut out there too.
    const monitored = supervisor.getByTestId('transcript').filter({ hasText: '我想销户' });
    await monitored.waitFor({ timeout: 10_000 });
    expect(await monitored.innerText()).toContain('Live transcript: Agent One');
    expect(await monitored.innerText()).not.toMatch(/6222|7890/);
    await caller.utter('agent', '好的，我帮您查一下，稍后给您回电');
    await agent.getByTestId('transcript').filter({ hasText: '稍后给您回电' }).waitFor();
    // A wealth product comes up: the compliance prompt names this customer's risk rating (R3 on his pop).
    await caller.utter('caller', '另外我想买点基金');
    await agent.getByTestId('prompts').filter({ hasText: 'risk rating (R3)' }).waitFor();
    await expectNoRawCodes(agent, '[data-testid="transcript"]');
    await agent.screenshot({ path: `${ARTIFACTS}/console-transcript.png`, fullPage: true });

    // Then nobody says anything: the console nudges the agent, in words.
    caller.talk([{ who: 'none', seconds: 3600 }]);
    await agent.getByTestId('notice').filter({ hasText: 'silent for 4 s' }).waitFor({ timeout: 20_000 });

    // In Chinese the panel and the prompt follow the language.
    await agent.getByRole('button', { name: 'Switch language to Chinese' }).click();
    await agent.getByTestId('prompts').filter({ hasText: '客户挽留' }).waitFor();
    await agent.getByRole('button', { name: '切换为英文界面' }).click();

    // The wrap-up starts from a draft of the call: the reasons its prompts stood for, the product
    // named, what the customer said (the card number still cut out) and what the agent promised.
    await agent.getByRole('button', { name: 'End call', exact: true }).click();
    const wrapup = agent.getByTestId('wrapup');
    await wrapup.waitFor();
    expect(await text(agent, 'wrapup-draft')).toContain('Drafted from the live transcript');
    expect(await wrapup.getByLabel('Reason codes').inputValue()).toBe('close_account_request, wealth_enquiry');
    expect(await wrapup.getByLabel('Products discussed').inputValue()).toBe('fund');
    const notes = await wrapup.getByLabel('Notes').inputValue();
    expect(notes).toContain('Customer: 你好，我想销户');
    expect(notes).toContain('Promised: 好的，我帮您查一下，稍后给您回电');
    expect(notes).not.toMatch(/6222|7890/);
    await wrapup.getByLabel('Disposition').selectOption('resolved');
    await wrapup.getByRole('button', { name: 'Complete wrap-up' }).click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
    const saved = await t.db('interactions').whereNotNull('wrapped_up_at').orderBy('wrapped_up_at', 'desc').first();
    expect(saved).toMatchObject({ disposition: 'resolved', reason_codes: ['close_account_request', 'wealth_enquiry'], products_discussed: ['fund'] });
  });
});
