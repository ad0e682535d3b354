import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createDataOutService } from '../../server/modules/data-out/data-out-service.js';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { appendEvents } from '../../server/modules/interactions/interactions-repository.js';
import { tokenFor } from '../helpers/agents.js';
import { dialToQueue, hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, timelineOf } from '../helpers/hotline.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { clockFrom, until } from '../helpers/wait.js';

let t: TestApp | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** Reads a log from `after` until a page comes back empty: every row once, and the cursor to go on from. */
async function drain(app: TestApp, log: string, auth: Record<string, string>, after: string | null) {
  const rows: { id: number; type: string }[] = [];
  let cursor = after;
  for (;;) {
    const res = await app.http.get(`/api/data-out/${log}`).query({ limit: 50, ...(cursor ? { after: cursor } : {}) }).set(auth).expect(200);
    rows.push(...res.body.rows);
    cursor = res.body.next;
    if (!res.body.more) return { rows, cursor };
  }
}

async function newInteraction(db: Knex): Promise<string> {
  const id = randomUUID();
  await db('interactions').insert({ id, channel: 'phone', direction: 'inbound', call_sid: null, ani_masked: '138****0000', dnis: HOTLINE, language: 'zh', started_at: new Date() });
  return id;
}

describe('data out: the logs by cursor', () => {
  it('pages the interaction log with no gap and no repeat while writers commit out of order', async () => {
    t = await startTestApp();
    const admin = await t.auth('admin');
    const start = await drain(t, 'interaction-events', admin, null);
    const interaction = await newInteraction(t.db);

    // A writer that took its id first but commits last: nothing after it is handed out before it is.
    const slow = await t.db.transaction();
    await appendEvents(slow, interaction, [{ type: 'slow_write' }]);
    await appendEvents(t.db, interaction, [{ type: 'quick_write' }]);
    const meanwhile = await drain(t, 'interaction-events', admin, start.cursor);
    expect(meanwhile.rows).toEqual([]);
    expect(meanwhile.cursor).toBe(start.cursor);
    await slow.commit();
    const after = await until('both writes read', async () => {
      const page = await drain(t!, 'interaction-events', admin, start.cursor);
      return page.rows.length >= 2 && page;
    });
    expect(after.rows.map((r) => r.type)).toEqual(['slow_write', 'quick_write']);

    // Four writers, 40 transactions each, while a reader pages on: each event exactly once.
    let cursor = after.cursor;
    const seen: number[] = [];
    let writing = true;
    const writers = Promise.all([0, 1, 2, 3].map(async (w) => {
      for (let i = 0; i < 40; i++) {
        await t!.db.transaction(async (trx) => {
          await appendEvents(trx, interaction, [{ type: 'load', data: { w, i } }]);
          if (i % 3 === w % 3) await sleep(3); // some transactions stay open a little while others commit
        });
      }
    })).finally(() => { writing = false; });
    while (writing) {
      const page = await drain(t, 'interaction-events', admin, cursor);
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.cursor;
    }
    await writers;
    // The last rows show once every older transaction on the server has ended (other tests' too).
    await until('every written event read', async () => {
      const page = await drain(t!, 'interaction-events', admin, cursor);
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.cursor;
      return seen.length >= 160;
    });
    expect(seen).toHaveLength(160);
    expect(new Set(seen).size).toBe(160);

    // The reads are audited as bulk reads by whom; a cursor the log never gave out is a coded 400; agents may not read.
    const audited = await t.db('audit_log').where({ action: 'data_out.read' }).count<{ count: string }[]>('* as count').first();
    expect(Number(audited!.count)).toBeGreaterThan(3);
    const bad = await t.http.get('/api/data-out/interaction-events').query({ after: 'bm90LWEtY3Vyc29y' }).set(admin);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('SB_ERR_CURSOR_INVALID');
    expect((await t.http.get('/api/data-out/interaction-events').set(await t.auth('agent1'))).status).toBe(403);
    expect((await t.http.get('/api/data-out/interaction-events').query({ limit: 5000 }).set(admin)).status).toBe(400);

    // Cases' log too: opening a case is read on from the end of it.
    const cases = await drain(t, 'case-events', admin, null);
    const opened = await t.http.post('/api/cases').set(await t.auth('supervisor1'))
      .send({ customer_id: 3, kind: 'complaint', category: 'service', summary: 'Waited too long on the line' });
    expect(opened.status).toBe(201);
    const more = await until('the case event final', async () => {
      const page = await drain(t!, 'case-events', admin, cases.cursor);
      return page.rows.length > 0 && page;
    });
    expect(more.rows.map((r) => r.type)).toEqual(['opened']);
  });
});

