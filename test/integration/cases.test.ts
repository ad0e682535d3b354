/* eslint-disable @typescript-eslint/no-explicit-any -- API and socket payloads are asserted field by field */
import { afterEach, describe, expect, it } from 'vitest';
import { connectAgent, tokenFor, type AgentClient } from '../helpers/agents.js';
import { HOTLINE, startHotline, timelineOf } from '../helpers/hotline.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { clockFrom, until } from '../helpers/wait.js';

// Cases (issue 18) on the real app, PostgreSQL and Redis: the lifecycle and its refusals, a
// complaint opened on a call landing on the call's timeline and on the caller's next pop, and a
// case at risk of its SLA raising a supervisor alert and escalating once, on a controlled clock.

let t: TestApp | undefined;
let consoles: AgentClient[] = [];
afterEach(async () => {
  for (const c of consoles) c.close();
  consoles = [];
  await t?.close();
  t = undefined;
});

const GOLD = '+8613800000003';
// A Wednesday at 10:00 in Shanghai: inside the bank's hours.
const WEDNESDAY_10 = '2026-11-18T02:00:00Z';
const userId = async (h: TestApp, username: string) => Number((await h.db('users').where({ username }).first('id')).id);
const complaint = { customer_id: 3, kind: 'complaint', category: 'fees', summary: 'Annual fee charged twice', description: 'Charged on the 1st and the 3rd', products: ['CC-GOLD'] };

