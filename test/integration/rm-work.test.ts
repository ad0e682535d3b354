/* eslint-disable @typescript-eslint/no-explicit-any -- API and socket payloads are asserted field by field */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAgent, tokenFor } from '../helpers/agents.js';
import { dialAndPress, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, timelineOf, type Hotline } from '../helpers/hotline.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { clockFrom, until } from '../helpers/wait.js';

// Issue 18, the loops behind the call, on the real app with PostgreSQL and Redis and the
// simulator playing Twilio over HTTP: the feedback contact made by calling the customer on the
// outbound path, a caller with an open case routed to its owner, the case report's figures on a
// known set, and relationship managers told of their clients' calls and given tasks (clashes refused).

const floor = hotlinePerTest({ ROUTING_SWEEP_MS: '200', ROUTING_OFFER_SECONDS: '5', ROUTING_RM_WAIT_SECONDS: '0', CASE_SWEEP_MS: '200' });

const GOLD = '+8613800000003';
// A Wednesday at 10:00 in Shanghai: inside the bank's hours.
const WEDNESDAY_10 = '2026-11-18T02:00:00Z';
const userId = async (h: TestApp, username: string) => Number((await h.db('users').where({ username }).first('id')).id);
const complaint = { customer_id: 3, kind: 'complaint', category: 'fees', summary: 'Annual fee charged twice', products: ['CC-GOLD'] };

/** A case opened by a supervisor and given to `owner`. */
async function caseFor(h: TestApp, owner: number, body: Record<string, unknown> = complaint) {
  const sup = await h.auth('supervisor1');
  const opened = (await h.http.post('/api/cases').set(sup).send(body).expect(201)).body;
  await h.http.post(`/api/cases/${opened.id}/transition`).set(sup).send({ action: 'assign', owner_id: owner }).expect(200);
  return opened;
}

describe('the feedback contact, made by calling the customer', () => {
  it('the owner calls the customer back through the outbound path, records satisfaction 2, and a follow-up task appears', { timeout: 60_000 }, async () => {
    const clock = clockFrom(WEDNESDAY_10);
    const h = await floor.start({}, { now: clock.now });
    const who = await tokenFor(h.app, h.db, 'agent1');
    const me = { Authorization: `Bearer ${who.token}` };
    const opened = await caseFor(h, who.id);
    await h.http.post(`/api/cases/${opened.id}/transition`).set(me).send({ action: 'start' }).expect(200);
    await h.http.post(`/api/cases/${opened.id}/transition`).set(me).send({ action: 'resolve', result: 'Second fee refunded' }).expect(200);
    const feedback = (await h.http.get('/api/tasks').set(me).expect(200)).body.tasks.find((x: any) => x.case_id === opened.id && x.kind === 'feedback');
    expect(feedback).toMatchObject({ state: 'open', callback_id: null });

    const agent = await floor.online(h, who);
    const placed = (await h.http.post(`/api/tasks/${feedback.id}/call`).set(me).expect(201)).body;
    expect(placed.task.callback_id).toBe(placed.callback_id);
    // One call at a time for a task.
    const twice = await h.http.post(`/api/tasks/${feedback.id}/call`).set(me);
    expect([twice.status, twice.body.code]).toEqual([409, 'SB_ERR_TASK_CALL_INVALID']);
    // Another agent's task is not theirs to call on.
    expect((await h.http.post(`/api/tasks/${feedback.id}/call`).set(await h.auth('agent2'))).status).toBe(403);

    // The call is offered to the owner as a callback, and rings the customer once accepted.
    const offer = await agent.next('call:offered', (o) => Boolean(o.callback), 15_000);
    expect(offer.callback).toMatchObject({ id: placed.callback_id, reason: 'case_feedback' });
    expect(offer.customer_id).toBe(3);
    await agent.request('call:accept', { entry_id: offer.entry_id });
    const ringBack = await until('the customer rung', async () => h.sim.calls().find((c) => c.to === GOLD && c.direction === 'outbound-api'));
    await agent.next('call:connected', undefined, 15_000);
    await ringBack.waitFor('conference');

    // On the call, the agent records what the customer said.
    const done = (await h.http.post(`/api/tasks/${feedback.id}/complete`).set(me).send({ satisfaction: 2, note: 'Still unhappy about the wait' }).expect(200)).body;
    expect(done).toMatchObject({ state: 'done', satisfaction: 2, contact_interaction_id: offer.interaction_id });
    const after = (await h.http.get(`/api/cases/${opened.id}`).set(await h.auth('supervisor1')).expect(200)).body;
    expect(after).toMatchObject({ status: 'feedback_contacted', satisfaction: 2 });
    expect(after.tasks).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'follow_up', state: 'open', assignee_id: who.id, reason: 'low_satisfaction' })]));
    expect(after.events.map((e: any) => e.type)).toEqual(['opened', 'assigned', 'started', 'resolved', 'feedback_call', 'feedback_contacted']);
    expect(after.events.at(-1).data).toMatchObject({ satisfaction: 2, contact_interaction_id: offer.interaction_id });

    await agent.request('call:end');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await agent.request('wrapup:complete', { disposition: 'resolved' });
    await until('the callback completed', async () => (await h.db('callback_requests').where({ id: placed.callback_id }).first()).state === 'completed');
    // A done task takes no more calls.
    expect((await h.http.post(`/api/tasks/${feedback.id}/call`).set(me)).body.code).toBe('SB_ERR_TASK_CALL_INVALID');
  });
});