describe('data out: the daily export files', () => {
  it("writes each day's files once the day is over: every row of the log once across them, nothing before a quarter past midnight", async () => {
    t = await startTestApp();
    const dir = mkdtempSync(path.join(tmpdir(), 'export-'));
    // 00:20 in Shanghai on 19 November: the 18th is over.
    const clock = clockFrom('2026-11-18T16:20:00Z');
    const dataOut = createDataOutService({ db: t.db, log: pino({ level: 'silent' }), exportDir: dir, now: clock.now, policy: { maxAttempts: 3, retrySeconds: 1, timeoutMs: 1000 } });
    await appendEvents(t.db, await newInteraction(t.db), [{ type: 'day_one' }]);
    const admin = await t.auth('admin');
    const whole = await until('the event final', async () => {
      const all = await drain(t!, 'interaction-events', admin, null);
      return all.rows.at(-1)?.type === 'day_one' && all;
    });

    expect((await dataOut.exportDaily()).map((f) => path.basename(f))).toEqual(['interaction-events-2026-11-18.jsonl', 'case-events-2026-11-18.jsonl']);
    const lines = (file: string) => readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number; type: string });
    const first = lines('interaction-events-2026-11-18.jsonl');
    expect(first.map((r) => r.id)).toEqual(whole.rows.map((r) => r.id));
    expect(first.at(-1)!.type).toBe('day_one');
    expect(await dataOut.exportDaily()).toEqual([]); // done for the day

    // The next day: only what was written since.
    const interaction = await newInteraction(t.db);
    await appendEvents(t.db, interaction, [{ type: 'next_day' }]);
    await until('the event final', async () => (await drain(t!, 'interaction-events', admin, whole.cursor)).rows.length === 1);
    clock.advance(86_400);
    expect(await dataOut.exportDaily()).toHaveLength(2);
    expect(lines('interaction-events-2026-11-19.jsonl').map((r) => r.type)).toEqual(['next_day']);
    expect(lines('case-events-2026-11-19.jsonl')).toEqual([]);

    // Before a quarter past midnight nothing is written, and no half-written file is left about.
    clock.advance(86_400 - 10 * 60);
    expect(await dataOut.exportDaily()).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(existsSync(path.join(dir, 'interaction-events-2026-11-20.jsonl'))).toBe(false);
    const audited = await t.db('audit_log').where({ action: 'data_out.export' }).select('details');
    expect(audited.map((a: { details: { file: string } }) => a.details.file)).toEqual(expect.arrayContaining(['interaction-events-2026-11-18.jsonl', 'interaction-events-2026-11-19.jsonl']));
  });
});

describe('data out: where webhooks may point', () => {
  it('with WEBHOOK_ALLOWED_HOSTS, a subscription to any other host is refused with a code', async () => {
    t = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: 'crm.bank.example' });
    const admin = await t.auth('admin');
    const other = await t.http.post('/api/data-out/subscriptions').set(admin).send({ url: 'https://10.0.0.5/admin', events: ['call.offered'] });
    expect(other.status).toBe(400);
    expect(other.body.code).toBe('SB_ERR_WEBHOOK_URL_INVALID');
    expect((await t.http.post('/api/data-out/subscriptions').set(admin).send({ url: 'https://user:pw@crm.bank.example/hook', events: ['call.offered'] })).status).toBe(400);
    await t.http.post('/api/data-out/subscriptions').set(admin).send({ url: 'https://CRM.bank.example/hook', events: ['call.offered'] }).expect(201);
  });
});

const floor = hotlinePerTest();
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;

interface Received { path: string; body: Record<string, unknown>; headers: IncomingMessage['headers']; raw: string }

