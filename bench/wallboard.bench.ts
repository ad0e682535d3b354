// Wallboard (issue 6): what one node's tick costs with 500 calls in progress, and whether that cost
// grows with the supervisors watching (it should not: one build and one broadcast a tick). Runs on
// its own copy of the bench bank, like routing.bench.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { io, type Socket } from 'socket.io-client';
import { signIn } from '../test/helpers/agents.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { parseServiceLevels } from '../server/modules/routing/service-levels.js';
import { createSupervisionService } from '../server/modules/supervision/supervision-service.js';
import { buildWallboard } from '../server/modules/supervision/wallboard.js';
import { createVoiceControl } from '../server/modules/telephony/voice-control.js';
import { seeded, spread, withBankCopy } from './routing.bench.js';
import { simulatorOn } from './stats.js';

const SUPERVISORS = 200;
const CONNECTED = 300; // calls talking to an agent
const WAITING = 200; // calls in queue
const AWAY = 100; // agents on a break
const CHURN_MS = 100; // one call answered and one new arrival every CHURN_MS
const TICKS = Number(process.env.BENCH_WALLBOARD_TICKS ?? 30);
const TIERS = ['PRIVATE', 'DIAMOND', 'GOLD', 'STANDARD', 'STANDARD', 'STANDARD', 'STANDARD', 'GOLD'];
const SKILLS = ['general', 'general', 'general', 'cards', 'loans', 'deposits', 'wealth', 'complaints'];

/** 500 calls in progress: CONNECTED with an agent each, WAITING in queue, and AWAY agents on a break. */
async function seedFloor(db: Knex, random: () => number) {
  await db('queue_entries').whereIn('state', ['waiting', 'offered', 'connecting', 'connected']).update({ state: 'abandoned', ended_at: new Date() });
  const now = Date.now();
  const users = await db('users').insert(Array.from({ length: CONNECTED + AWAY }, (_, i) => ({
    username: `wb${i}`, password_hash: 'x', role: 'agent', display_name: `Wallboard ${i}`,
  }))).returning('id') as { id: number }[];
  const entries = async (count: number, state: 'waiting' | 'connected') => {
    const rows = Array.from({ length: count }, () => {
      const enqueued = new Date(now - random() * 300_000);
      return { id: randomUUID(), enqueued, tier: TIERS[Math.floor(random() * TIERS.length)]!, skill: SKILLS[Math.floor(random() * SKILLS.length)]! };
    });
    await db.batchInsert('interactions', rows.map((r) => ({ id: r.id, channel: 'phone', direction: 'inbound', started_at: r.enqueued })), 500);
    // At most a few hundred rows: one statement each.
    return db('queue_entries').insert(rows.map((r) => ({
      interaction_id: r.id, call_sid: `CA${randomBytes(16).toString('hex')}`, skill: r.skill, language: 'zh', tier: r.tier,
      enqueued_at: r.enqueued, priority_at: r.enqueued, state,
      answered_at: state === 'connected' ? new Date(r.enqueued.getTime() + 20_000) : null,
    }))).returning('id') as Promise<{ id: string }[]>;
  };
  const talking = await entries(CONNECTED, 'connected');
  await entries(WAITING, 'waiting');
  const lease = new Date(now + 3_600_000);
  await db.batchInsert('agents', users.map((u, i) => ({
    user_id: u.id, state: i < CONNECTED ? 'on_call' : 'away', reason: i < CONNECTED ? null : 'break', entry_id: i < CONNECTED ? talking[i]!.id : null,
    skills: JSON.stringify({ [SKILLS[i % SKILLS.length]!]: 3, general: 1 }), lease_until: lease, state_since: new Date(now - random() * 600_000),
  })), 500);
}