describe('a caller with an open case', () => {
  it("is offered to the case's owner, not to whoever is free", { timeout: 60_000 }, async () => {
    const h = await floor.start();
    const owner = await tokenFor(h.app, h.db, 'agent2');
    const opened = await caseFor(h, owner.id);
    const other = await floor.online(h, await tokenFor(h.app, h.db, 'agent1'));
    const mine = await floor.online(h, owner);
    const c = await dialAndPress(h, GOLD, HOTLINE, ['1', '0']);
    const offer = await mine.next('call:offered', undefined, 15_000);
    expect(offer.customer_id).toBe(3);
    expect(other.received.some((r) => r.event === 'call:offered')).toBe(false);
    await mine.request('call:accept', { entry_id: offer.entry_id });
    await mine.next('call:connected', undefined, 15_000);
    const routed = (await timelineOf(h, c.sid)).events.find((e) => e.type === 'routed_by_case');
    expect(routed?.data).toMatchObject({ case_no: opened.case_no, rule: 'owner', owner_id: owner.id });
  });

  it('goes to the complaints skill when so configured', { timeout: 60_000 }, async () => {
    const h = await floor.start({ CASE_CALLER_ROUTING: 'skill' });
    await caseFor(h, await userId(h, 'agent2'));
    // agent2 has no complaints skill; agent1 has.
    const noSkill = await floor.online(h, await tokenFor(h.app, h.db, 'agent2'));
    const skilled = await floor.online(h, await tokenFor(h.app, h.db, 'agent1'));
    const c = await dialAndPress(h, GOLD, HOTLINE, ['1', '0']);
    const offer = await skilled.next('call:offered', undefined, 15_000);
    expect(offer.customer_id).toBe(3);
    expect(noSkill.received.some((r) => r.event === 'call:offered')).toBe(false);
    const routed = (await timelineOf(h, c.sid)).events.find((e) => e.type === 'routed_by_case');
    expect(routed?.data).toMatchObject({ rule: 'skill', skill: 'complaints', from_skill: 'general' });
  });
});

