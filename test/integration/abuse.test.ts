import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import argon2 from 'argon2';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/synthetic-bank.js';
import { encodeForm } from '../../simulator/util.js';
import { operations, requestsFor, send, sendAll, type FuzzResult } from '../helpers/fuzz.js';
import { startHotline, type Hotline } from '../helpers/hotline.js';
import { startTestApp } from '../helpers/test-app.js';

// The abuse suite: what a hostile or careless client can do to the real app (real PostgreSQL,
// the Twilio simulator over HTTP), and what it must not get.

let h: Hotline;
let supervisor: { Authorization: string };
beforeAll(async () => {
  h = await startHotline({ LOG_LEVEL: 'silent' });
  supervisor = await h.auth('supervisor1');
});
afterAll(async () => { await h?.close(); });

const ROLES = ['admin', 'supervisor1', 'agent1', 'rm1'] as const;
const CALLER_ID = '+864008895500';

async function draftCampaign(extra: Record<string, unknown> = {}) {
  return (await h.http.post('/api/campaigns').set(supervisor).send({ name: 'Care', purpose: 'care', dialing_mode: 'progressive', caller_id: CALLER_ID, ...extra }).expect(201)).body as { id: number; state: string };
}

/** Posts a webhook signed with the account's token, as Twilio does. */
function webhook(path: string, params: Record<string, string>) {
  const signature = twilio.getExpectedTwilioSignature(h.authToken, `${h.url}${path}`, params);
  return h.http.post(path).set('X-Twilio-Signature', signature).type('form').send(encodeForm(params));
}