describe('case lifecycle', () => {
  it('walks open → assigned → in progress → resolved → feedback contacted → closed and reopened, refusing every illegal step, each step with who and when', async () => {
    const clock = clockFrom(WEDNESDAY_10);
    t = await startTestApp({}, { now: clock.now });
    const h = t;
    const sup = await h.auth('supervisor1');
    const agent = await h.auth('agent1');
    const other = await h.auth('agent2');
    const agentId = await userId(h, 'agent1');

    // Bad input is coded, never a 500.
    const badKind = await h.http.post('/api/cases').set(sup).send({ ...complaint, kind: 'grievance' });
    expect([badKind.status, badKind.body.code]).toEqual([400, 'SB_ERR_REQUEST_INVALID']);
    const noCustomer = await h.http.post('/api/cases').set(sup).send({ ...complaint, customer_id: 999999 });
    expect([noCustomer.status, noCustomer.body.code]).toEqual([404, 'SB_ERR_CUSTOMER_NOT_FOUND']);
    // An agent opens cases from their own call, not free-standing.
    const noCall = await h.http.post('/api/cases').set(agent).send(complaint);
    expect([noCall.status, noCall.body.code]).toEqual([400, 'SB_ERR_CASE_INTERACTION_INVALID']);

    const opened = (await h.http.post('/api/cases').set(sup).send(complaint).expect(201)).body;
    expect(opened).toMatchObject({ status: 'open', kind: 'complaint', category: 'fees', severity: 'medium', products: ['CC-GOLD'], channel: 'api', at_risk: false });
    expect(opened.case_no).toMatch(/^CS-2026-\d{6}$/);
    // The default fee target: acknowledged in 2 and resolved in 24 working hours (12 a day): Friday 10:00.
    // (The clock runs on a few seconds while the app starts.)
    expect(opened.ack_due_at).toMatch(/^2026-11-18T04:00:[0-5]/);
    expect(opened.sla_due_at).toMatch(/^2026-11-20T02:00:[0-5]/);
    const step = (body: Record<string, unknown>, who = sup) => h.http.post(`/api/cases/${opened.id}/transition`).set(who).send(body);

    for (const action of ['close', 'start', 'resolve', 'reopen']) {
      const r = await step({ action, result: 'done' });
      expect([action, r.status, r.body.code]).toEqual([action, 409, 'SB_ERR_CASE_TRANSITION_INVALID']);
    }
    expect((await step({ action: 'assign', owner_id: 999999 })).body.code).toBe('SB_ERR_CASE_OWNER_INVALID');
    clock.advance(600);
    expect((await step({ action: 'assign', owner_id: agentId }).expect(200)).body).toMatchObject({ status: 'assigned', owner_id: agentId });
    // Someone else's case is not another agent's to work.
    expect((await step({ action: 'start' }, other)).status).toBe(403);
    expect((await h.http.get(`/api/cases/${opened.id}`).set(other)).status).toBe(403);
    expect((await step({ action: 'start' }, agent).expect(200)).body.status).toBe('in_progress');
    const noResult = await step({ action: 'resolve' }, agent);
    expect([noResult.status, noResult.body.code]).toEqual([400, 'SB_ERR_CASE_RESULT_REQUIRED']);
    expect((await h.http.get(`/api/cases/${opened.id}`).set(sup).expect(200)).body.status).toBe('in_progress');
    const resolved = (await step({ action: 'resolve', result: 'Second fee refunded' }, agent).expect(200)).body;
    expect(resolved).toMatchObject({ status: 'resolved', result: 'Second fee refunded' });
    // Not closed before the customer has been told the result.
    expect((await step({ action: 'close' })).body.code).toBe('SB_ERR_CASE_TRANSITION_INVALID');

    // The feedback contact is the owner's task; it records the customer's satisfaction.
    const tasks = (await h.http.get('/api/tasks').set(agent).expect(200)).body.tasks.filter((x: any) => x.case_id === opened.id);
    expect(tasks).toEqual([expect.objectContaining({ kind: 'feedback', state: 'open', assignee_id: agentId, case_no: opened.case_no })]);
    const feedback = tasks[0];
    expect((await h.http.post(`/api/tasks/${feedback.id}/complete`).set(other).send({ satisfaction: 4 })).status).toBe(403);
    const noScore = await h.http.post(`/api/tasks/${feedback.id}/complete`).set(agent).send({});
    expect([noScore.status, noScore.body.code]).toEqual([400, 'SB_ERR_TASK_SATISFACTION_REQUIRED']);
    const badScore = await h.http.post(`/api/tasks/${feedback.id}/complete`).set(agent).send({ satisfaction: 9 });
    expect(badScore.body.code).toBe('SB_ERR_REQUEST_INVALID');
    expect((await h.http.post(`/api/tasks/${feedback.id}/complete`).set(agent).send({ satisfaction: 2 }).expect(200)).body).toMatchObject({ state: 'done', satisfaction: 2 });
    expect((await h.http.post(`/api/tasks/${feedback.id}/complete`).set(agent).send({ satisfaction: 2 })).body.code).toBe('SB_ERR_TASK_STATE_INVALID');
    const contacted = (await h.http.get(`/api/cases/${opened.id}`).set(sup).expect(200)).body;
    expect(contacted).toMatchObject({ status: 'feedback_contacted', satisfaction: 2 });
    // A low score opens a follow-up for the owner.
    expect(contacted.tasks).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'follow_up', state: 'open', assignee_id: agentId })]));

    expect((await step({ action: 'close' }).expect(200)).body).toMatchObject({ status: 'closed' });
    const reopened = (await step({ action: 'reopen', note: 'Charged again' }).expect(200)).body;
    expect(reopened).toMatchObject({ status: 'in_progress', reopened: 1, closed_at: null, owner_id: agentId });

    expect(reopened.events.map((e: any) => [e.type, e.from_status, e.to_status, e.actor])).toEqual([
      ['opened', null, 'open', 'supervisor1'],
      ['assigned', 'open', 'assigned', 'supervisor1'],
      ['started', 'assigned', 'in_progress', 'agent1'],
      ['resolved', 'in_progress', 'resolved', 'agent1'],
      ['feedback_contacted', 'resolved', 'feedback_contacted', 'agent1'],
      ['closed', 'feedback_contacted', 'closed', 'supervisor1'],
      ['reopened', 'closed', 'in_progress', 'supervisor1'],
    ]);
    // When: the bank's clock (ten minutes after opening for the assignment).
    const assignedAt = new Date(reopened.events[1].at).getTime() - new Date(WEDNESDAY_10).getTime();
    expect(assignedAt).toBeGreaterThanOrEqual(600_000);
    expect(assignedAt).toBeLessThan(660_000);
    // The supervisors' case queue lists the active case.
    expect((await h.http.get('/api/cases').query({ status: 'active', customer_id: 3 }).set(sup).expect(200)).body.cases.map((c: any) => c.id)).toContain(opened.id);
    expect((await h.http.get('/api/cases').set(agent)).status).toBe(403);
  });
});