describe('case report', () => {
  let t: TestApp | undefined;
  afterEach(async () => { await t?.close(); t = undefined; });

  it('gives complaints per 1,000 calls, SLA met %, hours to resolve and reopen rate by category, tier and team, as the events say', { timeout: 60_000 }, async () => {
    // A week with nothing else in it: a Wednesday in 2031.
    const T0 = '2031-03-05T02:00:00Z';
    const clock = clockFrom(T0);
    t = await startTestApp({}, { now: clock.now });
    const h = t;
    const sup = await h.auth('supervisor1');
    const [a1, a2] = [await userId(h, 'agent1'), await userId(h, 'agent2')];
    await h.db('agents').where({ user_id: a1 }).update({ team: 'alpha' });
    await h.db('agents').where({ user_id: a2 }).update({ team: 'beta' });
    // Four inbound calls: three GOLD (two taken by alpha), one STANDARD (beta).
    const calls = [['GOLD', a1], ['GOLD', a1], ['GOLD', a2], ['STANDARD', a2]] as const;
    await h.db('interactions').insert(calls.map(([tier, agent], i) => ({
      id: randomUUID(), channel: 'phone', direction: 'inbound', tier_at_time: tier, agent_user_id: agent, started_at: new Date(new Date(T0).getTime() + i * 60_000),
    })));
    const step = (id: string, body: Record<string, unknown>) => h.http.post(`/api/cases/${id}/transition`).set(sup).send(body).expect(200);
    const open = async (body: Record<string, unknown>, by: number) => {
      const c = (await h.http.post('/api/cases').set(sup).send(body).expect(201)).body;
      await h.db('complaints').where({ id: c.id }).update({ created_by: by });
      await step(c.id, { action: 'assign', owner_id: by });
      await step(c.id, { action: 'start' });
      return c;
    };
    const fees = await open(complaint, a1); // GOLD, alpha: resolved within its SLA after one hour
    const card = await open({ ...complaint, customer_id: 4, category: 'card' }, a2); // STANDARD, beta: resolved late, then reopened
    await open({ ...complaint, kind: 'suggestion', category: 'service' }, a1); // GOLD, alpha: not resolved
    clock.advance(3600);
    await step(fees.id, { action: 'resolve', result: 'refunded' });
    await h.db('complaints').where({ id: card.id }).update({ sla_due_at: new Date(new Date(T0).getTime() + 60_000) });
    await step(card.id, { action: 'resolve', result: 'card replaced' });
    await step(card.id, { action: 'reopen', note: 'replacement never arrived' });

    const report = async (by: string) => (await h.http.get('/api/cases/report').query({ from: '2031-03-01T00:00:00Z', to: '2031-03-08T00:00:00Z', by }).set(sup).expect(200)).body;
    const byCategory = await report('category');
    expect(byCategory.total).toEqual({
      calls: 4, cases: 3, complaints: 2, complaints_per_1000_calls: 500, resolved: 2, sla_met_percent: 50, avg_hours_to_resolve: 1, reopen_percent: 50,
    });
    const row = (r: any, key: string) => r.rows.find((x: any) => x.key === key);
    expect(row(byCategory, 'fees')).toMatchObject({ calls: 4, complaints: 1, complaints_per_1000_calls: 250, resolved: 1, sla_met_percent: 100, reopen_percent: 0 });
    expect(row(byCategory, 'card')).toMatchObject({ complaints: 1, resolved: 1, sla_met_percent: 0, reopen_percent: 100 });
    expect(row(byCategory, 'service')).toMatchObject({ cases: 1, complaints: 0, resolved: 0, sla_met_percent: null, avg_hours_to_resolve: null });
    const byTier = await report('tier');
    expect(row(byTier, 'GOLD')).toMatchObject({ calls: 3, cases: 2, complaints: 1, complaints_per_1000_calls: 333.3 });
    expect(row(byTier, 'STANDARD')).toMatchObject({ calls: 1, complaints: 1, complaints_per_1000_calls: 1000 });
    const byTeam = await report('team');
    expect(row(byTeam, 'alpha')).toMatchObject({ calls: 2, cases: 2, complaints: 1, complaints_per_1000_calls: 500, sla_met_percent: 100 });
    expect(row(byTeam, 'beta')).toMatchObject({ calls: 2, cases: 1, complaints: 1, reopen_percent: 100 });

    const backwards = await h.http.get('/api/cases/report').query({ from: '2031-03-08T00:00:00Z', to: '2031-03-01T00:00:00Z' }).set(sup);
    expect([backwards.status, backwards.body.code]).toEqual([400, 'SB_ERR_REQUEST_INVALID']);
    expect((await h.http.get('/api/cases/report').query({ from: '2031-03-01T00:00:00Z', to: '2031-03-08T00:00:00Z' }).set(await h.auth('agent1'))).status).toBe(403);
  });
});

