import { describe, expect, it } from 'vitest';
import { bankInput } from '../../agent-ui/src/bank-time.js';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { connectAgent, tokenFor } from '../helpers/agents.js';
import { ARTIFACTS, chromiumOn, dialForAgent, goAvailable, signIn, text, unlabelledControls } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { until, zoneAtLocalHour } from '../helpers/wait.js';

// Zhang Wei: a GOLD customer, identified by his mobile.
const GOLD = '+8613800000003';
const ZHANG_WEI = 3;
// A Wednesday at 10:00 in Shanghai: the IVR's human service hours. Callbacks keep the real clock.
const OPEN = () => new Date('2026-11-18T02:00:00Z');

let t: TestApp;
const { open } = chromiumOn(async () => {
  t = await startTestApp({ ROUTING_SWEEP_MS: '200' }, { listen: true, now: OPEN });
  // He lives where it is noon now: the default calling window (08:00-21:00) is open whenever this
  // runs, and closed ten hours on.
  await t.db('customers').where({ id: ZHANG_WEI }).update({ timezone: zoneAtLocalHour(12) });
  return t;
});

/** A `datetime-local` value on the bank's clock, `ms` from now (to the minute unless `seconds`). */
const bankClock = (ms: number, seconds = false) => bankInput(new Date(Date.now() + ms)).slice(0, seconds ? 19 : 16);

