/* eslint-disable @typescript-eslint/no-explicit-any -- report rows are JSON the tests read field by field */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory, type HistorySummary } from '../../server/db/synthetic-history.js';
import { appendEvents, insertInteraction } from '../../server/modules/interactions/interactions-repository.js';
import { project } from '../../server/modules/reports/reports-projection.js';
import { parseServiceLevels, serviceLevelShare, targetOf } from '../../server/modules/routing/service-levels.js';
import { connectAgent, tokenFor, type AgentClient } from '../helpers/agents.js';
import { HOTLINE, startHotline, timelineOf, type Hotline } from '../helpers/hotline.js';
import { clockFrom } from '../helpers/wait.js';

// A month of synthetic history (October 2026, Shanghai time) on the seeded bank, then every
// figure checked against counts taken straight from interaction_events / agent_state_events.
const FROM = '2026-10-01T00:00:00+08:00';
const TO = '2026-11-01T00:00:00+08:00';
const DAY = 86_400_000;
/** The IVR's clock for the real call: a Wednesday at 10:00 in Shanghai (open hours). Routing runs on the real clock. */
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;

let h: Hotline;
let history: HistorySummary;
let supervisor: { Authorization: string };
const consoles: AgentClient[] = [];

beforeAll(async () => {
  h = await startHotline({ ROUTING_SWEEP_MS: '200' }, { now: OPEN });
  history = await generateHistory(h.db, { days: 31, end: new Date(TO), seed: 7 });
  supervisor = await h.auth('supervisor1');
});
afterAll(async () => {
  for (const c of consoles) c.close();
  await h?.close();
});

const report = async (path: string, query: Record<string, string | number>, who = supervisor) =>
  (await h.http.get(`/api/reports/${path}`).query(query).set(who).expect(200)).body;

const COUNTS = ['offered', 'answered', 'abandoned', 'answered_within_target', 'abandoned_after_target', 'handled', 'transfers',
  'ivr_calls', 'contained', 'fcr_contacts', 'fcr_resolved', 'csat_responses'] as const;
const sums = (rows: any[]) => Object.fromEntries(COUNTS.map((k) => [k, rows.reduce((s, r) => s + r[k], 0)]));

interface Ev { id: number; interaction_id: string; at: Date; type: string; data: any }

/** The raw timeline of every call that started in [from, to), in log order. */
async function rawEvents(from: string, to: string): Promise<Ev[]> {
  return h.db('interaction_events as e')
    .whereIn('e.interaction_id', h.db('interaction_events').where('type', 'started').where('at', '>=', from).where('at', '<', to).select('interaction_id'))
    .orderBy('e.id').select('e.id', 'e.interaction_id', 'e.at', 'e.type', 'e.data');
}

/**
 * The month's figures computed here, in TypeScript, from the raw events: an independent
 * reading of the same definitions (README, Reports) the projection implements in SQL.
 */