describe('relationship-manager work', () => {
  it("tells the RM their client called, with why and how it ended; books tasks for the RM, refusing a clash (409) and a client without an RM (422); reminds before due", { timeout: 60_000 }, async () => {
    const clock = clockFrom(WEDNESDAY_10);
    const h: Hotline = await floor.start({}, { now: clock.now });
    const client = await h.db('customers').where({ id: 2 }).first('id', 'rm_id');
    const phone = (await h.db('customer_phones').where({ customer_id: 2, is_primary: true }).first('phone')).phone as string;
    const rmUser = await h.db('users').where({ role: 'rm', rm_id: client.rm_id }).orderBy('id').first('username');
    const rm = floor.track(await connectAgent(h.url, (await tokenFor(h.app, h.db, rmUser.username)).token, await userId(h, rmUser.username)));
    await rm.next('agent:restore');
    const rmAuth = await h.auth(rmUser.username);
    // agent2 takes wealth calls; agent1 is only signed in.
    const who = await tokenFor(h.app, h.db, 'agent2');
    const me = { Authorization: `Bearer ${who.token}` };
    const agent = await floor.online(h, who);
    const bystander = floor.track(await connectAgent(h.url, (await tokenFor(h.app, h.db, 'agent1')).token, await userId(h, 'agent1')));

    // The RM is signed in but not taking calls: their DIAMOND client's call (the wealth line) goes to an agent.
    await dialAndPress(h, phone, HOTLINE, ['1']);
    const offer = await agent.next('call:offered', undefined, 20_000);
    expect(offer.customer_id).toBe(2);
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected', undefined, 15_000);

    // From the call, the agent books the RM a callback for tomorrow and tries a clashing visit.
    const due = new Date(clock.now().getTime() + 24 * 3600_000);
    const bad = await h.http.post('/api/rm/tasks').set(me).send({ kind: 'callback', interaction_id: offer.interaction_id, due_at: new Date(clock.now().getTime() - 60_000).toISOString(), purpose: 'x' });
    expect([bad.status, bad.body.code]).toEqual([400, 'SB_ERR_TASK_TIME_INVALID']);
    const booked = (await h.http.post('/api/rm/tasks').set(me).send({ kind: 'callback', interaction_id: offer.interaction_id, due_at: due.toISOString(), purpose: 'Discuss the maturing deposit' }).expect(201)).body;
    expect(booked).toMatchObject({ kind: 'callback', state: 'open', customer_id: 2, purpose: 'Discuss the maturing deposit', interaction_id: offer.interaction_id });
    expect((await rm.next('task:assigned')).task.id).toBe(booked.id);
    const clash = await h.http.post('/api/rm/tasks').set(me).send({ kind: 'visit', interaction_id: offer.interaction_id, due_at: new Date(due.getTime() + 10 * 60_000).toISOString(), purpose: 'Visit at the branch' });
    expect([clash.status, clash.body.code, clash.body.details?.task_id]).toEqual([409, 'SB_ERR_TASK_CONFLICT', booked.id]);
    // Right after the callback's slot, the visit fits.
    await h.http.post('/api/rm/tasks').set(me).send({ kind: 'visit', interaction_id: offer.interaction_id, due_at: new Date(due.getTime() + 15 * 60_000).toISOString(), purpose: 'Visit at the branch' }).expect(201);
    // A customer with no RM: refused, nothing booked.
    const noRm = await h.http.post('/api/rm/tasks').set(await h.auth('supervisor1')).send({ kind: 'callback', customer_id: 4, due_at: due.toISOString(), purpose: 'x' });
    expect([noRm.status, noRm.body.code]).toEqual([422, 'SB_ERR_RM_NONE']);
    expect(await h.db('tasks').where({ customer_id: 4, kind: 'callback' }).first()).toBeUndefined();

    // The call ends: the RM hears why the client called and how it ended; nobody else does.
    await agent.request('call:end');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await agent.request('wrapup:complete', { disposition: 'resolved', reason_codes: ['balance_enquiry'] });
    const called = await rm.next('rm:client_called', undefined, 10_000);
    expect(called).toMatchObject({ customer_id: 2, interaction_id: offer.interaction_id, disposition: 'resolved', reason_codes: ['balance_enquiry'], agent: 'agent2', skill: 'wealth' });
    expect(called.customer_name).toBeTruthy();
    expect(bystander.received.some((r) => r.event === 'rm:client_called')).toBe(false);
    expect(agent.received.some((r) => r.event === 'rm:client_called')).toBe(false);

    // The RM's worklist: the two tasks, soonest first, and their client's open case.
    const clientCase = (await h.http.post('/api/cases').set(await h.auth('supervisor1')).send({ ...complaint, customer_id: 2, category: 'deposit', summary: 'Deposit rate not as agreed' }).expect(201)).body;
    const list = (await h.http.get('/api/rm/worklist').set(rmAuth).expect(200)).body;
    expect(list.tasks.map((x: any) => x.kind)).toEqual(['callback', 'visit']);
    expect(list.tasks[0]).toMatchObject({ customer_id: 2, tier: 'DIAMOND' });
    expect(list.cases.map((c: any) => c.case_no)).toContain(clientCase.case_no);
    // An RM books for their own clients only.
    const notMine = await h.http.post('/api/rm/tasks').set(rmAuth).send({ kind: 'visit', customer_id: 4, due_at: new Date(due.getTime() + 3 * 3600_000).toISOString(), purpose: 'x' });
    expect([notMine.status, notMine.body.code]).toEqual([403, 'SB_ERR_RM_CLIENT_INVALID']);
    expect((await h.http.get('/api/rm/worklist').set(me)).status).toBe(403);

    // Half an hour before it is due, the RM is reminded, once.
    clock.advance(24 * 3600 - 20 * 60);
    const reminder = await rm.next('task:reminder', (p) => p.task.id === booked.id, 10_000);
    expect(reminder.task).toMatchObject({ kind: 'callback', purpose: 'Discuss the maturing deposit' });
    await until('the reminder noted', async () => (await h.db('tasks').where({ id: booked.id }).first()).reminded_at !== null);
    expect(rm.received.filter((r) => r.event === 'task:reminder' && r.payload.task.id === booked.id)).toHaveLength(1);
  });
});
