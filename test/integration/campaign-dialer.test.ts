import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent, makeAgents } from '../helpers/agents.js';
import { startHotline, type Hotline } from '../helpers/hotline.js';
import { until, zoneAtLocalHour } from '../helpers/wait.js';

// The dialer under load and under failure: predictive pacing against the abandon cap, and a
// worker process killed mid-campaign. Real PostgreSQL, Redis (BullMQ) and the Twilio simulator.

let h: Hotline;
let supervisor: { Authorization: string };
const workers: ChildProcess[] = [];

/** A `npm run worker` process: the dial jobs run there, not in the web node. */
function startWorker(): ChildProcess {
  const env = {
    ...process.env, DATABASE_URL: h.config.DATABASE_URL, REDIS_URL: h.config.REDIS_URL, REDIS_PREFIX: h.config.REDIS_PREFIX,
    TWILIO_ACCOUNT_SID: h.accountSid, TWILIO_AUTH_TOKEN: h.authToken, TWILIO_API_BASE: h.config.TWILIO_API_BASE, PUBLIC_URL: h.url, LOG_LEVEL: 'error', JOBS_STALLED_MS: '1000',
  };
  const w = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  // A web node that plans dials but runs none of them: a separate worker process does.
  // A dial whose worker died between "dialing" and Twilio's answer is given up soon (never re-dialled: max_attempts 1).
  h = await startHotline({ DIALER_TICK_MS: '100', ROUTING_SWEEP_MS: '200', LOG_LEVEL: 'error', RUN_WORKERS: 'false', DIALER_LOST_SECONDS: '5' });
  supervisor = await h.auth('supervisor1');
  startWorker();
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await h?.close();
});

let seq = 0;
/** Customers in a zone where it is midday now, one mobile each. */
async function customers(n: number, tag: string) {
  const tz = zoneAtLocalHour(12);
  const out: { id: number; phone: string }[] = [];
  for (let i = 0; i < n; i++) {
    seq++;
    const [row] = await h.db('customers').insert({
      customer_no: `${tag}${seq}`, gender: 'U', id_type: 'resident_id', id_number: `D${seq}`, region: 'Shanghai', customer_since: '2020-01-01', marketing_consent: true, timezone: tz,
    }).returning('id');
    const phone = `+86137${String(seq).padStart(8, '0')}`;
    await h.db('customer_phones').insert({ customer_id: row.id, phone, kind: 'mobile', is_primary: true });
    out.push({ id: row.id, phone });
  }
  return out;
}

async function campaignFor(list: { id: number }[], body: Record<string, unknown>) {
  const c = (await h.http.post('/api/campaigns').set(supervisor).send({
    name: 'Dialer', purpose: 'care', caller_id: '+864008895500', window_start: '00:00', window_end: '23:59', max_attempts: 1, ...body,
  }).expect(201)).body;
  await h.http.post(`/api/campaigns/${c.id}/list/csv`).set(supervisor).set('Content-Type', 'text/csv').send(['customer_id', ...list.map((x) => x.id)].join('\n')).expect(200);
  return c as { id: number };
}


const stateOf = async (id: number) => (await h.db('campaigns').where({ id }).first()).state as string;