describe('a case from a call', () => {
  it('an agent opens a complaint on the call: it is on the call\'s timeline, the wrap-up logs it, and the next pop shows it with its SLA; follow-up makes a task', async () => {
    // The real clock: the pop reads the seeded bank, whose dates are relative to today.
    const h = await startHotline({ ROUTING_SWEEP_MS: '200', ROUTING_OFFER_SECONDS: '5' });
    t = h;
    const who = await tokenFor(h.app, h.db, 'agent1');
    const agent = await connectAgent(h.url, who.token, who.id, { heartbeatMs: 2000 });
    consoles.push(agent);
    await agent.next('agent:restore');
    await agent.request('state:set', { state: 'available' });
    const headers = { Authorization: `Bearer ${who.token}` };

    async function call() {
      const c = h.sim.dial({ from: GOLD, to: HOTLINE });
      for (const keys of ['1', '0']) {
        await c.waitFor('gathering');
        await c.press(keys);
      }
      const offer = await agent.next('call:offered', undefined, 15_000);
      await agent.request('call:accept', { entry_id: offer.entry_id });
      await agent.next('call:connected', undefined, 15_000);
      return { c, offer };
    }
    async function hangUp() {
      await agent.request('call:end');
      await agent.next('agent:state', (s) => s.state === 'wrap_up');
    }

    const first = await call();
    expect(first.offer.customer_id).toBe(3);
    const opened = (await h.http.post('/api/cases').set(headers).send({ ...complaint, interaction_id: first.offer.interaction_id }).expect(201)).body;
    expect(opened).toMatchObject({ channel: 'phone', interaction_id: first.offer.interaction_id, status: 'open' });
    // The pop on the agent's screen refreshes with the new case.
    const updated = await agent.next('profile:updated', (p) => p.profile.open_complaints.some((x: any) => x.case_no === opened.case_no));
    expect(updated.entry_id).toBe(first.offer.entry_id);
    await hangUp();
    await agent.request('wrapup:complete', { disposition: 'complaint_logged', reason_codes: ['fee_dispute'] });
    const { events } = await timelineOf(h, first.c.sid);
    const opening = events.find((e) => e.type === 'case_opened');
    expect(opening?.data).toMatchObject({ case_no: opened.case_no, kind: 'complaint', category: 'fees', by: 'agent1' });
    expect(events.find((e) => e.type === 'wrapup')?.data).toMatchObject({ disposition: 'complaint_logged' });

    // The caller rings again: the pop lists the case with its SLA due time.
    await agent.next('agent:state', (s) => s.state === 'available');
    const second = await call();
    const shown = second.offer.profile.open_complaints.find((x: any) => x.case_no === opened.case_no);
    expect(shown).toMatchObject({ case_id: opened.id, kind: 'complaint', status: 'open', sla_due_at: opened.sla_due_at, overdue: false, escalated: false });
    expect(shown.due_in_s).toBeGreaterThan(0);
    await hangUp();
    // Complaint logged with no complaint opened on this call: refused, the wrap-up stays open.
    await expect(agent.request('wrapup:complete', { disposition: 'complaint_logged' })).rejects.toThrow('SB_ERR_CASE_REQUIRED');
    await agent.request('wrapup:complete', { disposition: 'follow_up', reason_codes: ['send_statement'] });
    const tasks = (await h.http.get('/api/tasks').set(headers).expect(200)).body.tasks;
    const follow = tasks.find((x: any) => x.interaction_id === second.offer.interaction_id);
    expect(follow).toMatchObject({ kind: 'follow_up', state: 'open', assignee_id: who.id, reason: 'send_statement', customer_id: 3 });
    expect((await timelineOf(h, second.c.sid)).events.map((e) => e.type)).toContain('follow_up_task');
  });
});

