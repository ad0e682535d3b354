import { describe, expect, it } from 'vitest';
import { busyAgent, connectAgent, tokenFor } from '../helpers/agents.js';
import { hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE } from '../helpers/hotline.js';
import { until } from '../helpers/wait.js';

const floor = hotlinePerTest();

const TOKEN = 'scrape-me-0123456789abcdef';
const GOLD = '+8613800000003';

/** One sample's value from Prometheus text, by metric name and exact labels; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(\{([^}]*)\})? ([0-9.e+-]+|NaN)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v) && Object.keys(got).length === Object.keys(labels).length) return Number(m[4]);
  }
  return 0;
}

describe('Prometheus /metrics', () => {
  it('is refused without the token and off (coded 404) when no token is configured', async () => {
    const t = await floor.start({ METRICS_TOKEN: TOKEN });
    expect((await t.http.get('/metrics').expect(401)).body.code).toBe('SB_ERR_AUTH_REQUIRED');
    expect((await t.http.get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789ab').expect(401)).body.code).toBe('SB_ERR_AUTH_TOKEN_INVALID');
    // A console user's login token is not a scrape token either.
    expect((await t.http.get('/metrics').set(await t.auth('admin')).expect(401)).body.code).toBe('SB_ERR_AUTH_TOKEN_INVALID');
    await t.close();
    const off = await floor.start();
    expect((await off.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404)).body.code).toBe('SB_ERR_METRICS_DISABLED');
  });

  it('follows a call: waiting by skill and tier, the offer, the accept, agents by state, latencies by route', async () => {
    const h = await floor.start({ METRICS_TOKEN: TOKEN, ROUTING_SWEEP_MS: '200' });
    const scrape = async () => {
      const res = await h.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(res.headers['content-type']).toContain('text/plain');
      return res.text;
    };
    const before = await scrape();

    // A caller waits while nobody is free: the gauge counts them under their skill and tier.
    const who = await tokenFor(h.app, h.db, 'agent1');
    const agent = await connectAgent(h.url, who.token, who.id, { heartbeatMs: 2000 });
    floor.track(agent);
    await agent.next('agent:restore');
    // Someone of the skill is at work (on another call), so the queue is open and the caller waits.
    await busyAgent(h.db, 'metrics', { general: 1 });
    const caller = h.sim.dial({ from: GOLD, to: HOTLINE });
    for (const keys of ['1', '0']) {
      await caller.waitFor('gathering');
      await caller.press(keys);
    }
    await caller.waitFor('queued');
    const entry = await h.db('queue_entries').where({ call_sid: caller.sid }).first('skill', 'tier');
    const waiting = await scrape();
    expect(sample(waiting, 'switchboard_calls_waiting', { skill: entry.skill, tier: 'GOLD' })).toBe(1);
    expect(sample(waiting, 'switchboard_socket_connections', { namespace: 'agent' })).toBe(1);

    await agent.request('state:set', { state: 'available' });
    const offer = await agent.next('call:offered');
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');

    const after = await until('the accept to be counted', async () => {
      const text = await scrape();
      return sample(text, 'switchboard_offer_accepts_total') > sample(before, 'switchboard_offer_accepts_total') ? text : null;
    });
    expect(sample(after, 'switchboard_calls_waiting', { skill: entry.skill, tier: 'GOLD' })).toBe(0);
    expect(sample(after, 'switchboard_offers_total', { kind: 'offer' })).toBe(sample(before, 'switchboard_offers_total', { kind: 'offer' }) + 1);
    expect(sample(after, 'switchboard_agents', { state: 'on_call' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'switchboard_routing_decision_seconds_count', { outcome: 'claimed' })).toBeGreaterThanOrEqual(1);
    // Webhooks by route template, the API by route template: never a URL with a number in it.
    expect(sample(after, 'switchboard_webhook_duration_seconds_count', { route: '/twilio/voice/incoming', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'switchboard_webhook_duration_seconds_count', { route: '/twilio/voice/gather', status_code: '200' })).toBeGreaterThanOrEqual(2);
    await h.http.get('/api/customers/3/profile').query({ purpose: 'call', call_sid: caller.sid }).set({ Authorization: `Bearer ${who.token}` }).expect(200);
    const later = await scrape();
    expect(sample(later, 'switchboard_http_request_duration_seconds_count', { method: 'GET', route: '/api/customers/:id/profile', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(later).not.toContain('8613800000003');
    // This node's own: its database pool, the process's memory; the shared queue of dial jobs.
    expect(later).toMatch(/^switchboard_db_pool_connections\{state="used"\} \d+$/m);
    expect(sample(later, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(later).toMatch(/^switchboard_job_queue_depth\{queue="campaign-dial",state="waiting"\} 0$/m);
    expect(later).toContain('switchboard_callbacks_open');
  });
});