describe('campaign dialer', () => {
  it('paces predictively from the live answer rate and keeps abandoned calls within the cap', { timeout: 90_000 }, async () => {
    const list = await customers(60, 'PRED');
    list.forEach((c, i) => { if (i % 2 === 1) h.sim.setPeer(c.phone, 'busy'); });
    const made = await makeAgents(h.app, h.db, 'pred', 2, { predictive: 1 });
    const consoles = [];
    for (const a of made) {
      const c = await connectAgent(h.url, a.token, a.id, { heartbeatMs: 2000 });
      await c.next('agent:restore');
      c.socket.on('call:connected', () => { void c.request('call:end').catch(() => undefined); });
      c.socket.on('call:ended', () => { void c.request('wrapup:complete', { disposition: 'not_interested', reason_codes: [], products_discussed: [] }).catch(() => undefined); });
      await c.request('state:set', { state: 'available' });
      consoles.push(c);
    }
    const c = await campaignFor(list, { dialing_mode: 'predictive', skill: 'predictive', calls_per_second: 20, max_abandon_rate: 0.1 });
    await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(200);
    await until('the campaign completed', async () => (await stateOf(c.id)) === 'completed', 80_000).catch(async (err) => {
      // What was left open, for the failure message.
      const open = await h.db('campaign_entries').where({ campaign_id: c.id }).whereIn('state', ['pending', 'dialing']).select('id', 'state', 'attempts', 'last_outcome');
      const live = await h.db('dial_attempts').where({ campaign_id: c.id }).whereNot('state', 'ended').select('id', 'state', 'outcome', 'queue_entry_id');
      const agents = await h.db('agents').whereIn('user_id', made.map((a) => a.id)).select('user_id', 'state', 'reason', 'entry_id');
      throw new Error(`${(err as Error).message}: open entries ${JSON.stringify(open)}, live attempts ${JSON.stringify(live)}, agents ${JSON.stringify(agents)}`);
    });
    for (const x of consoles) x.close();

    const p = (await h.http.get(`/api/campaigns/${c.id}/progress`).set(supervisor).expect(200)).body;
    expect(p).toMatchObject({ dialed: 60, remaining: 0 });
    expect(p.humans).toBe(30);
    // The cap holds: abandoned / reached-a-person never above 10 %.
    expect(p.abandon_rate).toBeLessThanOrEqual(0.1);
    // And it really was predictive: once the answer rate was known it dialled ahead of the free agents.
    const overdials = await h.db('dial_attempts').where({ campaign_id: c.id, overdial: true }).count('* as n').first();
    expect(Number(overdials!.n)).toBeGreaterThan(0);
    // Whoever was left without an agent heard who called.
    const abandoned = await h.db('dial_attempts').where({ campaign_id: c.id, outcome: 'abandoned' }).select('call_sid');
    for (const a of abandoned) expect(h.sim.call(a.call_sid)!.heard().join(' ')).toMatch(/示范银行/);
    for (const x of list) expect(h.sim.calls().filter((call) => call.to === x.phone)).toHaveLength(1);
  });

  it('pauses within a second and resumes; a worker killed mid-campaign is replaced without dialling anyone twice', { timeout: 90_000 }, async () => {
    const list = await customers(24, 'KILL');
    for (const x of list) h.sim.setPeer(x.phone, 'busy');
    // Free agents of the skill (busy lines never reach them), so only the rate limit paces.
    const made = await makeAgents(h.app, h.db, 'kill', 6, { resume: 1 });
    await h.db('agents').whereIn('user_id', made.map((a) => a.id)).update({ state: 'available', lease_until: new Date(Date.now() + 3600_000) });
    const c = await campaignFor(list, { dialing_mode: 'progressive', skill: 'resume', calls_per_second: 4 });

    const dialed = async () => Number((await h.db('dial_attempts').where({ campaign_id: c.id }).whereNotNull('dialed_at').count('* as n').first())!.n);
    await h.http.post(`/api/campaigns/${c.id}/start`).set(supervisor).expect(200);
    await until('a few dials', async () => (await dialed()) >= 2);
    await h.http.post(`/api/campaigns/${c.id}/pause`).set(supervisor).expect(200);
    await new Promise((r) => setTimeout(r, 1000));
    const atPause = await dialed();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await dialed()).toBe(atPause);

    await h.http.post(`/api/campaigns/${c.id}/resume`).set(supervisor).expect(200);
    await until('the worker dialling', async () => (await dialed()) >= atPause + 4);
    workers[0]!.kill('SIGKILL');
    startWorker();
    await until('the campaign completed', async () => (await stateOf(c.id)) === 'completed', 60_000);

    // One dial per customer, never two. A dial the killed worker had begun may have been lost
    // before it reached Twilio: given up (and not retried, with max_attempts 1), never sent twice.
    const attempts = await h.db('dial_attempts as a').join('campaign_entries as e', 'e.id', 'a.entry_id').where('a.campaign_id', c.id).whereNot('a.outcome', 'canceled').select('a.entry_id', 'a.outcome', 'e.phone');
    expect(attempts).toHaveLength(24);
    expect(new Set(attempts.map((a) => a.entry_id)).size).toBe(24);
    for (const a of attempts) {
      expect(['busy', 'lost']).toContain(a.outcome);
      expect(h.sim.calls().filter((call) => call.to === a.phone).length).toBeLessThanOrEqual(1);
      if (a.outcome === 'busy') expect(h.sim.calls().filter((call) => call.to === a.phone)).toHaveLength(1);
    }
    expect(attempts.filter((a) => a.outcome === 'busy').length).toBeGreaterThanOrEqual(24 - 4); // at most the killed worker's 4 jobs in flight
  });
});