/** A CRM's receiver: `/crm` fails its first two requests, `/down` fails until told otherwise. */
async function receiver() {
  const got: Received[] = [];
  const state = { crmFailures: 2, downHealthy: false };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      got.push({ path: req.url!, body: JSON.parse(raw), headers: req.headers, raw });
      const fail = req.url === '/crm' ? state.crmFailures-- > 0 : !state.downHealthy;
      res.writeHead(fail ? 503 : 204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { got, state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('data out: call events to a CRM by signed webhook', () => {
  it('a real call reaches the CRM as offered, answered, ended and wrapped up, through failures; a receiver that stays down gets its dead letters', { timeout: 60_000 }, async () => {
    const h = await floor.start({ DATA_OUT_SWEEP_MS: '150', WEBHOOK_RETRY_SECONDS: '1', WEBHOOK_MAX_ATTEMPTS: '3', ROUTING_SWEEP_MS: '200' }, { now: OPEN });
    const admin = await h.auth('admin');
    const crm = await receiver();
    const refused = await h.http.post('/api/data-out/subscriptions').set(admin).send({ url: 'http://crm.example.com/hook', events: ['call.offered'] });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('SB_ERR_WEBHOOK_URL_INVALID');
    const sub = await h.http.post('/api/data-out/subscriptions').set(admin).send({ url: `${crm.url}/crm`, events: ['call.offered', 'call.answered', 'call.ended', 'call.wrapped_up'], description: 'CRM screen pop' }).expect(201);
    const down = await h.http.post('/api/data-out/subscriptions').set(admin).send({ url: `${crm.url}/down`, events: ['call.offered'] }).expect(201);
    expect(sub.body.secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await h.http.get('/api/data-out/subscriptions').set(admin).expect(200)).body.subscriptions.map((s: Record<string, unknown>) => 'secret' in s)).toEqual([false, false]);

    // A GOLD caller (customer 3) answered by agent1, then wrapped up.
    const agent = await floor.online(h, await tokenFor(h.app, h.db, 'agent1'));
    const caller = await dialToQueue(h, '+8613800000003', HOTLINE, ['1', '0']);
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    await agent.request('call:end');
    await agent.next('agent:state', (s) => s.state === 'wrap_up');
    await agent.request('wrapup:complete', { disposition: 'resolved', reason_codes: ['balance_query'], products_discussed: [] });
    const { interaction } = await timelineOf(h, caller.sid);

    // The CRM hears of each event, in spite of failing twice; every request is signed with the secret.
    const delivered = () => new Set(crm.got.filter((g) => g.path === '/crm').map((g) => g.body.event));
    await until('the CRM to get all four events', async () => delivered().size === 4 && crm.got.filter((g) => g.path === '/crm').length >= 6);
    for (const g of crm.got) {
      const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(g.headers['x-switchboard-signature']))!;
      const secret = g.path === '/crm' ? sub.body.secret : down.body.secret;
      expect(mac).toBe(createHmac('sha256', secret).update(`${ts}.${g.raw}`).digest('hex'));
      expect(g.headers['x-switchboard-event']).toBe(g.body.event);
      expect(g.headers['x-switchboard-delivery']).toBe(g.body.delivery_id);
    }
    const byEvent = Object.fromEntries(crm.got.filter((g) => g.path === '/crm').map((g) => [g.body.event, g.body]));
    expect(byEvent['call.offered']).toMatchObject({ interaction_id: interaction.id, customer_id: 3, agent_id: agent.id, entry_id: offer.entry_id });
    expect(byEvent['call.answered']).toMatchObject({ interaction_id: interaction.id, agent_id: agent.id });
    expect(byEvent['call.wrapped_up']).toMatchObject({ disposition: 'resolved', reason_codes: ['balance_query'] });
    const crmDeliveries = await until('every CRM delivery settled', async () => {
      const list = (await h.http.get(`/api/data-out/subscriptions/${sub.body.id}/deliveries`).set(admin).expect(200)).body.deliveries as { state: string; attempts: number }[];
      return list.every((d) => d.state === 'delivered') && list;
    });
    expect(crmDeliveries).toHaveLength(4);
    // Each delivered once; the two failures were retried.
    expect(crmDeliveries.reduce((n, d) => n + d.attempts, 0)).toBe(6);
    expect(crm.got.filter((g) => g.path === '/crm')).toHaveLength(6);

    // The receiver that stays down: three attempts (1 s, then 2 s apart), then the dead letter, which an admin sends again once it is fixed.
    const dead = async () => (await h.http.get(`/api/data-out/subscriptions/${down.body.id}/deliveries`).query({ state: 'dead' }).set(admin)).body.deliveries;
    await until('the dead letter', async () => (await dead()).length === 1);
    const [letter] = await dead();
    expect(letter).toMatchObject({ event: 'call.offered', attempts: 3, last_status: 503, last_error: 'HTTP 503' });
    expect(crm.got.filter((g) => g.path === '/down')).toHaveLength(3);
    crm.state.downHealthy = true;
    expect((await h.http.post('/api/data-out/deliveries/999999/retry').set(admin)).status).toBe(404);
    await h.http.post(`/api/data-out/deliveries/${letter.id}/retry`).set(admin).expect(200);
    await until('the dead letter delivered', async () => (await h.http.get(`/api/data-out/subscriptions/${down.body.id}/deliveries`).set(admin)).body.deliveries[0].state === 'delivered');
    expect((await h.http.post(`/api/data-out/deliveries/${letter.id}/retry`).set(admin)).body.code).toBe('SB_ERR_DELIVERY_NOT_DEAD');

    // Ended: nothing more is queued for it.
    await h.http.delete(`/api/data-out/subscriptions/${down.body.id}`).set(admin).expect(200);
    expect((await h.http.get('/api/data-out/subscriptions').set(admin)).body.subscriptions.find((s: { id: number }) => s.id === down.body.id).active).toBe(false);
  });
});