describe('mass assignment', () => {
  it('a campaign patch writes only the fields a patch may change: state, created_by and created_at are refused', async () => {
    const c = await draftCampaign();
    for (const forged of [{ state: 'running' }, { created_by: 1 }, { created_at: '2020-01-01T00:00:00Z' }, { name: 'ok', state: 'completed' }, { retry_delays: { busy: 600, state: 'running' } }]) {
      const res = await h.http.patch(`/api/campaigns/${c.id}`).set(supervisor).send(forged).expect(400);
      expect(res.body.code).toBe('SB_ERR_REQUEST_INVALID');
    }
    const row = await h.db('campaigns').where({ id: c.id }).first();
    expect(row.state).toBe('draft');
    expect(row.name).toBe('Care');
  });

  it('"Infinity", "-Infinity" and "1e400" never pass a number\'s bounds: the dial rate and abandon cap stay on', async () => {
    const c = await draftCampaign();
    for (const v of ['Infinity', '-Infinity', '1e400', '9'.repeat(400), 'JSON 1e400']) {
      for (const field of ['calls_per_second', 'max_abandon_rate', 'max_attempts', 'ring_seconds']) {
        const res = await h.http.patch(`/api/campaigns/${c.id}`).set(supervisor).send(`{"${field}": ${v === 'JSON 1e400' ? '1e400' : JSON.stringify(v)}}`).type('json').expect(400);
        expect(res.body.code).toBe('SB_ERR_REQUEST_INVALID');
      }
      const q = await h.http.get(`/api/campaigns/${c.id}/entries`).query({ limit: v === 'JSON 1e400' ? '1e400' : v }).set(supervisor).expect(400);
      expect(q.body.code).toBe('SB_ERR_REQUEST_INVALID');
    }
    const row = await h.db('campaigns').where({ id: c.id }).first();
    expect([Number(row.calls_per_second), Number(row.max_abandon_rate)]).toEqual([1, 0.03]);
  });

  it('every number a request may carry has bounds PostgreSQL can hold, and every JSON body refuses unknown keys', () => {
    const spec = h.app.swagger() as { paths: Record<string, Record<string, { parameters?: { name: string; schema: unknown }[]; requestBody?: { content: Record<string, { schema: unknown }> } }>> };
    const problems: string[] = [];
    const walk = (s: unknown, where: string, form: boolean) => {
      if (!s || typeof s !== 'object') return;
      const o = s as Record<string, unknown>;
      if (o.type === 'integer' || o.type === 'number') {
        const max = (o.maximum ?? o.exclusiveMaximum) as number | undefined;
        const min = (o.minimum ?? o.exclusiveMinimum) as number | undefined;
        const limit = o.type === 'integer' ? Number.MAX_SAFE_INTEGER : 1e15;
        if (max === undefined || min === undefined || max > limit || min < -limit) problems.push(`${where}: ${o.type} bounded [${min}, ${max}]`);
      }
      // Twilio adds form parameters without notice: its webhooks stay open; every JSON body is closed.
      if (o.type === 'object' && o.properties && !form && o.additionalProperties !== false) problems.push(`${where}: open object`);
      for (const [k, v] of Object.entries(o)) walk(v, `${where}/${k}`, form);
    };
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) walk(p.schema, `${method} ${path} ${p.name}`, false);
        for (const [type, c] of Object.entries(op.requestBody?.content ?? {})) walk(c.schema, `${method} ${path} body`, type === 'application/x-www-form-urlencoded');
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('bad input is a coded 4xx, never a server error', () => {
  it('a call list sent as JSON (nested arrays) or as a form is refused as unsupported media; as text/csv it is read', async () => {
    const c = await draftCampaign();
    const nested = await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).send([['customer_id'], ['5']]).expect(415);
    expect(nested.body.code).toBe('SB_ERR_REQUEST_UNSUPPORTED_MEDIA');
    const form = await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).type('form').send('customer_id=5').expect(415);
    expect(form.body.code).toBe('SB_ERR_REQUEST_UNSUPPORTED_MEDIA');
    const csv = await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv; charset=utf-8').send('customer_id\n5\n').expect(200);
    expect(csv.body.rows).toBe(1);
  });

  it('NUL bytes, lone surrogates, year 0000 and non-finite numbers are refused by field, before login too', async () => {
    const login = await h.http.post('/api/auth/login').send({ username: 'ad\u0000min', password: DEMO_PASSWORD }).expect(400);
    expect(login.body).toMatchObject({ code: 'SB_ERR_REQUEST_INVALID', details: { field: 'body/username' } });
    const admin = await h.auth('admin');
    const holdings = await h.http.post('/api/customers/5/holdings').set(admin).send({ deposits: [{ account_no: 'ACCT9001', product: 'p\uD800', balance: 1, avg_daily_balance_90d: 1, opened_on: '2020-01-01' }] }).expect(400);
    expect(holdings.body.details).toEqual({ field: 'body/deposits/0/product', message: 'is not well-formed Unicode' });
    const year0 = await h.http.post('/api/customers/5/holdings').set(admin).send({ deposits: [{ account_no: 'ACCT9001', product: 'p', balance: 1, avg_daily_balance_90d: 1, opened_on: '0000-01-01' }] }).expect(400);
    expect(year0.body.code).toBe('SB_ERR_REQUEST_INVALID');
    const past = await h.http.post('/api/customers/5/holdings').set(admin).send({ deposits: [{ account_no: 'ACCT9001', product: 'p', balance: 1e16, avg_daily_balance_90d: 1, opened_on: '2020-01-01' }] }).expect(400);
    expect(past.body.code).toBe('SB_ERR_REQUEST_INVALID');
    const note = await h.http.post('/api/broadcasts').set(supervisor).send({ text: 'jsonb refuses \u0000' });
    expect(note.status).toBe(400);
    const until = await h.http.get('/api/reports/contacts').query({ from: '0000-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }).set(supervisor).expect(400);
    expect(until.body.code).toBe('SB_ERR_REQUEST_INVALID');
  });

  it('a webhook of a campaign call sent to the voice URL is answered, not a server error', async () => {
    const c = await draftCampaign();
    await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv').send('customer_id\n7\n').expect(200);
    const entry = await h.db('campaign_entries').where({ campaign_id: c.id }).first();
    const [attempt] = await h.db('dial_attempts').insert({ campaign_id: c.id, entry_id: entry.id, customer_id: 7, attempt: 1, state: 'dialing', dialed_at: new Date() }).returning('id');
    const callSid = `CA${'c'.repeat(32)}`;
    const call = { CallSid: callSid, AccountSid: h.accountSid, From: CALLER_ID, To: entry.phone, Direction: 'outbound-api' };
    await webhook(`/twilio/voice/outbound/status?purpose=campaign&ref=${attempt.id}`, { ...call, CallStatus: 'ringing', SequenceNumber: '0' }).expect(200);
    const res = await webhook('/twilio/voice/incoming', { ...call, CallStatus: 'in-progress' }).expect(200);
    expect(res.text).toContain('<Response');
  });
});

/** A live call of `username` with a customer, as routing leaves it: the interaction and the agent's queue entry. */
async function liveCall(username: string, customerId: number) {
  const agent = await h.db('users').where({ username }).first('id');
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  const interaction = randomUUID();
  await h.db('interactions').insert({ id: interaction, channel: 'phone', direction: 'inbound', call_sid: callSid, language: 'zh', started_at: new Date(), customer_id: customerId });
  await h.db('queue_entries').insert({ interaction_id: interaction, call_sid: callSid, skill: 'general', language: 'zh', tier: 'GOLD', customer_id: customerId, enqueued_at: new Date(), priority_at: new Date(), state: 'connected', agent_id: agent.id });
  return { callSid, agentId: agent.id as number };
}

const code = (res: { body: { code?: string } }) => res.body.code;

describe('reading customers in bulk', () => {
  it('a profile harvest is stopped by the per-user limit, and supervisors get an alert naming the user', { timeout: 60_000 }, async () => {
    const agent = await h.auth('agent2');
    // The limit counts per clock minute: start early in one, so the harvest below never straddles two.
    const second = new Date().getSeconds();
    if (second > 30) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    // A search by a common surname finds plenty: each hit may be opened, but only so many a minute.
    const found = (await h.http.get('/api/customers/search').query({ name: '王', limit: 50 }).set(agent).expect(200)).body.results as { customer_id: number }[];
    expect(found.length).toBeGreaterThan(h.config.PROFILE_VIEWS_PER_MINUTE);
    const statuses: number[] = [];
    for (const c of found) statuses.push((await h.http.get(`/api/customers/${c.customer_id}/profile`).query({ purpose: 'search' }).set(agent)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(h.config.PROFILE_VIEWS_PER_MINUTE);
    expect(statuses.slice(h.config.PROFILE_VIEWS_PER_MINUTE).every((s) => s === 429)).toBe(true);
    const refused = await h.http.get(`/api/customers/${found.at(-1)!.customer_id}/profile`).query({ purpose: 'search' }).set(agent).expect(429);
    expect(code(refused)).toBe('SB_ERR_CUSTOMER_VIEWS_THROTTLED');
    // Parallel reads are counted too: the counter is one atomic statement, not a read then a write.
    const burst = await Promise.all(found.slice(0, 10).map((c) => h.http.get(`/api/customers/${c.customer_id}/profile`).query({ purpose: 'search' }).set(agent)));
    expect(burst.every((r) => r.status === 429)).toBe(true);
    // The refusals are in the audit log, and the wallboard raises an alert for supervisors.
    const agentId = (await h.db('users').where({ username: 'agent2' }).first('id')).id;
    const throttled = await h.db('audit_log').where({ action: 'customer.view_refused', actor_user_id: agentId }).whereRaw(`details->>'reason' = 'throttled'`).count('* as n').first();
    expect(Number(throttled!.n)).toBe(found.length - h.config.PROFILE_VIEWS_PER_MINUTE + 11);
    await expect.poll(async () => {
      const alerts = (await h.http.get('/api/alerts').query({ open: true }).set(supervisor).expect(200)).body.alerts as { kind: string; subject: string; message: string }[];
      return alerts.find((a) => a.kind === 'profile_harvest' && a.subject === `user:${agentId}`)?.message;
    }, { timeout: 10_000 }).toMatch(/agent2/);
  });

  it('a forged purpose is refused and audited: someone else\'s call, a call with another customer, a search that never found them, a review by an agent', async () => {
    const agent1 = await h.auth('agent1');
    const theirs = await liveCall('agent2', 11);
    const mine = await liveCall('agent1', 12);
    const forged = [
      { id: 11, q: { call_sid: theirs.callSid } },
      { id: 13, q: { call_sid: mine.callSid } },
      { id: 14, q: { purpose: 'search' } },
      { id: 15, q: {} },
      { id: 16, q: { purpose: 'review' } },
      { id: 17, q: { purpose: 'callback' } },
      { id: 18, q: { purpose: 'call' } },
    ];
    for (const f of forged) {
      const res = await h.http.get(`/api/customers/${f.id}/profile`).query(f.q).set(agent1).expect(403);
      expect(code(res), JSON.stringify(f)).toBe('SB_ERR_CUSTOMER_PURPOSE_UNVERIFIED');
    }
    // What the server can verify is served: the agent's own call with that customer.
    await h.http.get('/api/customers/12/profile').query({ call_sid: mine.callSid }).set(agent1).expect(200);
    const refusals = await h.db('audit_log').where({ action: 'customer.view_refused', actor_user_id: mine.agentId }).orderBy('id');
    expect(refusals.map((r) => [r.customer_id, r.details.reason])).toEqual(forged.map((f) => [f.id, 'purpose_unverified']));
    await expect.poll(async () => {
      const alerts = (await h.http.get('/api/alerts').query({ open: true }).set(supervisor).expect(200)).body.alerts as { kind: string; subject: string; data: { refused: number } }[];
      return alerts.find((a) => a.kind === 'profile_harvest' && a.subject === `user:${mine.agentId}`)?.data.refused;
    }, { timeout: 10_000 }).toBe(forged.length);
    // A supervisor's review is backed by their audited look at the customer's interactions.
    await h.http.get('/api/customers/19/profile').query({ purpose: 'review' }).set(supervisor).expect(403);
    await h.http.get('/api/interactions').query({ customer_id: 19 }).set(supervisor).expect(200);
    await h.http.get('/api/customers/19/profile').query({ purpose: 'review' }).set(supervisor).expect(200);
  });

  it('an RM reads their own book and no one else\'s; staff of a unit read that unit\'s customers', async () => {
    const rm = await h.db('users').where({ username: 'rm1' }).first('id', 'rm_id');
    const own = await h.db('customers').where({ rm_id: rm.rm_id }).first('id');
    const other = await h.db('customers').whereNot({ rm_id: rm.rm_id }).orWhereNull('rm_id').first('id');
    const rmAuth = await h.auth('rm1');
    await h.http.get(`/api/customers/${own.id}/profile`).query({ purpose: 'review' }).set(rmAuth).expect(200);
    expect(code(await h.http.get(`/api/customers/${other.id}/profile`).query({ purpose: 'review' }).set(rmAuth).expect(403))).toBe('SB_ERR_CUSTOMER_OUT_OF_SCOPE');
    expect(code(await h.http.get('/api/interactions').query({ customer_id: other.id }).set(rmAuth).expect(403))).toBe('SB_ERR_CUSTOMER_OUT_OF_SCOPE');
    const searched = (await h.http.get('/api/customers/search').query({ name: '王', limit: 50 }).set(rmAuth).expect(200)).body.results as { customer_id: number }[];
    const books = await h.db('customers').whereIn('id', searched.map((r) => r.customer_id)).pluck('rm_id');
    expect(books.every((b) => b === rm.rm_id)).toBe(true);

    // The bank sets units: supervisor1 works for "north"; customer 21 is a "south" customer, 22 a "north" one.
    await h.db('users').where({ username: 'supervisor1' }).update({ org_unit: 'north' });
    await h.db('customers').where({ id: 21 }).update({ org_unit: 'south' });
    await h.db('customers').where({ id: 22 }).update({ org_unit: 'north' });
    try {
      expect(code(await h.http.get('/api/interactions').query({ customer_id: 21 }).set(supervisor).expect(403))).toBe('SB_ERR_CUSTOMER_OUT_OF_SCOPE');
      await h.http.get('/api/interactions').query({ customer_id: 22 }).set(supervisor).expect(200);
      expect(code(await h.http.get('/api/customers/21/profile').query({ purpose: 'review' }).set(supervisor).expect(403))).toBe('SB_ERR_CUSTOMER_OUT_OF_SCOPE');
      await h.http.get('/api/customers/22/profile').query({ purpose: 'review' }).set(supervisor).expect(200);
      // An agent of no unit is not scoped: the bank left them bank-wide.
      expect((await h.http.get('/api/interactions').query({ customer_id: 21 }).set(await h.auth('agent1'))).status).toBe(200);
    } finally {
      await h.db('users').where({ username: 'supervisor1' }).update({ org_unit: null });
    }
  });

  it('bulk lists are audited with whom they showed: interactions with notes, a campaign\'s call list', async () => {
    const supervisorId = (await h.db('users').where({ username: 'supervisor1' }).first('id')).id;
    await liveCall('agent1', 23);
    const list = await h.http.get('/api/interactions').query({ limit: 500 }).set(supervisor).expect(200);
    const audit = await h.db('audit_log').where({ action: 'customer.interactions_list', actor_user_id: supervisorId }).orderBy('id', 'desc').first();
    expect(audit.details.interactions).toBe(list.body.interactions.length);
    expect(audit.details.customer_ids).toContain(23);
    const c = await draftCampaign({ name: 'Audited list' });
    await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv').send('customer_id\n24\n25\n').expect(200);
    await h.http.get(`/api/campaigns/${c.id}/entries`).set(supervisor).expect(200);
    const page = await h.db('audit_log').where({ action: 'campaign.call_list_view', actor_user_id: supervisorId }).orderBy('id', 'desc').first();
    expect(page.details).toMatchObject({ campaign_id: c.id, customer_ids: [24, 25] });
  });
});

describe('a fuzz of every route and webhook from the OpenAPI document', () => {
  it('answers every request, and none with a server error', { timeout: 120_000 }, async () => {
    const spec = h.app.swagger() as Parameters<typeof operations>[0];
    // Signing out last: it ends the sessions the fuzz's bearer tokens belong to.
    const ops = operations(spec).sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));
    expect(ops.length).toBeGreaterThan(40);
    // Ids that exist, so the fuzz reaches the handlers behind "not found".
    const campaign = await draftCampaign({ name: 'Fuzz' });
    const agent = await h.db('users').where({ username: 'agent1' }).first('id');
    const now = Date.now();
    const KNOWN: Record<string, unknown> = {
      phone: '+8613800000001', name: '王', card_last4: undefined, username: 'admin', password: DEMO_PASSWORD,
      from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString(),
      starts_at: new Date(now + 86_400_000).toISOString(), ends_at: new Date(now + 2 * 86_400_000).toISOString(),
      // A PIN enrolment carries a hash made at source, never a PIN.
      pin_hash: await argon2.hash('975310', { type: argon2.argon2id }),
    };
    const known = (name: string, path?: string) => {
      if (path?.startsWith('/api/campaigns/{id}') && name === 'id') return campaign.id;
      if (path?.startsWith('/api/agents/{id}') && name === 'id') return agent.id;
      if (path?.startsWith('/api/customers/{id}') && name === 'id') return 5;
      return KNOWN[name];
    };
    const ctx = { callSid: `CA${'a'.repeat(32)}`, accountSid: h.accountSid, base: h.url, authToken: h.authToken, known };
    const started = Date.now();
    const results: FuzzResult[] = [];
    for (const o of ops) {
      // The first role the route lets in: the fuzz is meant to reach handlers, not the role gate.
      let auth: Record<string, string> = {};
      for (const role of ROLES) {
        auth = await h.auth(role);
        const probe = await send(h.url, requestsFor(o, { ...ctx, auth })[0]!);
        if (probe.status !== 403) break;
      }
      results.push(...(await sendAll(h.url, requestsFor(o, { ...ctx, auth }))));
    }
    const seconds = (Date.now() - started) / 1000;
    const failures = results.filter((r) => r.status === 'no answer' || r.status >= 500).map((r) => `${r.status} ${r.code ?? ''} ${r.label}`);
    const plausible = results.filter((r) => r.label.endsWith(' plausible'));
    // Reached its handler: answered, or refused by the handler for the state of the bank (no such
    // callback, a case in another state) rather than by validation or the gates (400, 401, 403, 413, 415).
    const reached = plausible.filter((r) => typeof r.status === 'number' && (r.status < 400 || [404, 409, 422, 429].includes(r.status))).length;
    console.warn(`fuzz: ${results.length} requests to ${ops.length} operations in ${seconds.toFixed(1)} s; the plausible request of ${reached} reached its handler; ${failures.length} server errors or no answer`);
    expect(failures).toEqual([]);
    // The fuzz is only worth something if it gets past validation: most plausible requests reach their handler.
    expect(reached).toBeGreaterThan(ops.length * 0.7);
  });
});

/** A raw connection that records what the server sent and when it closed. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => { received += d.toString(); });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
  return { socket, closed, text: () => received };
}

describe('slow requests are closed; every route answers', () => {
  it('headers dribbled, bodies half sent and uploads streamed slowly: the first two are closed, the upload is read', { timeout: 60_000 }, async () => {
    const t = await startTestApp({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', LOG_LEVEL: 'silent' }, { listen: true });
    try {
      const port = (t.app.server.address() as { port: number }).port;
      const started = Date.now();
      // Slowloris: a header line every 300 ms, never the blank line that ends them.
      const loris = Array.from({ length: 50 }, () => rawClient(port));
      const drip = setInterval(() => { for (const c of loris) c.socket.write(`X-Slow-${Math.random().toString(36).slice(2)}: 1\r\n`); }, 300);
      for (const c of loris) c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      // Half-sent bodies: 10 of the 100 bytes announced, on a real route.
      const halves = Array.from({ length: 50 }, () => rawClient(port));
      for (const c of halves) c.socket.write('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username');
      // Meanwhile the server serves everyone else.
      await t.http.get('/healthz').expect(200);
      const lorisClosed = await Promise.all(loris.map((c) => c.closed));
      const halvesClosed = await Promise.all(halves.map((c) => c.closed));
      clearInterval(drip);
      // Closed by the server, with Node's 408 or our coded one, well before anyone's patience ran out.
      expect(Math.max(...lorisClosed) - started).toBeLessThan(10_000);
      expect(Math.max(...halvesClosed) - started).toBeLessThan(10_000);
      for (const c of loris) expect(c.text()).toMatch(/^HTTP\/1\.1 408/);
      for (const c of halves) {
        expect(c.text()).toMatch(/^HTTP\/1\.1 408/);
        expect(c.text()).toContain('SB_ERR_REQUEST_TIMEOUT');
      }

      // A call list streamed for longer than HTTP_REQUEST_TIMEOUT_MS is an upload: it has its own, longer deadline.
      const supervisor = await t.auth('supervisor1');
      const c = (await t.http.post('/api/campaigns').set(supervisor).send({ name: 'Slow list', purpose: 'care', dialing_mode: 'progressive', caller_id: CALLER_ID }).expect(201)).body;
      const upload = rawClient(port);
      const lines = ['customer_id', ...Array.from({ length: 30 }, (_v, i) => String(i + 1))].map((l) => `${l}\n`);
      upload.socket.write(`POST /api/campaigns/${c.id}/list/csv HTTP/1.1\r\nHost: x\r\nAuthorization: ${supervisor.Authorization}\r\nContent-Type: text/csv\r\nContent-Length: ${lines.join('').length}\r\nConnection: close\r\n\r\n`);
      for (const line of lines) {
        upload.socket.write(line);
        await new Promise((r) => setTimeout(r, 100));
      }
      await upload.closed;
      expect(upload.text()).toMatch(/^HTTP\/1\.1 200/);
      expect(upload.text()).toContain('"rows":30');
    } finally {
      await t.close();
    }
  });
});
