/* eslint-disable @typescript-eslint/no-explicit-any -- API and socket payloads are asserted field by field */
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendCompliance, verifyCompliance } from '../../server/modules/campaigns/compliance.js';
import { connectAgent, makeAgents, type AgentClient } from '../helpers/agents.js';
import { makeCustomer } from '../helpers/factories.js';
import { startHotline, type Hotline } from '../helpers/hotline.js';
import { until, zoneAtLocalHour } from '../helpers/wait.js';

// Outbound campaigns end to end: the real app on PostgreSQL and Redis (BullMQ), the dialer calling
// the Twilio simulator over HTTP, which answers as people, machines, busy lines and no answer.

let h: Hotline;
let supervisor: { Authorization: string };
const CALLER_ID = '+864008895500';

beforeAll(async () => {
  h = await startHotline({ DIALER_TICK_MS: '100', ROUTING_SWEEP_MS: '200', LOG_LEVEL: 'error' });
  supervisor = await h.auth('supervisor1');
});
afterAll(async () => { await h?.close(); });
// Consoles a test opened close when it ends, passed or failed, so no agent takes the next test's calls.
const cleanups: (() => void)[] = [];
const onExit = (f: () => void) => cleanups.push(f);
afterEach(() => { for (const f of cleanups.splice(0)) f(); });

const OPEN_ZONE = () => zoneAtLocalHour(12);
const CLOSED_ZONE = () => zoneAtLocalHour(3);

/** A customer of our own, with one mobile number, so every test knows exactly whom it dials. */
const customer = (o: { consent?: boolean; dnc?: boolean; tz?: string; language?: string } = {}) =>
  makeCustomer(h.db, { consent: o.consent, dnc: o.dnc, language: o.language, timezone: o.tz ?? OPEN_ZONE() });

async function createCampaign(body: Record<string, unknown>) {
  const res = await h.http.post('/api/campaigns').set(supervisor).send({
    name: 'Fund offer', purpose: 'marketing', dialing_mode: 'progressive', caller_id: CALLER_ID, skill: 'outbound',
    script: '您好，我是示范银行的理财顾问……', offer: { code: 'FUND-A', title: '稳健增利基金', terms: '起购 1 万元' },
    window_start: '09:00', window_end: '20:00', calls_per_second: 10, ...body,
  }).expect(201);
  return res.body as { id: number };
}