describe('callbacks from the console and the wallboard in Chromium', () => {
  it('an agent books a callback from the wrap-up; the wallboard shows and moves it; the agent is offered it and the customer is rung and connected', { timeout: 150_000 }, async () => {
    const agent = await open();
    await signIn(agent, 'agent1', DEMO_PASSWORD);
    await goAvailable(agent);
    const agent1 = await tokenFor(t.app, t.db, 'agent1');

    // An inbound call, accepted and ended: the wrap-up offers a callback and do-not-call.
    const phone = await open();
    await dialForAgent(phone, GOLD);
    await agent.getByTestId('offer').waitFor({ timeout: 5_000 });
    await agent.getByRole('button', { name: 'Accept', exact: true }).click();
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });
    await agent.getByRole('button', { name: 'End call', exact: true }).click();
    await agent.getByTestId('wrapup').waitFor({ timeout: 10_000 });
    const disposition = agent.getByRole('combobox', { name: 'Disposition' });
    expect(await disposition.locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(expect.arrayContaining(['callback', 'do_not_call']));
    await disposition.selectOption('callback');
    const when = agent.getByLabel('Call back at (bank time, Beijing)');
    expect(await when.getAttribute('required')).not.toBeNull();
    expect(await unlabelledControls(agent)).toEqual([]);

    // The server refuses a time in the past (a console that skipped its own check) and one outside the customer's calling window.
    const socket = await connectAgent(t.app.telephony.publicUrl(), agent1.token, agent1.id);
    await socket.next('agent:restore');
    await expect(socket.request('wrapup:complete', { disposition: 'callback', callback_at: new Date(Date.now() - 60_000).toISOString() })).rejects.toThrow('SB_ERR_CALLBACK_TIME_INVALID');
    socket.close();
    await when.fill(bankClock(10 * 3_600_000));
    await agent.getByLabel('Reason codes (comma separated)').fill('card_query');
    await agent.getByRole('button', { name: 'Complete wrap-up' }).click();
    const refusal = agent.getByTestId('wrapup-error');
    await refusal.filter({ hasText: "within the queue's hours and the customer's calling window" }).waitFor();
    expect(await refusal.innerText()).toContain('SB_ERR_CALLBACK_TIME_INVALID');
    expect(await text(agent, 'agent-state')).toContain('Wrap-up');

    // A near time, to call back myself: booked, and the agent is free.
    await when.fill(bankClock(3 * 60_000));
    await agent.getByLabel('I will call back myself', { exact: false }).check();
    await agent.screenshot({ path: `${ARTIFACTS}/console-callback-wrapup.png`, fullPage: true });
    await agent.getByRole('button', { name: 'Complete wrap-up' }).click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
    const booked = await until('the booked callback', () => t.db('callback_requests').where({ customer_id: ZHANG_WEI, source: 'agent' }).first());
    expect(booked).toMatchObject({ state: 'scheduled', reason: 'card_query', target_agent_id: agent1.id, skill: 'general', tier: 'GOLD' });
    expect(new Date(booked.due_at).getTime()).toBeGreaterThan(Date.now() + 60_000);

    // The wallboard shows the backlog (per skill and tier) and the request, in words.
    const supervisor = await open();
    await signIn(supervisor, 'supervisor1', DEMO_PASSWORD);
    const backlog = supervisor.getByTestId('callback-backlog-general:GOLD');
    await backlog.waitFor({ timeout: 10_000 });
    expect((await backlog.locator('td').nth(0).innerText()).trim()).toBe('1');
    const row = supervisor.getByTestId(`callback-${booked.id}`);
    await row.getByTestId('callback-state').filter({ hasText: 'Scheduled' }).waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain('Agent');
    expect(await row.innerText()).not.toContain('13800000003');
    expect(await unlabelledControls(supervisor)).toEqual([]);
    await supervisor.screenshot({ path: `${ARTIFACTS}/wallboard-callbacks.png`, fullPage: true });

    // The supervisor moves it to a few seconds from now: it is offered to the agent who booked it, as a callback.
    await row.getByLabel(/New time/).fill(bankClock(4_000, true));
    await row.getByRole('button', { name: /^Move/ }).click();
    const offer = agent.getByTestId('offer');
    await offer.waitFor({ timeout: 20_000 });
    expect(await offer.getByRole('heading').innerText()).toContain('Callback');
    expect(await text(agent, 'offer-name')).toContain('张伟');
    const pop = agent.getByTestId('offer-callback');
    expect(await pop.innerText()).toContain('card_query');
    expect(await pop.innerText()).toContain('Agent One');
    expect(await text(agent, 'offer-callback-number')).not.toContain('13800000003');
    await agent.screenshot({ path: `${ARTIFACTS}/console-callback-offer.png`, fullPage: true });

    // Accepting dials the customer; the simulator answers as a person and they meet in the call.
    await agent.getByRole('button', { name: 'Accept', exact: true }).click();
    await agent.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });
    const sim = t.app.telephony.simulator!;
    const rung = await until('the customer rung back', async () => sim.calls().find((c) => c.to === GOLD && c.direction !== 'inbound' && c.status === 'in-progress'));
    await until('the customer hearing the bank call back', async () => rung.heard().some((s) => s.includes('按您的预约为您回电')));
    await row.getByTestId('callback-state').filter({ hasText: 'Dialling' }).waitFor({ timeout: 10_000 });

    // The agent ends it and wraps up: the callback is made, in the customer's timeline.
    await agent.getByRole('button', { name: 'End call', exact: true }).click();
    await agent.getByTestId('wrapup').waitFor({ timeout: 10_000 });
    await agent.getByRole('combobox', { name: 'Disposition' }).selectOption('resolved');
    await agent.getByRole('button', { name: 'Complete wrap-up' }).click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
    const done = await until('the callback completed', async () => {
      const r = await t.db('callback_requests').where({ id: booked.id }).first();
      return r.state === 'completed' ? r : null;
    });
    expect(done).toMatchObject({ attempts: 1, last_outcome: 'human' });
    const interaction = await t.db('interactions').where({ call_sid: rung.sid }).first();
    const events = await t.db('interaction_events').where({ interaction_id: interaction.id }).orderBy('id').pluck('type');
    expect(events).toEqual(expect.arrayContaining(['callback_queued', 'callback_dialled', 'answered', 'connected', 'callback_completed', 'wrapup']));
    await backlog.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('the transfer directory finds a colleague by name with their state, and a refused transfer says why in words', { timeout: 120_000 }, async () => {
    const first = await open();
    const second = await open();
    await signIn(first, 'agent1', DEMO_PASSWORD);
    await signIn(second, 'agent2', DEMO_PASSWORD);
    await goAvailable(first);
    await second.getByTestId('agent-state').filter({ hasText: /\d:\d\d/ }).waitFor();
    await second.getByRole('combobox', { name: 'Reason' }).selectOption('training');
    await second.getByRole('button', { name: 'Away', exact: true }).click();
    await second.getByTestId('agent-state').filter({ hasText: 'Away (Training)' }).waitFor();
    const agent2 = await tokenFor(t.app, t.db, 'agent2');

    const phone = await open();
    await dialForAgent(phone, GOLD);
    await first.getByTestId('offer').waitFor({ timeout: 5_000 });
    await first.getByRole('button', { name: 'Accept', exact: true }).click();
    await first.getByTestId('call-status').filter({ hasText: 'On call' }).waitFor({ timeout: 20_000 });

    await first.getByRole('combobox', { name: 'Transfer to' }).selectOption('agent');
    await first.getByLabel('Find an agent').fill('two');
    const entry = first.getByTestId(`directory-${agent2.id}`);
    await entry.filter({ hasText: 'Agent Two' }).filter({ hasText: 'Away (Training)' }).waitFor({ timeout: 10_000 });
    expect(await first.getByTestId('directory').innerText()).not.toContain('Agent One');
    expect(await unlabelledControls(first)).toEqual([]);
    await first.screenshot({ path: `${ARTIFACTS}/console-directory.png`, fullPage: true });

    // Warm transfer to an agent who is away: refused, in words; the call stays with the agent.
    await entry.getByRole('radio').check();
    await first.getByRole('combobox', { name: 'How' }).selectOption('consult');
    await first.getByRole('button', { name: 'Transfer', exact: true }).click();
    const notice = first.getByTestId('notice');
    await notice.filter({ hasText: 'Nobody there can take the call now' }).waitFor();
    expect(await notice.innerText()).toContain('SB_ERR_TRANSFER_TARGET_UNAVAILABLE');
    expect(await text(first, 'call-status')).toBe('On call');

    // In Chinese too.
    await first.getByRole('button', { name: 'Switch language to Chinese' }).click();
    await first.getByTestId(`directory-${agent2.id}`).filter({ hasText: /离开.*培训/ }).waitFor({ timeout: 10_000 });
    await first.getByRole('button', { name: '转接', exact: true }).click();
    await notice.filter({ hasText: '对方暂时无法接听' }).waitFor();
    await first.getByRole('button', { name: '切换为英文界面' }).click();
    await phone.getByRole('button', { name: 'Hang up', exact: true }).click();
    await first.getByTestId('wrapup').waitFor({ timeout: 10_000 });
    await first.getByRole('combobox', { name: 'Disposition' }).selectOption('do_not_call');
    await first.getByRole('button', { name: 'Complete wrap-up' }).click();
    await first.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
    expect(await t.db('do_not_call').where({ phone: GOLD }).first()).toBeTruthy();
  });
});