function expected(events: Ev[], from: string, to: string) {
  const levels = parseServiceLevels(h.config.SERVICE_LEVELS);
  const inRange = (at: Date) => at >= new Date(from) && at < new Date(to);
  const entries = new Map<string, Ev[]>();
  for (const e of events) {
    if (e.data.entry_id === undefined) continue;
    const key = String(e.data.entry_id);
    if (!entries.has(key)) entries.set(key, []);
    entries.get(key)!.push(e);
  }
  let offered = 0; let answered = 0; let abandoned = 0; let within = 0; let after = 0; let waits = 0; let handled = 0; let handle = 0; let holds = 0; let wraps_ = 0; let transfers = 0;
  for (const evs of entries.values()) {
    const enq = evs.find((e) => e.type === 'entered_queue');
    if (!enq || !inRange(new Date(enq.at))) continue;
    offered++;
    transfers += evs.filter((e) => e.type === 'transferred').length;
    const target = targetOf(levels, enq.data.tier).seconds;
    const conn = evs.find((e) => e.type === 'connected');
    const gone = evs.find((e) => e.type === 'abandoned');
    if (gone) {
      abandoned++;
      if (gone.data.waited_s > target) after++;
    }
    if (!conn) continue;
    answered++;
    waits += conn.data.waited_s;
    if (conn.data.waited_s <= target) within++;
    let heldSince: number | null = null; let hold = 0; let lineEnd: number | null = null; let wrap = 0; let wraps = 0;
    const partEnd = new Map<number, number>();
    for (const e of evs) {
      const t = new Date(e.at).getTime();
      if (e.type === 'held' || e.type === 'consult_started') heldSince ??= t;
      if (['unheld', 'transferred', 'agent_call_ended'].includes(e.type) && heldSince !== null) { hold += t - heldSince; heldSince = null; }
      if (e.type === 'agent_call_ended' || (e.type === 'transferred' && e.data.mode === 'blind')) lineEnd ??= t;
      if (e.type === 'transferred') partEnd.set(Number(e.data.from_agent_id), t);
      if (e.type === 'agent_call_ended') partEnd.set(Number(e.data.agent_id), t);
      if (e.type === 'wrapup' || e.type === 'wrapup_missing') { wrap += t - partEnd.get(Number(e.data.agent_id))!; wraps++; }
    }
    const parts = evs.filter((e) => e.type === 'transferred' || e.type === 'agent_call_ended').length;
    if (lineEnd !== null && wraps >= parts) {
      handled++;
      handle += lineEnd - new Date(conn.at).getTime() + wrap; // talk + hold = the whole line; + wrap-up
      holds += hold;
      wraps_ += wrap;
    }
  }

  const calls = new Map<string, Ev[]>();
  for (const e of events) {
    if (!calls.has(e.interaction_id)) calls.set(e.interaction_id, []);
    calls.get(e.interaction_id)!.push(e);
  }
  let ivrCalls = 0; let contained = 0; let scores = 0; let scoreSum = 0;
  const contacts: { customer: number | null; at: number; reasons: string[] }[] = [];
  for (const evs of calls.values()) {
    ivrCalls++;
    const has = (type: string) => evs.some((e) => e.type === type);
    if (has('self_service') && !has('entered_queue') && !has('callback_requested') && !evs.some((e) => e.type === 'transferred' && e.data.entry_id === undefined)) contained++;
    const survey = evs.filter((e) => e.type === 'survey_score').at(-1);
    if (survey) { scores++; scoreSum += survey.data.score; }
    const who = evs.filter((e) => e.type === 'entered_queue').at(-1)?.data.customer_id ?? evs.filter((e) => e.type === 'identified').at(-1)?.data.customer_id ?? null;
    const reasons = [...new Set(evs.filter((e) => e.type === 'wrapup').flatMap((e) => e.data.reason_codes as string[]))];
    contacts.push({ customer: who, at: new Date(evs.find((e) => e.type === 'started')!.at).getTime(), reasons });
  }
  const judged = contacts.filter((c) => c.customer !== null && c.reasons.length > 0);
  const repeated = judged.filter((c) => judged.some((n) => n.customer === c.customer && n.at > c.at && n.at <= c.at + 7 * DAY && n.reasons.some((r) => c.reasons.includes(r))));
  return {
    offered, answered, abandoned, answered_within_target: within, abandoned_after_target: after, transfers, handled,
    service_level: serviceLevelShare(within, answered, after), asa_s: waits / answered, aht_s: handle / 1000 / handled,
    hold_s: holds / 1000 / handled, wrap_s: wraps_ / 1000 / handled,
    ivr_calls: ivrCalls, contained, csat_responses: scores, csat_avg: scoreSum / scores,
    fcr_contacts: judged.length, fcr_resolved: judged.length - repeated.length,
  };
}

