// Seed time for a 100,000-customer bank, then caller-ID lookup latency and throughput over HTTP,
// and the built server's memory at rest and under that load, all on the real PostgreSQL. Figures are printed, never asserted.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import knexPkg from 'knex';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { DEMO_PASSWORD, seedSyntheticBank } from '../server/db/synthetic-bank.js';
import { DEFAULT_TIER_MODEL } from '../server/modules/tiers/tier-model.js';
import { createTiersService } from '../server/modules/tiers/tiers-service.js';
import { percentile, simulatorOn } from './stats.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BENCH_DB = 'sb_bench_customers';
/** The 100,000-customer bank this bench leaves behind; the benches after it reuse it. */
export const BENCH_DB_URL = (() => { const url = new URL(ADMIN_URL); url.pathname = `/${BENCH_DB}`; return url.toString(); })();
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
// One agent reads thousands of profiles here: the API's rate limit and the per-user profile-read
// limits (abuse controls, 20 a minute by default) would refuse nearly all of them.
const LOAD_LIMITS = { RATE_LIMIT_MAX: '1000000', PROFILE_VIEWS_PER_MINUTE: '10000', PROFILE_VIEWS_PER_HOUR: '100000' };


export async function benchCustomers(): Promise<void> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${BENCH_DB}`);
  await admin.destroy();
  const config = loadConfig({ DATABASE_URL: BENCH_DB_URL, LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-bench-secret-bench-secret!', ...simulatorOn(BENCH_DB_URL), ...LOAD_LIMITS });

  const db = createDb(config, { poolMax: 20 });
  await db.migrate.latest();
  const started = performance.now();
  await seedSyntheticBank(db, { customers: CUSTOMERS, tiers: createTiersService(DEFAULT_TIER_MODEL) });
  const seedSeconds = (performance.now() - started) / 1000;
  console.log(`seed: ${CUSTOMERS.toLocaleString('en')} customers with holdings, transactions and complaints in ${seedSeconds.toFixed(1)} s (PostgreSQL)`);

  const phones: string[] = await db('customer_phones').orderByRaw('random()').limit(2000).pluck('phone');
  const app = await buildApp(config, { db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent1', password: DEMO_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    const lookup = (i: number) => fetch(`${base}/api/customers/lookup?phone=${encodeURIComponent(phones[i % phones.length]!)}`, { headers });

    for (let i = 0; i < 200; i++) await (await lookup(i)).arrayBuffer(); // warm-up: JIT, pool, caches

    const latencies: number[] = [];
    let next = 0;
    let failures = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const s = performance.now();
        const res = await lookup(i);
        await res.arrayBuffer();
        if (res.status !== 200) failures++;
        latencies.push(performance.now() - s);
      }
    }));
    const elapsed = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(`lookup-by-phone over HTTP (${REQUESTS} requests, ${CONCURRENCY} concurrent, full profile + audit row each, ${CUSTOMERS.toLocaleString('en')} customers):`);
    console.log(`  p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ${(REQUESTS / elapsed).toFixed(0)} req/s, ${failures} non-200`);
  } finally {
    await app.close();
    await db.destroy();
  }
  await benchServerMemory(phones);
}

/**
 * The server's memory as production runs it: the build (`node dist/server/main.js`) as its own
 * process on the seeded 100,000-customer bank, its resident set read from its own /metrics at rest
 * after boot and, sampled every 100 ms, under the same screen-pop (caller-ID lookup) load.
 */
async function benchServerMemory(phones: string[]): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', 'server'], { stdio: 'ignore' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const metricsToken = randomBytes(16).toString('hex');
  const server = spawn(process.execPath, ['dist/server/main.js'], {
    env: {
      PATH: process.env.PATH ?? '', DATABASE_URL: BENCH_DB_URL, ...simulatorOn(BENCH_DB_URL), PORT: String(port), LOG_LEVEL: 'warn',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret!', METRICS_TOKEN: metricsToken, ...LOAD_LIMITS,
    },
    stdio: 'ignore',
  });
  const rss = async () => {
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
  };
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => null))?.ok) break;
      if (i > 600 || server.exitCode !== null) throw new Error('the built server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000)); // boot settles (JIT, pools)
    const atRest = await rss();
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent1', password: DEMO_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    let next = 0;
    let failed = 0;
    let peak = atRest;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rss());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const res = await fetch(`${base}/api/customers/lookup?phone=${encodeURIComponent(phones[i % phones.length]!)}`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    const after = await rss();
    console.log(`server memory (node dist/server/main.js, its own process, ${CUSTOMERS.toLocaleString('en')}-customer bank on PostgreSQL):`);
    console.log(`  RSS ${atRest.toFixed(0)} MB at rest after boot; peak ${peak.toFixed(0)} MB under the screen-pop load (${REQUESTS} lookups, ${CONCURRENCY} concurrent, ${(REQUESTS / seconds).toFixed(0)} req/s, ${failed} non-200); ${after.toFixed(0)} MB after it`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