describe('case SLA', () => {
  it('counts working hours of the bank calendar: a case opened on Friday evening is due on Monday', async () => {
    // Friday 2026-11-20 18:30 in Shanghai: an hour and a half left that day (the clock runs on a few seconds while the app starts).
    t = await startTestApp({ CASE_SLA: '*=1/4' }, { now: clockFrom('2026-11-20T10:30:00Z').now });
    const body = (await t.http.post('/api/cases').set(await t.auth('supervisor1')).send({ ...complaint, kind: 'suggestion', category: 'service' }).expect(201)).body;
    expect(body.ack_due_at).toMatch(/^2026-11-20T11:30:[0-5]/); // Friday 19:30
    expect(body.sla_due_at).toMatch(/^2026-11-23T02:30:[0-5]/); // 1 h 30 on Friday, 2 h 30 on Monday: 10:30
  });

  it('a case at risk raises a supervisor alert and is escalated to a supervisor once, not every sweep; resolving it clears the alert', async () => {
    const clock = clockFrom(WEDNESDAY_10);
    t = await startTestApp({ CASE_SLA: '*=1/4', CASE_SWEEP_MS: '200', WALLBOARD_TICK_MS: '1000' }, { now: clock.now });
    const h = t;
    const sup = await h.auth('supervisor1');
    const agentId = await userId(h, 'agent1');
    const opened = (await h.http.post('/api/cases').set(sup).send(complaint).expect(201)).body;
    await h.http.post(`/api/cases/${opened.id}/transition`).set(sup).send({ action: 'assign', owner_id: agentId }).expect(200);
    await h.http.post(`/api/cases/${opened.id}/transition`).set(await h.auth('agent1')).send({ action: 'start' }).expect(200);
    // Sweeps before the risk point change nothing.
    await new Promise((r) => setTimeout(r, 800));
    expect((await h.http.get(`/api/cases/${opened.id}`).set(sup).expect(200)).body.escalated_at).toBeNull();

    // 3 h 30 of the 4 h target gone (past 80 %): at risk.
    clock.advance(3.5 * 3600);
    const escalated = await until('the case escalated', async () => {
      const c = (await h.http.get(`/api/cases/${opened.id}`).set(sup).expect(200)).body;
      return c.escalated_at && c;
    });
    const supervisorId = await userId(h, 'supervisor1');
    expect(escalated).toMatchObject({ owner_id: supervisorId, status: 'in_progress', at_risk: true });
    const alert = await until('the at-risk alert', async () => {
      const { alerts } = (await h.http.get('/api/alerts').query({ open: true }).set(sup).expect(200)).body;
      return alerts.find((a: any) => a.kind === 'case_at_risk' && a.subject === `case:${opened.id}`);
    });
    expect(alert).toMatchObject({ severity: 'warning', data: { case_no: opened.case_no, category: 'fees' } });
    expect((await h.http.get('/api/cases').query({ at_risk: true, customer_id: 3 }).set(sup).expect(200)).body.cases.map((c: any) => c.id)).toEqual([opened.id]);

    // More sweeps: still one escalation.
    await new Promise((r) => setTimeout(r, 1000));
    const again = (await h.http.get(`/api/cases/${opened.id}`).set(sup).expect(200)).body;
    const escalations = again.events.filter((e: any) => e.type === 'escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ actor: 'system', data: { reason: 'resolve_at_risk', from_owner_id: agentId, owner_id: supervisorId } });

    await h.http.post(`/api/cases/${opened.id}/transition`).set(sup).send({ action: 'resolve', result: 'Refunded' }).expect(200);
    await until('the alert cleared', async () => {
      const { alerts } = (await h.http.get('/api/alerts').query({ open: true }).set(sup).expect(200)).body;
      return !alerts.some((a: any) => a.subject === `case:${opened.id}`);
    });
  });
});