async function uploadCsv(id: number, csv: string) {
  return (await h.http.post(`/api/campaigns/${id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv').send(csv).expect(200)).body;
}

const callsTo = (phone: string) => h.sim.calls().filter((c) => c.to === phone);


const entryOf = (campaignId: number, customerId: number) => h.db('campaign_entries').where({ campaign_id: campaignId, customer_id: customerId }).first();

/** Agents of a campaign's skill (one per test, so no test's agents take another's calls) with a console open, available; each ends every campaign call once connected and wraps it up with `disposition`. */
async function outboundAgents(skill: string, count: number, disposition: (offer: any) => Record<string, unknown>) {
  const made = await makeAgents(h.app, h.db, skill, count, { [skill]: 1 });
  const clients: AgentClient[] = [];
  for (const a of made) {
    const c = await connectAgent(h.url, a.token, a.id, { heartbeatMs: 2000 });
    await c.next('agent:restore');
    await c.request('state:set', { state: 'available' });
    const offers: any[] = [];
    c.socket.on('call:assigned', (offer: any) => offers.push(offer));
    // The conversation: the agent says their piece and ends the call.
    c.socket.on('call:connected', () => { void c.request('call:end').catch(() => undefined); });
    c.socket.on('call:ended', async () => {
      await new Promise((r) => setTimeout(r, 20));
      await c.request('wrapup:complete', { reason_codes: [], products_discussed: [], ...disposition(offers.at(-1)) }).catch((err) => console.error('WRAPUP', err.message, err.detail));
    });
    clients.push(c);
  }
  return clients;
}

describe('outbound campaigns', () => {
  it('builds a scrubbed, deduplicated list from a CSV with bad lines, reported by line number', async () => {
    const ok = await customer();
    const dnc = await customer({ dnc: true });
    const noConsent = await customer({ consent: false });
    const c = await createCampaign({ name: 'CSV list' });
    const csv = [
      'customer_no,phone',
      `${ok.customer_no},`,
      `${dnc.customer_no},`,
      `${noConsent.customer_no},`,
      `${ok.customer_no},`, // the same customer again
      'NOSUCH-1,',
      ',+8613800000001',
      `${ok.customer_no},12345`,
    ].join('\n');
    const r = await uploadCsv(c.id, csv);
    expect(r).toMatchObject({ rows: 7, added: 3, duplicates: 1, excluded: { do_not_call: 1, no_consent: 1 }, error_count: 3 });
    expect(r.errors.map((e: any) => e.line).sort()).toEqual([6, 7, 8]);
    expect(Object.fromEntries(r.errors.map((e: any) => [e.line, e.code]))).toEqual({ 6: 'customer_not_found', 7: 'key_malformed', 8: 'phone_invalid' });
    const entries = await h.db('campaign_entries').where({ campaign_id: c.id }).orderBy('customer_id');
    expect(entries.map((e) => [e.customer_id, e.state, e.excluded_reason])).toEqual([
      [ok.id, 'pending', null], [dnc.id, 'excluded', 'do_not_call'], [noConsent.id, 'excluded', 'no_consent'],
    ]);
    // RFC 4180 as the bank's exports write it: a quoted comma and a quoted newline stay in their field, the
    // record after them keeps its line number, and a line with more fields than the header is reported by line.
    const noted = await customer();
    const later = await customer();
    const quoted = await uploadCsv(c.id, ['customer_no,note', `${noted.customer_no},"prefers mornings, after 9`, 'asked for English"', `${later.customer_no},ok`, 'one,too,many'].join('\n'));
    expect(quoted).toMatchObject({ rows: 3, added: 2, error_count: 1 });
    expect(quoted.errors).toEqual([{ line: 5, code: 'csv_malformed', message: 'not as many fields as the header' }]);
    // A header that names no customer column is refused outright.
    const bad = await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv').send('name,phone\nx,y').expect(400);
    expect(bad.body.code).toBe('SB_ERR_CAMPAIGN_CSV_INVALID');
    // The key column is the header's, not the first row's: a first row with its key left empty is that
    // row's error, and the rows after it load; a header and no rows is an empty list; no header at all is refused.
    const afterBlank = await customer();
    // A customer number as long as the feeds take (34) is looked up, not called malformed.
    const blankFirst = await uploadCsv(c.id, ['phone,customer_no', '+8613800000002,', `,${afterBlank.customer_no}`, `,${'C'.repeat(34)}`].join('\n'));
    expect(blankFirst).toMatchObject({ rows: 3, added: 1, error_count: 2 });
    expect(blankFirst.errors.map((e: any) => [e.line, e.code])).toEqual([[2, 'key_malformed'], [4, 'customer_not_found']]);
    expect(await uploadCsv(c.id, 'customer_no,phone\n')).toMatchObject({ rows: 0, added: 0, error_count: 0 });
    const empty = await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv').send('').expect(400);
    expect(empty.body.code).toBe('SB_ERR_CAMPAIGN_CSV_INVALID');
    // Agents may not manage campaigns.
    await h.http.post('/api/campaigns').set(await h.auth('agent1')).send({}).expect(403);
  });

  it('puts a person through to an agent with the script, leaves voicemail for machines, and retries busy and no-answer by policy', { timeout: 60_000 }, async () => {
    const person = await customer();
    const busy = await customer();
    const noAnswer = await customer();
    const machine = await customer();
    h.sim.setPeer(busy.phone, 'busy');
    h.sim.setPeer(noAnswer.phone, 'no-answer');
    h.sim.setPeer(machine.phone, 'machine');
    const agents = await outboundAgents('retries', 1, () => ({ disposition: 'sale', notes: 'bought FUND-A' }));
    const c = await createCampaign({ name: 'Retries', skill: 'retries', max_attempts: 2, machine_action: 'voicemail', voicemail_text: '您好，这里是示范银行，稍后再联系您。', retry_delays: { busy: 600, no_answer: 3600 } });
    onExit(() => { for (const a of agents) a.close(); });
    const list = await uploadCsv(c.id, ['customer_id', person.id, busy.id, noAnswer.id, machine.id].join('\n'));
    expect(list.added).toBe(4);
    const started = Date.now();
    await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(200);

    // The person: an agent gets the call at once, with the campaign's script and offer on the pop.
    const assigned = await agents[0]!.next('call:assigned', undefined, 20_000);
    expect(assigned.campaign).toMatchObject({ id: c.id, script: expect.stringContaining('理财顾问'), offer: { code: 'FUND-A' } });
    expect(assigned.customer_id).toBe(person.id);
    expect(assigned.profile.customer_id).toBe(person.id);
    await until('the sale on the list entry', async () => (await entryOf(c.id, person.id))?.disposition === 'sale');

    let seen: unknown;
    await until('first attempts settled', async () => {
      // The person's too: their call's last status callback may come after the agent's wrap-up.
      const rows = await h.db('campaign_entries').where({ campaign_id: c.id }).whereIn('customer_id', [person.id, busy.id, noAnswer.id, machine.id]);
      seen = rows.map((r) => [r.customer_id, r.state, r.last_outcome]);
      return rows.every((r) => r.state !== 'dialing' && r.last_outcome) && rows;
    }).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(seen)}`); });
    const after1 = Object.fromEntries((await h.db('campaign_entries').where({ campaign_id: c.id })).map((e) => [e.customer_id, e]));
    const delay = (id: number) => Math.round((new Date(after1[id].next_attempt_at).getTime() - started) / 1000);
    expect(after1[busy.id]).toMatchObject({ state: 'pending', last_outcome: 'busy', attempts: 1 });
    expect(delay(busy.id)).toBeGreaterThanOrEqual(600 - 5);
    expect(delay(busy.id)).toBeLessThan(600 + 30);
    expect(after1[noAnswer.id]).toMatchObject({ state: 'pending', last_outcome: 'no_answer' });
    expect(delay(noAnswer.id)).toBeGreaterThanOrEqual(3600 - 5);
    expect(after1[machine.id]).toMatchObject({ state: 'pending', last_outcome: 'machine' });
    expect(delay(machine.id)).toBeGreaterThanOrEqual(14400 - 5); // the default delay after a machine
    expect(after1[person.id]).toMatchObject({ state: 'done', last_outcome: 'human', disposition: 'sale', attempts: 1 });
    // The machine heard the campaign's voicemail; the no-answer rang for the campaign's ring time (>= 15 s).
    expect(callsTo(machine.phone)[0]!.heard().join(' ')).toContain('稍后再联系您');
    const noAnswerDial = h.sim.exchanges.find((x) => x.kind === 'rest' && x.params.To === noAnswer.phone);
    expect(Number(noAnswerDial?.params.Timeout)).toBeGreaterThanOrEqual(15);

    // Time passes: the retries are due. Each number is tried max_attempts times, never more.
    await h.db('campaign_entries').where({ campaign_id: c.id, state: 'pending' }).update({ next_attempt_at: new Date() });
    await until('the campaign completed', async () => (await h.db('campaigns').where({ id: c.id }).first()).state === 'completed');
    for (const x of [busy, noAnswer, machine]) expect(callsTo(x.phone)).toHaveLength(2);
    expect(callsTo(person.phone)).toHaveLength(1);
    const done = await h.db('campaign_entries').where({ campaign_id: c.id, customer_id: busy.id }).first();
    expect(done).toMatchObject({ state: 'done', attempts: 2, last_outcome: 'busy' });

    // Every attempt is an interaction of the customer, linked to the campaign; the person's has the agent and the sale.
    const sale = await h.db('interactions').where({ customer_id: person.id, campaign_id: c.id }).first();
    expect(sale).toMatchObject({ direction: 'outbound', outcome: 'agent', disposition: 'sale', agent_user_id: agents[0]!.id });
    expect(Number((await h.db('interactions').where({ campaign_id: c.id }).count('* as n').first())!.n)).toBe(7);

    const progress = (await h.http.get(`/api/campaigns/${c.id}/progress`).set(supervisor).expect(200)).body;
    expect(progress).toMatchObject({ state: 'completed', list_size: 4, dialed: 7, humans: 1, machines: 2, conversions: 1, remaining: 0, abandoned: 0 });
  });

  it('never dials outside the calling window, on do-not-call or without consent; a do-not-call request stops every campaign at once', { timeout: 60_000 }, async () => {
    const willOptOut = await customer();
    const asleep = await customer({ tz: CLOSED_ZONE() });
    const registered = await customer();
    await h.http.post('/api/do-not-call').set(supervisor).send({ phone: registered.phone }).expect(200);
    const agents = await outboundAgents('optout', 1, () => ({ disposition: 'do_not_call' }));
    onExit(() => { for (const a of agents) a.close(); });
    const first = await createCampaign({ name: 'Opt-out', skill: 'optout' });
    const second = await createCampaign({ name: 'Second', dialing_mode: 'preview' });
    await uploadCsv(second.id, ['customer_id', willOptOut.id].join('\n'));
    const list = await uploadCsv(first.id, ['customer_id', willOptOut.id, asleep.id, registered.id].join('\n'));
    expect(list).toMatchObject({ added: 3, excluded: { do_not_call: 1 } });
    await h.http.post(`/api/campaigns/${first.id}/start`).set(supervisor).expect(200);

    await agents[0]!.next('call:assigned', (o) => o.customer_id === willOptOut.id, 20_000);
    await until('the do-not-call request recorded', async () => (await h.db('do_not_call').where({ phone: willOptOut.phone }).first()));
    expect((await h.db('customers').where({ id: willOptOut.id }).first()).do_not_call).toBe(true);
    // The other campaign's entry for them is closed, before it ever dialled.
    expect(await entryOf(second.id, willOptOut.id)).toMatchObject({ state: 'excluded', excluded_reason: 'do_not_call' });

    // The sleeper waits for their morning; nothing was dialled to them or to the registered number.
    const sleeper = await until('the sleeper put off to their morning', async () => {
      const e = await entryOf(first.id, asleep.id);
      return new Date(e.next_attempt_at).getTime() > Date.now() + 3600_000 && e;
    });
    expect(sleeper.state).toBe('pending');
    await new Promise((r) => setTimeout(r, 500));
    expect(callsTo(asleep.phone)).toHaveLength(0);
    expect(callsTo(registered.phone)).toHaveLength(0);
    expect(callsTo(willOptOut.phone)).toHaveLength(1);

    // Even a dial that gets past pacing is stopped by the compliance check: force the sleeper due now.
    await h.db('campaign_entries').where({ campaign_id: first.id, customer_id: asleep.id }).update({ next_attempt_at: new Date(Date.now() - 1000) });
    await h.db('dial_attempts').insert({ campaign_id: first.id, entry_id: sleeper.id, customer_id: asleep.id, attempt: 1, state: 'queued', queued_at: new Date() });
    await until('the denied check logged', async () => h.db('compliance_log').where({ customer_id: asleep.id, decision: 'deny' }).first());
    const denied = await h.db('compliance_log').where({ customer_id: asleep.id, decision: 'deny' }).first();
    expect(denied.reasons).toContain('calling_window');
    expect(callsTo(asleep.phone)).toHaveLength(0);
  });

  it('builds a list from a segment of the bank: tier, products not held, churn risk; scrubbed row by row', async () => {
    const c = await createCampaign({ name: 'Segment' });
    const r = (await h.http.post(`/api/campaigns/${c.id}/list/segment`).set(supervisor).send({ tiers: ['GOLD'], not_holds: ['fund'], churn_risk: false }).expect(200)).body;
    const expected = await h.db('customers as c').where({ tier: 'GOLD', churn_risk: false })
      .whereNotExists(h.db('investment_holdings as x').whereRaw('x.customer_id = c.id').where('x.line', 'fund')).count('* as n').first();
    expect(r.rows).toBe(Number(expected!.n));
    expect(r.added).toBe(r.rows);
    const entries = await h.db('campaign_entries as e').join('customers as c', 'c.id', 'e.customer_id').where('e.campaign_id', c.id).select('e.state', 'e.excluded_reason', 'c.marketing_consent', 'c.do_not_call', 'c.tier');
    expect(entries.every((e) => e.tier === 'GOLD')).toBe(true);
    for (const e of entries) {
      if (e.state === 'pending') expect([e.marketing_consent, e.do_not_call]).toEqual([true, false]);
      if (e.excluded_reason === 'no_consent') expect(e.marketing_consent).toBe(false);
      if (e.excluded_reason === 'do_not_call') expect(e.do_not_call).toBe(true);
    }
    expect(entries.filter((e) => e.state === 'excluded')).toHaveLength(Object.values(r.excluded as Record<string, number>).reduce((a, b) => a + b, 0));
    // The same segment again adds nobody twice.
    const again = (await h.http.post(`/api/campaigns/${c.id}/list/segment`).set(supervisor).send({ tiers: ['GOLD'], not_holds: ['fund'], churn_risk: false }).expect(200)).body;
    expect(again).toMatchObject({ added: 0, duplicates: r.rows });
  });

  it('preview mode: the agent sees the customer first, skips or dials, and a callback re-opens the entry for its time', { timeout: 60_000 }, async () => {
    const p = await customer();
    const [made] = await makeAgents(h.app, h.db, 'preview', 1, { preview: 1 });
    const agent = await connectAgent(h.url, made!.token, made!.id, { heartbeatMs: 2000 });
    onExit(() => agent.close());
    await agent.next('agent:restore');
    const bearer = { Authorization: `Bearer ${made!.token}` };
    const c = await createCampaign({ name: 'Preview', dialing_mode: 'preview', skill: 'preview', purpose: 'care' });
    await uploadCsv(c.id, ['customer_id', p.id].join('\n'));
    await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(200);
    // Only an available agent gets a preview.
    expect((await h.http.post('/api/campaigns/preview/next').set(bearer).expect(409)).body.code).toBe('SB_ERR_AGENT_STATE_INVALID');
    await agent.request('state:set', { state: 'available' });

    const first = (await h.http.post('/api/campaigns/preview/next').set(bearer).expect(200)).body;
    expect(first.profile.customer_id).toBe(p.id);
    expect(first.campaign).toMatchObject({ id: c.id, script: expect.stringContaining('理财顾问') });
    expect((await h.db('agents').where({ user_id: made!.id }).first()).state).toBe('reserved');
    await new Promise((r) => setTimeout(r, 300));
    expect(callsTo(p.phone)).toHaveLength(0); // preview never dials by itself
    await h.http.post(`/api/campaigns/preview/${first.attempt_id}/skip`).set(bearer).expect(200);
    expect((await h.http.post(`/api/campaigns/preview/${first.attempt_id}/dial`).set(bearer).expect(409)).body.code).toBe('SB_ERR_PREVIEW_GONE');

    const second = (await h.http.post('/api/campaigns/preview/next').set(bearer).expect(200)).body;
    agent.socket.on('call:connected', () => { void agent.request('call:end'); });
    await h.http.post(`/api/campaigns/preview/${second.attempt_id}/dial`).set(bearer).expect(200);
    const assigned = await agent.next('call:assigned', undefined, 20_000);
    expect(assigned.campaign.id).toBe(c.id);
    await agent.next('call:ended', undefined, 20_000);
    // A campaign call needs a campaign disposition; a callback needs its time.
    await expect(agent.request('wrapup:complete', { disposition: 'resolved', reason_codes: [], products_discussed: [] })).rejects.toThrow('SB_ERR_CAMPAIGN_DISPOSITION_INVALID');
    await expect(agent.request('wrapup:complete', { disposition: 'callback', reason_codes: [], products_discussed: [] })).rejects.toThrow('SB_ERR_CAMPAIGN_DISPOSITION_INVALID');
    const at = new Date(Date.now() + 86_400_000).toISOString();
    await agent.request('wrapup:complete', { disposition: 'callback', callback_at: at, reason_codes: [], products_discussed: [] });
    const entry = await entryOf(c.id, p.id);
    expect(entry).toMatchObject({ state: 'pending', disposition: 'callback' });
    expect(new Date(entry.next_attempt_at).toISOString()).toBe(at);
    expect((await h.http.post('/api/campaigns/preview/next').set(bearer).expect(404)).body.code).toBe('SB_ERR_PREVIEW_NONE');
    expect(callsTo(p.phone)).toHaveLength(1);
  });

  it('answers bad campaign requests with coded errors', async () => {
    const bad = (res: { body: { code: string } }) => res.body.code;
    expect(bad(await h.http.post('/api/campaigns').set(supervisor).send({ name: 'x', purpose: 'spam', dialing_mode: 'progressive', caller_id: CALLER_ID }).expect(400))).toBe('SB_ERR_REQUEST_INVALID');
    expect(bad(await h.http.post('/api/campaigns').set(supervisor).send({ name: 'x', purpose: 'care', dialing_mode: 'progressive', caller_id: CALLER_ID, ring_seconds: 10 }).expect(400))).toBe('SB_ERR_REQUEST_INVALID');
    expect(bad(await h.http.post('/api/campaigns').set(supervisor).send({ name: 'x', purpose: 'care', dialing_mode: 'progressive', caller_id: CALLER_ID, window_start: '20:00', window_end: '09:00' }).expect(400))).toBe('SB_ERR_CAMPAIGN_INVALID');
    expect(bad(await h.http.get('/api/campaigns/999999').set(supervisor).expect(404))).toBe('SB_ERR_CAMPAIGN_NOT_FOUND');
    const c = await createCampaign({ name: 'Errors' });
    expect(bad(await h.http.post(`/api/campaigns/${c.id}/resume`).set(supervisor).expect(409))).toBe('SB_ERR_CAMPAIGN_STATE_INVALID');
    expect(bad(await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(409))).toBe('SB_ERR_CAMPAIGN_STATE_INVALID'); // nobody on the list
    expect(bad(await h.http.post(`/api/campaigns/${c.id}/explode`).set(supervisor).expect(400))).toBe('SB_ERR_REQUEST_INVALID');
    await h.http.post(`/api/campaigns/${c.id}/cancel`).set(supervisor).expect(200);
    expect(bad(await h.http.post(`/api/campaigns/${c.id}/list/segment`).set(supervisor).send({ tiers: ['GOLD'] }).expect(409))).toBe('SB_ERR_CAMPAIGN_STATE_INVALID');
    expect(bad(await h.http.patch(`/api/campaigns/${c.id}`).set(supervisor).send({ name: 'renamed' }).expect(409))).toBe('SB_ERR_CAMPAIGN_STATE_INVALID');
    expect(bad(await h.http.post('/api/campaigns/preview/abc/dial').set(await h.auth('agent1')).expect(400))).toBe('SB_ERR_REQUEST_INVALID');
  });

  it('waits for its scheduled start, and ends at its scheduled end', { timeout: 30_000 }, async () => {
    const x = await customer();
    h.sim.setPeer(x.phone, 'busy');
    await makeAgents(h.app, h.db, 'sched', 1, { sched: 1 }).then((m) => h.db('agents').where({ user_id: m[0]!.id }).update({ state: 'available', lease_until: new Date(Date.now() + 600_000) }));
    const c = await createCampaign({ name: 'Scheduled', skill: 'sched', starts_at: new Date(Date.now() + 3600_000).toISOString() });
    await uploadCsv(c.id, ['customer_id', x.id].join('\n'));
    expect((await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(200)).body.state).toBe('scheduled');
    await new Promise((r) => setTimeout(r, 500));
    expect(callsTo(x.phone)).toHaveLength(0);
    // Brought forward: it runs at its (new) start.
    await h.http.post(`/api/campaigns/${c.id}/pause`).set(supervisor).expect(200);
    await h.http.patch(`/api/campaigns/${c.id}`).set(supervisor).send({ starts_at: new Date(Date.now() - 1000).toISOString(), ends_at: new Date(Date.now() + 3000).toISOString() }).expect(200);
    expect((await h.http.post(`/api/campaigns/${c.id}/resume`).set(supervisor).expect(200)).body).toMatchObject({ state: 'running', skill: 'sched', script: expect.stringContaining('理财顾问') });
    await until('the first dial', async () => callsTo(x.phone).length === 1);
    // The busy line would be retried in 15 minutes, but the campaign ends first.
    await until('the scheduled end', async () => (await h.db('campaigns').where({ id: c.id }).first()).state === 'completed', 10_000);
    expect((await entryOf(c.id, x.id)).state).toBe('pending');
  });

  it('keeps a hash-chained compliance log that detects an edited or removed entry', async () => {
    // The decisions the dial job records (run on its own, this test writes a few of its own).
    await h.db.transaction(async (trx) => {
      for (const [i, decision] of (['allow', 'deny', 'allow', 'deny', 'allow'] as const).entries()) {
        await appendCompliance(trx, {
          at: new Date(), campaign_id: 1, entry_id: String(i + 1), attempt_id: String(i + 1), customer_id: 3, phone_masked: '138****0003',
          decision, reasons: decision === 'deny' ? ['calling_window'] : [], checks: { calling_window: decision === 'allow' },
        });
      }
    });
    const before = await verifyCompliance(h.db);
    expect(before.ok).toBe(true);
    expect(before.rows).toBeGreaterThan(3);
    const rows = await h.db('compliance_log').orderBy('id').limit(3);
    const cli = (): Promise<{ code: number | null; out: string }> => new Promise((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'server/cli/compliance-verify.ts'], { env: { ...process.env, DATABASE_URL: h.config.DATABASE_URL } });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      p.on('close', (code) => resolve({ code, out }));
    });
    expect((await cli()).code).toBe(0);
    // Someone with database rights turns the trigger off and rewrites history.
    await h.db.raw('ALTER TABLE compliance_log DISABLE TRIGGER compliance_log_no_update');
    // Turn a refusal into a permission, or the other way round.
    await h.db('compliance_log').where({ id: rows[0].id }).update({ decision: rows[0].decision === 'allow' ? 'deny' : 'allow' });
    await h.db('compliance_log').where({ id: rows[2].id }).delete();
    await h.db.raw('ALTER TABLE compliance_log ENABLE TRIGGER compliance_log_no_update');
    const after = await verifyCompliance(h.db);
    expect(after.ok).toBe(false);
    expect(after.problems).toEqual(expect.arrayContaining([
      { id: String(rows[0].id), problem: expect.stringMatching(/edited/) },
      { id: expect.any(String), problem: expect.stringMatching(/removed/) },
    ]));
    const run = await cli();
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/TAMPERED/);
    // And the log refuses ordinary edits.
    await expect(h.db('compliance_log').where({ id: rows[1].id }).delete()).rejects.toThrow(/append-only/);
  }, 90_000);

  it('safe harbour: a person answered with no agent free hears who called within the 2-second rule', { timeout: 60_000 }, async () => {
    const person = await customer();
    // They let it ring a few seconds; meanwhile the campaign's only agent steps away.
    h.sim.setPeer(person.phone, 'answer-late');
    const [made] = await makeAgents(h.app, h.db, 'harbour', 1, { harbour: 1 });
    const agent = await connectAgent(h.url, made!.token, made!.id, { heartbeatMs: 2000 });
    onExit(() => agent.close());
    await agent.next('agent:restore');
    await agent.request('state:set', { state: 'available' });
    const c = await createCampaign({ name: 'Harbour', skill: 'harbour', max_attempts: 1 });
    await uploadCsv(c.id, `customer_id\n${person.id}`);
    await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(200);
    const ringing = await until('the customer ringing', async () => callsTo(person.phone)[0]);
    await agent.request('state:set', { state: 'away', reason: 'break' });

    const attempt = await until('the abandoned attempt', async () => h.db('dial_attempts').where({ campaign_id: c.id, outcome: 'abandoned' }).first());
    await ringing.waitFor('ended');
    // What they heard: the bank, the number it called from, and that it will call again.
    expect(ringing.heard().join(' ')).toContain(`来电号码${CALLER_ID}`);
    expect(ringing.heard().join(' ')).toContain('示范银行');
    const events = await h.db('interaction_events').where({ interaction_id: (await h.db('calls').where({ sid: attempt.call_sid }).first()).interaction_id }).orderBy('id');
    const abandoned = events.find((e) => e.type === 'campaign_abandoned')!;
    expect(abandoned.data.waited_s).toBeLessThanOrEqual(2);
    expect(agent.received.some((r) => r.event === 'call:assigned')).toBe(false);
    // It counts against the campaign's abandon rate, and the entry is tried again another day.
    expect((await entryOf(c.id, person.id)).last_outcome).toBe('abandoned');
  });

  it('safe harbour: a fourth dial to one customer on one day is refused by the frequency cap', { timeout: 60_000 }, async () => {
    const person = await customer();
    h.sim.setPeer(person.phone, 'busy');
    const c = await createCampaign({ name: 'Cap', skill: 'cap', max_attempts: 5, retry_delays: { busy: 60 } });
    // A free agent of the campaign's skill, so the dialer has someone to dial for.
    const [made] = await makeAgents(h.app, h.db, 'cap', 1, { cap: 1 });
    const agent = await connectAgent(h.url, made!.token, made!.id, { heartbeatMs: 2000 });
    onExit(() => agent.close());
    await agent.next('agent:restore');
    await agent.request('state:set', { state: 'available' });
    await uploadCsv(c.id, `customer_id\n${person.id}`);
    await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(200);
    for (let n = 1; n <= 3; n++) {
      await until(`busy dial ${n} settled`, async () => {
        const e = await entryOf(c.id, person.id);
        return e.state === 'pending' && e.attempts === n && e.last_outcome === 'busy';
      });
      // Time passes: the retry is due.
      await h.db('campaign_entries').where({ campaign_id: c.id, customer_id: person.id }).update({ next_attempt_at: new Date() });
    }
    const denied = await until('the fourth dial refused', async () => h.db('compliance_log').where({ campaign_id: c.id, customer_id: person.id, decision: 'deny' }).first());
    expect(denied.reasons).toContain('frequency');
    expect(callsTo(person.phone)).toHaveLength(3);
    const e = await entryOf(c.id, person.id);
    // Not an attempt: the entry waits for the customer's next day.
    expect(e).toMatchObject({ state: 'pending', attempts: 3, last_outcome: 'blocked' });
    expect(new Date(e.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 3600_000);
  });
});