describe('reports', () => {
  it('a month of history reconciles with raw counts from the interaction timeline', async () => {
    expect(history.interactions).toBeGreaterThan(3000);
    const month = await report('contacts', { from: FROM, to: TO, interval: 'month' });
    expect(month.rows).toHaveLength(1);
    const row = month.rows[0];
    const want = expected(await rawEvents(FROM, TO), FROM, TO);
    // Every kind of case occurs, so none of the figures below is trivially zero.
    for (const k of ['abandoned', 'abandoned_after_target', 'transfers', 'contained', 'csat_responses'] as const) expect(want[k], k).toBeGreaterThan(0);
    expect(want.fcr_resolved).toBeLessThan(want.fcr_contacts);
    for (const k of [...COUNTS]) expect(row[k], k).toBe(want[k]);
    expect(row.offered).toBe(history.visits);
    expect(row.ivr_calls).toBe(history.interactions);
    expect(row.service_level).toBeCloseTo(want.service_level!, 4);
    expect(row.asa_s).toBeCloseTo(want.asa_s, 1);
    expect(row.aht_s).toBeCloseTo(want.aht_s, 0);
    expect(row.aht_s).toBeCloseTo(row.talk_s + row.hold_s + row.wrap_s, 0);
    expect(want.hold_s).toBeGreaterThan(0);
    expect(row.hold_s).toBeCloseTo(want.hold_s, 1);
    expect(row.wrap_s).toBeCloseTo(want.wrap_s, 1);
    expect(row.csat_avg).toBeCloseTo(want.csat_avg, 2);
    expect(row.fcr_rate).toBeCloseTo(want.fcr_resolved / want.fcr_contacts, 4);
    expect(row.containment_rate).toBeCloseTo(want.contained / want.ivr_calls, 4);
  });

  it('buckets and groupings add up to the total; buckets start at local midnight, weeks on Monday', async () => {
    const total = sums((await report('contacts', { from: FROM, to: TO, interval: 'month' })).rows);
    const days = (await report('contacts', { from: FROM, to: TO, interval: 'day' })).rows;
    expect(days).toHaveLength(31); // every day, even a quiet one
    expect(sums(days)).toEqual(total);
    for (const d of days) expect(new Date(d.bucket_start).getUTCHours()).toBe(16); // 00:00 in Shanghai
    const weeks = (await report('contacts', { from: FROM, to: TO, interval: 'week' })).rows;
    expect(sums(weeks)).toEqual(total);
    for (const w of weeks) expect(new Date(new Date(w.bucket_start).getTime() + 8 * 3_600_000).getUTCDay()).toBe(1);
    for (const by of ['queue', 'tier', 'agent', 'rm']) {
      const rows = (await report('contacts', { from: FROM, to: TO, interval: 'month', by })).rows;
      expect(sums(rows), by).toEqual(total);
      expect(new Set(rows.map((r: any) => r.key)).size, by).toBe(rows.length);
    }
    const agents = (await report('contacts', { from: FROM, to: TO, interval: 'month', by: 'agent' })).rows;
    expect(agents.find((r: any) => r.key !== null).label).toEqual(expect.any(String));
    // Quarter hours of one day add up to that day.
    const day = days[14];
    const quarters = (await report('contacts', { from: day.bucket_start, to: new Date(new Date(day.bucket_start).getTime() + DAY).toISOString(), interval: '15m' })).rows;
    expect(quarters).toHaveLength(96);
    // Every quarter is labelled with its own start, the quiet night ones too.
    expect(quarters.map((q: any) => Date.parse(q.bucket_start))).toEqual(Array.from({ length: 96 }, (_, i) => Date.parse(day.bucket_start) + i * 900_000));
    expect(sums(quarters)).toEqual(sums([day]));
    // The same month cut in UTC moves calls between days, not in or out of the month's total.
    const utc = (await report('contacts', { from: FROM, to: TO, interval: 'day', tz: 'UTC' })).rows;
    expect(new Date(utc[1].bucket_start).getUTCHours()).toBe(0);
    expect(sums(utc)).toEqual(total);
  });

  it('exports the same rows as CSV, chosen by format=csv or Accept: text/csv', async () => {
    const query = { from: FROM, to: TO, interval: 'week', by: 'agent' };
    const json = await report('contacts', query);
    const res = await h.http.get('/api/reports/contacts').query({ ...query, format: 'csv' }).set(supervisor).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="contacts-agent-week-2026-10-01\.csv"$/);
    const [header, ...lines] = parseCsv(res.text.replace(/^\ufeff/, ''));
    expect(header).toEqual(Object.keys(json.rows[0]));
    expect(lines).toEqual(json.rows.map((r: any) => header!.map((k) => (r[k] === null ? '' : String(r[k])))));
    const byAccept = await h.http.get('/api/reports/agent-states').query({ from: FROM, to: TO, interval: 'week' }).set({ ...supervisor, Accept: 'text/csv' }).expect(200);
    expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);
    expect(parseCsv(byAccept.text.replace(/^\ufeff/, ''))[0]).toContain('on_call_s');
  });

  it('agent-state seconds add up to the time covered and match the raw state log', async () => {
    const states = await report('agent-states', { from: FROM, to: TO, interval: 'day' });
    const first = new Map<number, number>((await h.db('agent_state_events').groupBy('agent_id').select('agent_id', h.db.raw('min(at) AS at')))
      .map((r: any) => [r.agent_id, new Date(r.at).getTime()]));
    const stateKeys = Object.keys(states.rows[0]).filter((k) => k.endsWith('_s'));
    expect(stateKeys).toEqual(expect.arrayContaining(['available_s', 'on_call_s', 'wrap_up_s', 'away_s', 'offline_s', 'reserved_s']));
    for (const r of states.rows) {
      const start = new Date(r.bucket_start).getTime();
      const covered = (Math.min(start + DAY, new Date(TO).getTime()) - Math.max(start, new Date(FROM).getTime(), first.get(r.agent_id)!)) / 1000;
      expect(stateKeys.reduce((s, k) => s + r[k], 0)).toBeCloseTo(covered, 1);
    }
    // One agent's time on calls, straight from the log: each on_call lasts until their next event.
    const agentId = states.rows[0].agent_id;
    const log: { state: string; at: Date }[] = await h.db('agent_state_events').where({ agent_id: agentId }).where('at', '<', TO).orderBy([{ column: 'at' }, { column: 'id' }]).select('state', 'at');
    let onCall = 0;
    for (const [i, e] of log.entries()) if (e.state === 'on_call') onCall += (new Date(log[i + 1]?.at ?? TO).getTime() - new Date(e.at).getTime()) / 1000;
    expect(onCall).toBeGreaterThan(0);
    const reported = states.rows.filter((r: any) => r.agent_id === agentId).reduce((s: number, r: any) => s + r.on_call_s, 0);
    expect(reported).toBeCloseTo(onCall, 1);
    const one = await report('agent-states', { from: FROM, to: TO, interval: 'month', agent_id: agentId });
    expect(one.rows.map((r: any) => r.agent_id)).toEqual([agentId]);
    expect(one.rows[0].on_call_s).toBeCloseTo(onCall, 1);
  });

  it('a repeat call on the same reason within 7 days breaks first-contact resolution', async () => {
    const customer = await h.db('customers').where({ tier: 'GOLD' }).first('id', 'tier', 'rm_id');
    const june = { from: '2026-06-01T00:00:00+08:00', to: '2026-07-01T00:00:00+08:00', interval: 'day' };
    const fcr = async () => {
      const rows = (await report('contacts', june)).rows.filter((r: any) => r.fcr_contacts > 0);
      return rows.map((r: any) => [r.bucket_start.slice(0, 10), r.fcr_contacts, r.fcr_resolved]);
    };
    await answeredCall(customer, '2026-06-02T10:00:00+08:00', ['card_lost']);
    expect(await fcr()).toEqual([['2026-06-01', 1, 1]]);
    // Three days later, on a shared reason: the first call was not resolved after all.
    await answeredCall(customer, '2026-06-05T10:00:00+08:00', ['card_fee', 'card_lost']);
    expect(await fcr()).toEqual([['2026-06-01', 1, 0], ['2026-06-04', 1, 1]]);
    // Fifteen days later (outside the window), and a day after that on another reason: no repeat.
    await answeredCall(customer, '2026-06-20T10:00:00+08:00', ['card_lost']);
    await answeredCall(customer, '2026-06-21T10:00:00+08:00', ['loan_repayment']);
    expect(await fcr()).toEqual([['2026-06-01', 1, 0], ['2026-06-04', 1, 1], ['2026-06-19', 1, 1], ['2026-06-20', 1, 1]]);
  });

  it('counts a real call through the hotline, from the events the services wrote', async () => {
    const agent = await connectAgent(h.url, (await tokenFor(h.app, h.db, 'agent1')).token, (await tokenFor(h.app, h.db, 'agent1')).id);
    consoles.push(agent);
    await agent.next('agent:restore');
    await agent.request('state:set', { state: 'available' });
    const caller = h.sim.dial({ from: '+8613800000003', to: HOTLINE });
    for (const keys of ['1', '0']) {
      await caller.waitFor('gathering');
      await caller.press(keys);
    }
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    await agent.request('call:hold', { hold: true });
    await new Promise((r) => setTimeout(r, 300));
    await agent.request('call:hold', { hold: false });
    await agent.request('call:end');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await caller.waitFor('gathering'); // the survey
    await caller.press('4');
    await agent.request('wrapup:complete', { disposition: 'resolved', reason_codes: ['balance_query'] });
    await caller.waitFor('ended');

    // The IVR's clock says 18 November; routing's says today: the range covers both.
    const range = { from: '2026-11-18T00:00:00+08:00', to: new Date(Date.now() + DAY).toISOString(), interval: 'month' };
    const total = sums((await report('contacts', range)).rows);
    expect(total).toMatchObject({ offered: 1, answered: 1, abandoned: 0, handled: 1, ivr_calls: 1, csat_responses: 1, fcr_contacts: 1, fcr_resolved: 1 });
    const byAgent = (await report('contacts', { ...range, by: 'agent' })).rows;
    expect(byAgent.find((r: any) => r.answered === 1).key).toBe(String(agent.id));
    const { events } = await timelineOf(h, caller.sid);
    const at = (type: string) => new Date((events.find((e) => e.type === type) as any).at).getTime();
    const visit = await h.db('queue_visit_facts').where({ entry_id: offer.entry_id }).first();
    expect(visit.hold_s).toBeCloseTo((at('unheld') - at('held')) / 1000, 3);
    expect(visit.talk_s + visit.hold_s).toBeCloseTo((at('agent_call_ended') - at('connected')) / 1000, 3);
    expect(visit.wrap_s).toBeCloseTo((at('wrapup') - at('agent_call_ended')) / 1000, 3);
  });

  it('the projection is idempotent: rebuilt from nothing, or run on several nodes at once, it gives the same facts', async () => {
    const snapshot = async () => ({
      visits: await h.db('queue_visit_facts').orderBy('entry_id'),
      contacts: await h.db('contact_facts').orderBy('interaction_id'),
    });
    await project(h.db);
    const before = await snapshot();
    await Promise.all([project(h.db), project(h.db), project(h.db)]);
    expect(await snapshot()).toEqual(before);
    await h.db('queue_visit_facts').delete();
    await h.db('contact_facts').delete();
    await h.db('report_watermark').update({ horizon: null });
    // A rebuild this size looks its calls up one by one; a bigger one reads the log in one pass: the same facts either way.
    expect((await project(h.db)).interactions).toBe(before.contacts.length);
    expect(await snapshot()).toEqual(before);
    await h.db('report_watermark').update({ horizon: null });
    await project(h.db, { lookupLimit: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('is for supervisors and admins only', async () => {
    const query = { from: FROM, to: TO, interval: 'month' };
    for (const who of ['agent1', 'rm1'] as const) {
      const res = await h.http.get('/api/reports/contacts').query(query).set(await h.auth(who)).expect(403);
      expect(res.body.code).toBe('SB_ERR_AUTH_FORBIDDEN');
    }
    await h.http.get('/api/reports/agent-states').query(query).set(await h.auth('agent1')).expect(403);
    await h.http.get('/api/reports/contacts').query(query).expect(401);
    await report('contacts', query, await h.auth('admin'));
  });

  it('answers bad ranges and parameters with coded 400s', async () => {
    const bad = async (path: string, query: Record<string, string | number>, status: number, code: string) => {
      const res = await h.http.get(`/api/reports/${path}`).query(query).set(supervisor).expect(status);
      expect(res.body.code, JSON.stringify(query)).toBe(code);
    };
    await bad('contacts', { from: TO, to: FROM, interval: 'day' }, 400, 'SB_ERR_REPORT_RANGE_INVALID');
    await bad('contacts', { from: FROM, to: FROM, interval: 'day' }, 400, 'SB_ERR_REPORT_RANGE_INVALID');
    await bad('contacts', { from: FROM, to: '2026-10-09T00:00:00+08:00', interval: '15m' }, 400, 'SB_ERR_REPORT_RANGE_TOO_LONG');
    await bad('agent-states', { from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z', interval: 'day' }, 400, 'SB_ERR_REPORT_RANGE_TOO_LONG');
    await bad('contacts', { from: FROM, to: TO, interval: 'day', tz: 'Mars/Olympus_Mons' }, 400, 'SB_ERR_REPORT_TIMEZONE_INVALID');
    await bad('contacts', { from: FROM, to: TO, interval: 'day', tz: "UTC'; --" }, 400, 'SB_ERR_REQUEST_INVALID');
    await bad('contacts', { from: FROM, to: TO, interval: 'hour' }, 400, 'SB_ERR_REQUEST_INVALID');
    await bad('contacts', { from: FROM, to: TO, interval: 'day', by: 'colour' }, 400, 'SB_ERR_REQUEST_INVALID');
    await bad('contacts', { from: 'last tuesday', to: TO, interval: 'day' }, 400, 'SB_ERR_REQUEST_INVALID');
    await bad('contacts', { to: TO, interval: 'day' }, 400, 'SB_ERR_REQUEST_INVALID');
    await bad('agent-states', { from: FROM, to: TO, interval: 'day', agent_id: 999_999 }, 404, 'SB_ERR_AGENT_NOT_FOUND');
  });
});

/**
 * A call answered and wrapped up, written with the interactions repository in the shapes the
 * calls, routing and conversation services write (the real path is covered by the hotline test
 * above; this one needs calls on chosen days).
 */
async function answeredCall(customer: { id: number; tier: string; rm_id: number | null }, at: string, reasons: string[]) {
  const id = randomUUID();
  const t = (s: number) => new Date(new Date(at).getTime() + s * 1000);
  const entry = (await h.db.raw(`SELECT nextval('queue_entries_id_seq') AS id`)).rows[0].id as number;
  const agentId = (await tokenFor(h.app, h.db, 'agent2')).id;
  await insertInteraction(h.db, { id, channel: 'phone', direction: 'inbound', call_sid: `CA${id.replace(/-/g, '')}`, ani_masked: '+86 138****0003', dnis: HOTLINE, language: 'zh', started_at: t(0) });
  await appendEvents(h.db, id, [
    { type: 'started', data: { from: '+86 138****0003', to: HOTLINE, flow: 'hotline' }, at: t(0) },
    { type: 'identified', node: 'identify_caller', data: { customer_id: customer.id, tier: customer.tier, method: 'ani' }, at: t(3) },
    { type: 'queued', node: 'queue_cards', data: { skill: 'cards', priority: 0, tier: customer.tier }, at: t(20) },
    { type: 'entered_queue', data: { entry_id: String(entry), skill: 'cards', tier: customer.tier, customer_id: customer.id, rm_id: customer.rm_id, estimated_wait_s: 10 }, at: t(20) },
    { type: 'connected', data: { entry_id: entry, agent_id: agentId, waited_s: 12 }, at: t(32) },
    { type: 'agent_call_ended', data: { entry_id: entry, agent_id: agentId, reason: 'conference_ended' }, at: t(200) },
    { type: 'wrapup', data: { entry_id: entry, agent_id: agentId, disposition: 'resolved', reason_codes: reasons, products_discussed: [], has_notes: false }, at: t(230) },
    { type: 'ended', data: { status: 'completed', duration_s: 210 }, at: t(210) },
  ]);
}

/** RFC 4180, enough for the test: quoted fields with doubled quotes and embedded commas or line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r') continue;
    else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += ch;
  }
  return rows;
}