/** The floor keeps moving: a waiting call is answered (its agent's call) and a new caller arrives. */
function churn(db: Knex, random: () => number): () => Promise<void> {
  let stop = false;
  const done = (async () => {
    while (!stop) {
      await db.raw(`UPDATE queue_entries SET state = 'ended', ended_at = now() WHERE id = (SELECT id FROM queue_entries WHERE state = 'connected' ORDER BY id LIMIT 1)`);
      await db.raw(`UPDATE queue_entries SET state = 'connected', answered_at = now() WHERE id = (SELECT id FROM queue_entries WHERE state = 'waiting' ORDER BY priority_at LIMIT 1)`);
      const id = randomUUID();
      await db('interactions').insert({ id, channel: 'phone', direction: 'inbound', started_at: new Date() });
      await db('queue_entries').insert({
        interaction_id: id, call_sid: `CA${randomBytes(16).toString('hex')}`, skill: SKILLS[Math.floor(random() * SKILLS.length)]!, language: 'zh',
        tier: TIERS[Math.floor(random() * TIERS.length)]!, enqueued_at: new Date(), priority_at: new Date(), state: 'waiting',
      });
      await sleep(CHURN_MS);
    }
  })();
  return async () => {
    stop = true;
    await done;
  };
}

export async function benchWallboard(): Promise<void> {
  console.log('Wallboard');
  await withBankCopy('sb_bench_wallboard', async (url) => {
    const config = loadConfig({
      DATABASE_URL: url, REDIS_URL: process.env.REDIS_URL, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', JWT_SECRET: randomBytes(24).toString('hex'), ...simulatorOn(url),
      // The app's own timers stay out of the way: this bench drives the ticks itself.
      WALLBOARD_TICK_MS: '60000', ROUTING_SWEEP_MS: '60000', AGENT_LEASE_SECONDS: '300',
    });
    const db = createDb(config, { poolMax: 10 });
    await db.migrate.latest();
    const random = seeded(6);
    await seedFloor(db, random);
    const app = await buildApp(config, { db });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const levels = parseServiceLevels(config.SERVICE_LEVELS);
    const supervision = createSupervisionService({
      db, levels, realtime: app.realtime, kick: () => undefined, log: app.log, campaignProgress: async () => [], callbackBacklog: async () => [],
      voice: createVoiceControl({ rest: () => app.telephony.rest, voiceUrl: () => '', holdMusicUrl: config.HOLD_MUSIC_URL }),
      thresholds: { privateWaitSeconds: 10, abandonRate: 0.1, awaySeconds: 900, minCalls: 10 },
    });

    const builds: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await buildWallboard(db, new Date(), levels);
      builds.push(performance.now() - t0);
    }
    console.log(`  build one board (${CONNECTED + WAITING} calls in progress, ${CONNECTED + AWAY} agents): ${spread(builds)}`);

    /** TICKS ticks a second apart under churn, with `watchers` supervisors connected. */
    async function ticks(watchers: number) {
      const token = await signIn(app, (await app.db('users').where({ username: 'supervisor1' }).first('id')).id as number);
      const sockets: Socket[] = [];
      const lags: number[] = [];
      let bytes = 0;
      let received = 0;
      for (let i = 0; i < watchers; i++) {
        const s = io(`${app.telephony.publicUrl()}/supervisor`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
        s.on('wallboard:update', (u: { at: string }) => {
          lags.push(Date.now() - Date.parse(u.at));
          received++;
          if (i === 0) bytes += JSON.stringify(u).length;
        });
        await new Promise<void>((resolve, reject) => { s.once('wallboard:snapshot', () => resolve()); s.once('connect_error', reject); });
        sockets.push(s);
      }
      const stop = churn(db, random);
      const cost: number[] = [];
      for (let i = 0; i < TICKS; i++) {
        const t0 = performance.now();
        await supervision.tick();
        cost.push(performance.now() - t0);
        await sleep(Math.max(0, 1000 - (performance.now() - t0)));
      }
      await stop();
      await sleep(200);
      for (const s of sockets) s.disconnect();
      return { cost, lags, bytes, received };
    }

    for (const watchers of [1, SUPERVISORS]) {
      const r = await ticks(watchers);
      const perSupervisor = r.received / watchers;
      console.log(`  tick with ${watchers} supervisor(s) connected, floor changing every ${CHURN_MS} ms: ${spread(r.cost)}; `
        + `${perSupervisor.toFixed(0)} updates per supervisor in ${TICKS} ticks, ~${Math.round(r.bytes / Math.max(1, perSupervisor))} bytes each; delivery ${spread(r.lags)}`);
    }
    await app.close();
    await db.destroy();
  });
}
