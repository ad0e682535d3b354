// The IVR webhook turn under load (BENCH_ONLY=ivr-load): autocannon in its own process, 32
// connections, against (a) a bare fastify route returning fixed TwiML, (b) Switchboard in
// real-Twilio mode (signature checked), each call its signed `incoming` with a fresh CallSid then
// the signed `gather` for its step, and (c) the database's ceiling: the statements of a webhook
// turn as one transaction from a minimal pg client in its own process. Also: SQL statements per
// webhook, counted from knex's query events. Figures are printed, never asserted.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import knexPkg from 'knex';
import twilio from 'twilio';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { seedSyntheticBank } from '../server/db/synthetic-bank.js';
import { DEFAULT_TIER_MODEL } from '../server/modules/tiers/tier-model.js';
import { createTiersService } from '../server/modules/tiers/tiers-service.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Its own bank (BENCH_BANK names it), kept between runs: seeding 100,000 customers takes about a minute. */
const BANK = process.env.BENCH_BANK ?? 'sb_bench_ivr_load';
const BANK_URL = (() => { const url = new URL(ADMIN_URL); url.pathname = `/${BANK}`; return url.toString(); })();
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 32);
const POOL = 20;
const HOTLINE = '+864008895555';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

interface Load { rps: number; total: number; p50: number; p99: number; non2xx: number; errors: number; timeouts: number }
interface Ceiling { tps: number; total: number; p50: number; p99: number }

/** Runs a bench child (tsx) with one JSON job; its last stdout line is its JSON result. */
function child<T>(script: string, job: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${script} failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
    });
  });
}

/** The bank: reused when it holds CUSTOMERS customers already, else made afresh. */
async function ensureBank(): Promise<void> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  const exists = (await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [BANK])).rows.length > 0;
  if (exists) {
    const db = knexPkg.knex({ client: 'pg', connection: BANK_URL, pool: { min: 0, max: 1 } });
    const n = await db('customers').count('* as n').first().then((r) => Number(r?.n ?? 0), () => -1);
    await db.destroy();
    if (n === CUSTOMERS) { await admin.destroy(); return; }
    await admin.raw(`DROP DATABASE ${BANK} WITH (FORCE)`);
  }
  await admin.raw(`CREATE DATABASE ${BANK}`);
  await admin.destroy();
  const seedDb = createDb({ DATABASE_URL: BANK_URL } as Parameters<typeof createDb>[0], { poolMax: 10 });
  await seedDb.migrate.latest();
  const t0 = Date.now();
  await seedSyntheticBank(seedDb, { customers: CUSTOMERS, tiers: createTiersService(DEFAULT_TIER_MODEL) });
  console.log(`  (seeded ${CUSTOMERS.toLocaleString('en')} customers in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  await seedDb.destroy();
}

const ms = (x: number) => x.toFixed(x < 10 ? 1 : 0);
const row = (name: string, r: { rps?: number; tps?: number; p50: number; p99: number; non2xx?: number; errors?: number }) =>
  `  ${name.padEnd(34)} ${(r.rps ?? r.tps ?? 0).toFixed(0).padStart(7)} /s   p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms${r.non2xx || r.errors ? `   (${r.non2xx ?? 0} non-2xx, ${r.errors ?? 0} errors)` : ''}`;

export async function benchIvrLoad(): Promise<void> {
  await ensureBank();
  const config = loadConfig({
    DATABASE_URL: BANK_URL, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', JWT_SECRET: randomBytes(24).toString('hex'),
    TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_API_BASE: 'http://127.0.0.1:9',
  });
  const db = createDb(config, { poolMax: POOL });
  await db.migrate.latest();
  const phones: string[] = await db('customer_phones').orderByRaw('random()').limit(5000).pluck('phone');
  const dir = mkdtempSync(join(tmpdir(), 'sb-ivr-load-'));
  const phonesFile = join(dir, 'phones.json');
  writeFileSync(phonesFile, JSON.stringify(phones));

  const bare = Fastify();
  bare.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
  bare.post('/bare', async (_req, reply) => reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response><Say>hello</Say></Response>'));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare`;

  const app = await buildApp(config, { db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const ivrJob = { mode: 'ivr', url: origin, connections: CONNECTIONS, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, hotline: HOTLINE, phonesFile };
  try {
    const perTurn = await countStatements(db, origin, phones);
    await child<Load>('bench/load-generator.ts', { ...ivrJob, seconds: 2 }); // warm-up: JIT, pool, plan caches
    const b = await child<Load>('bench/load-generator.ts', { mode: 'bare', url: bareUrl, connections: CONNECTIONS, seconds: SECONDS });
    const s = await child<Load>('bench/load-generator.ts', { ...ivrJob, seconds: SECONDS });
    await app.close(); // the ceiling has the database to itself
    const c = await child<Ceiling>('bench/pg-ceiling.ts', { databaseUrl: BANK_URL, connections: POOL, seconds: SECONDS, phonesFile });
    console.log(`IVR webhook turn under load (autocannon in its own process, ${CONNECTIONS} connections, ${SECONDS} s a target, ${CUSTOMERS.toLocaleString('en')} customers; each call a signed incoming with a fresh CallSid then the signed gather):`);
    console.log(row('bare fastify, fixed TwiML', b));
    console.log(row('Switchboard, real-Twilio mode', s));
    console.log(row(`pg ceiling (${POOL} connections, tx)`, c));
    console.log(`  Switchboard = 1/${(b.rps / s.rps).toFixed(0)} of bare fastify; ${((100 * s.rps) / c.tps).toFixed(0)} % of the pg ceiling`);
    console.log(`  SQL statements per webhook (incl. BEGIN/COMMIT): incoming ${perTurn.incoming.toFixed(1)}, gather ${perTurn.gather.toFixed(1)}`);
  } finally {
    await bare.close();
    await app.close().catch(() => {});
    await db.destroy();
  }
}

/** Statements a webhook runs, from knex's query events, over a few calls made one at a time. */
async function countStatements(db: ReturnType<typeof createDb>, origin: string, phones: string[]): Promise<{ incoming: number; gather: number }> {
  let count = 0;
  const listener = () => { count++; };
  const post = async (path: string, params: Record<string, string>) => {
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, origin + path, params);
    const res = await fetch(origin + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params) });
    return res.text();
  };
  const CALLS = 20;
  let incoming = 0;
  let gather = 0;
  db.on('query', listener);
  try {
    for (let i = 0; i < CALLS; i++) {
      const params = { CallSid: `CA${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: phones[i]!, To: HOTLINE, Direction: 'inbound', CallStatus: 'ringing', ApiVersion: '2010-04-01' };
      count = 0;
      const body = await post('/twilio/voice/incoming', params);
      await new Promise((r) => setTimeout(r, 20)); // what the turn left for after its commit (routing's kick)
      incoming += count;
      const step = /step=(\d+)/.exec(body)?.[1] ?? '1';
      count = 0;
      await post(`/twilio/voice/gather?step=${step}`, { ...params, CallStatus: 'in-progress', Digits: '1' });
      await new Promise((r) => setTimeout(r, 20));
      gather += count;
    }
  } finally {
    db.removeListener('query', listener);
  }
  return { incoming: incoming / CALLS, gather: gather / CALLS };
}
