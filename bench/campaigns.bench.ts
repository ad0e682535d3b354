// Outbound campaigns (issue 7): importing and scrubbing a one-million-row call list over HTTP (time,
// and the process's memory while the file streams in), then how closely the dialer holds a
// campaign's calls-per-second. Each part runs on a fresh database of its own, dropped afterwards.
// Figures are printed, never asserted.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import knexPkg, { type Knex } from 'knex';
import { signIn } from '../test/helpers/agents.js';
import { buildApp } from '../server/app.js';
import { loadConfig, type Config } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { percentile, simulatorOn } from './stats.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LIST_DB = 'sb_bench_campaigns_list';
const DIAL_DB = 'sb_bench_campaigns_dial';

// 1. Import: the bank, and the uploaded list.
const LIST_CUSTOMERS = Number(process.env.BENCH_CAMPAIGN_CUSTOMERS ?? 1_000_000);
const LIST_ROWS = Number(process.env.BENCH_CAMPAIGN_ROWS ?? 1_000_000);
/** Shares of the bank, in basis points (1/10,000). */
const NO_CONSENT_BP = 3_000; // 30 % never gave marketing consent
const DNC_FLAG_BP = 150; // 1.5 % flagged do-not-call on their record
const REGISTER_BP = 40; // ~4,000 numbers of customers on the do-not-call register (flag or not)
const REGISTER_STRANGERS = 500; // and numbers on the register that are nobody's in the bank
const RECENT_BP = 20; // ~2,000 customers dialled by another campaign three hours ago
/** Every customer whose id ends in 999 has no phone on record. */
const hasPhone = (id: number) => id % 1000 !== 999;
const phoneOf = (id: number) => `+86139${String(id).padStart(8, '0')}`;
const SAMPLE_MS = 100;

// 2. Dialing rate.
/** 2.5: a rate that is not a whole number of calls a second, as a supervisor may well set. */
const DIAL_RATES = (process.env.BENCH_CAMPAIGN_RATES ?? '2,2.5,5').split(',').map(Number);
const DIAL_SECONDS = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 25);
const DIAL_MODE = (process.env.BENCH_CAMPAIGN_MODE ?? 'progressive') as 'progressive' | 'predictive';
const DIAL_BANK = 3_000;
const DIAL_AGENTS = 100;
const SKILL = 'outbound_bench';
/** The start of the run left out of the steady rate (first pacing ticks, JIT), and its end (the pause). */
const WARM_MS = 2_000;
const COOL_MS = 1_000;
/** How the simulated customers behave: most are busy (the call ends in a second), some ring out, a few answer. */
const behaviourOf = (i: number): 'busy' | 'no-answer' | 'answer' => (i % 20 === 0 ? 'answer' : i % 10 === 5 ? 'no-answer' : 'busy');

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const n = (x: number) => x.toLocaleString('en');

// ---- databases, bank, app ----------------------------------------------------------------------

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(run: (admin: Knex) => Promise<T>): Promise<T> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    return await run(admin);
  } finally {
    await admin.destroy();
  }
}

/** Runs `run` on a new, empty database (the real migrations applied), dropped afterwards. */
async function withFreshDatabase(name: string, env: Record<string, string | undefined>, run: (config: Config, db: Knex) => Promise<void>): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${name}`);
  });
  const config = loadConfig({ DATABASE_URL: urlFor(name), LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', JWT_SECRET: randomBytes(24).toString('hex'), ...(env.TWILIO_ACCOUNT_SID ? {} : simulatorOn(urlFor(name))), ...env });
  const db = createDb(config, { poolMax: 10 });
  try {
    await db.migrate.latest();
    await run(config, db);
  } finally {
    await db.destroy();
    await withAdmin((admin) => admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

interface BankShape { customers: number; noConsentBp: number; dncFlagBp: number; registerBp: number; registerStrangers: number; recentBp: number }

/** A stable pseudo-random 0..9,999 per customer id, one stream per salt. */
const draw = (column: string, salt: number) => `mod(abs(hashint4(${column} + ${salt} * 1000003)::bigint), 10000)`;

/**
 * A bank of customers seeded in a few set-based statements (no holdings: a call list needs only
 * the customer, their phone, consent and do-not-call), with the do-not-call register and one
 * earlier campaign's dials for the scrub to find.
 */
async function seedBank(db: Knex, s: BankShape): Promise<void> {
  await db.raw(`
    INSERT INTO customers (id, customer_no, gender, birth_date, id_type, id_number, language, region, marketing_consent, do_not_call, timezone, customer_since, tier)
    SELECT g, 'C' || lpad(g::text, 10, '0'), CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, date '1950-01-01' + h1::int * 2, 'resident_id',
      '3101' || lpad((g::bigint * 7919 % 100000000000000)::text, 14, '0'), CASE WHEN h2 < 500 THEN 'en' ELSE 'zh' END,
      (ARRAY['Shanghai', 'Beijing', 'Guangdong', 'Zhejiang', 'Jiangsu', 'Sichuan', 'Hubei', 'Fujian'])[1 + g % 8],
      h3 >= ?, h4 < ?, CASE WHEN g % 40 = 0 THEN 'Asia/Hong_Kong' ELSE 'Asia/Shanghai' END, date '2005-01-01' + h1::int / 2,
      CASE WHEN h5 < 100 THEN 'PRIVATE' WHEN h5 < 400 THEN 'DIAMOND' WHEN h5 < 2000 THEN 'GOLD' ELSE 'STANDARD' END
    FROM (SELECT g, ${draw('g', 1)} AS h1, ${draw('g', 2)} AS h2, ${draw('g', 3)} AS h3, ${draw('g', 4)} AS h4, ${draw('g', 5)} AS h5
          FROM generate_series(1, ?) g) x`, [s.noConsentBp, s.dncFlagBp, s.customers]);
  await db.raw(`SELECT setval('customers_id_seq', ?)`, [s.customers]);
  await db.raw(`INSERT INTO customer_phones (customer_id, phone, kind, is_primary)
    SELECT id, '+86139' || lpad(id::text, 8, '0'), 'mobile', true FROM customers WHERE id % 1000 <> 999`);
  if (s.registerBp > 0) {
    await db.raw(`INSERT INTO do_not_call (phone, customer_id, source, added_at)
      SELECT phone, customer_id, 'regulator', now() - interval '30 days' FROM customer_phones WHERE ${draw('customer_id', 6)} < ?`, [s.registerBp]);
  }
  if (s.registerStrangers > 0) {
    await db.raw(`INSERT INTO do_not_call (phone, customer_id, source, added_at)
      SELECT '+86137' || lpad(g::text, 8, '0'), NULL, 'import', now() - interval '30 days' FROM generate_series(1, ?) g`, [s.registerStrangers]);
  }
  if (s.recentBp > 0) {
    const [earlier] = await db('campaigns').insert({
      name: 'Earlier care calls', purpose: 'care', state: 'completed', dialing_mode: 'progressive', caller_id: '+864008895555', skill: 'outbound',
      retry_delays: JSON.stringify({ busy: 900, no_answer: 3600, machine: 14400, failed: 1800, abandoned: 86400 }),
    }).returning('id');
    const campaignId = (earlier as { id: number }).id;
    await db.raw(`INSERT INTO campaign_entries (campaign_id, customer_id, phone, timezone, state, attempts, last_outcome)
      SELECT ?, c.id, p.phone, c.timezone, 'done', 1, 'busy' FROM customers c JOIN customer_phones p ON p.customer_id = c.id WHERE ${draw('c.id', 7)} < ?`, [campaignId, s.recentBp]);
    await db.raw(`INSERT INTO dial_attempts (campaign_id, entry_id, customer_id, attempt, state, queued_at, dialed_at, ended_at, outcome)
      SELECT campaign_id, id, customer_id, 1, 'ended', now() - interval '3 hours', now() - interval '3 hours', now() - interval '3 hours' + interval '20 seconds', 'busy'
      FROM campaign_entries WHERE campaign_id = ?`, [campaignId]);
  }
  await db.raw('ANALYZE');
}

interface Running { app: FastifyInstance; base: string; token: string }

/** The real app on the database, listening (the embedded simulator calls it back), and a supervisor's token. */
async function startApp(config: Config, db: Knex): Promise<Running> {
  const [user] = await db('users').insert({ username: `bench_supervisor_${randomBytes(3).toString('hex')}`, password_hash: 'x', role: 'supervisor', display_name: 'Bench supervisor' }).returning(['id', 'username']);
  const { id } = user as { id: number };
  const app = await buildApp(config, { db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: app.telephony.publicUrl(), token: await signIn(app, id) };
}

async function api<T>(r: Running, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${r.base}${route}`, {
    method, headers: { authorization: `Bearer ${r.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

interface ListResult { rows: number; added: number; duplicates: number; excluded: Record<string, number>; errors: { line: number; message: string }[]; error_count: number }

/** POSTs a CSV body as a stream (chunked from the file or generator, never buffered whole) to the list endpoint. */
function uploadCsv(r: Running, campaignId: number, body: Readable, size?: number): Promise<ListResult> {
  const url = new URL(`${r.base}/api/campaigns/${campaignId}/list/csv`);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${r.token}`, ...(size === undefined ? {} : { 'content-length': String(size) }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`CSV upload: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(JSON.parse(text) as ListResult);
      });
    });
    req.on('error', reject);
    pipeline(body, req).catch(reject);
  });
}

const campaignInput = (name: string, over: Record<string, unknown>) => ({
  name, purpose: 'marketing', dialing_mode: 'progressive', caller_id: '+864008895555', skill: SKILL,
  script: 'Good morning, this is the bank. We have a time-deposit offer for you…', offer: { code: 'TD-3M-2.1', title: '3-month time deposit at 2.10 %', terms: '' },
  window_start: '00:00', window_end: '23:59', ...over,
});

// ---- 1. import + scrub of a million rows -------------------------------------------------------------

interface Planted { rows: number; bad: number; duplicates: number; blankPhone: number; localFormat: number; quoted: number }

/** A stride coprime to `count`: row i lists customer (i * stride mod count) + 1, a scattered order that repeats nobody. */
function strideFor(count: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let s = 7919;
  while (gcd(s, count) !== 1) s += 2;
  return s;
}

/**
 * Writes the list as a marketing team would export it (header customer_no,phone) to `file`, with
 * planted faults: a few hundred bad lines (malformed or missing customer_no, unknown customer, bad
 * phone) and duplicates of customers listed a little earlier. Phones come as E.164, as a local
 * mobile number with spaces, or blank (the phone on record is used); a few fields are quoted.
 */
async function writeList(file: string, rows: number, customers: number): Promise<Planted> {
  const out = createWriteStream(file);
  const planted: Planted = { rows, bad: 0, duplicates: 0, blankPhone: 0, localFormat: 0, quoted: 0 };
  const stride = strideFor(customers);
  const recent = new Int32Array(1024); // the last good customers listed, to duplicate
  let listed = 0;
  let chunk: string[] = ['customer_no,phone'];
  const customerNo = (id: number) => `C${String(id).padStart(10, '0')}`;
  for (let i = 0; i < rows; i++) {
    let line: string;
    if (i % 3331 === 1000) {
      const id = (i % customers) + 1;
      line = [
        `C00#${i},${phoneOf(id)}`, // malformed customer_no
        `,${phoneOf(id)}`, // missing customer_no
        `C9${String(i).padStart(9, '0')},${phoneOf(id)}`, // well-formed, nobody in the bank
        `${customerNo(id)},12345`, // phone too short
        `${customerNo(id)},+86-abc-1234`, // phone not a number
      ][planted.bad % 5]!;
      planted.bad++;
    } else {
      let id: number;
      if (i % 211 === 100 && listed >= recent.length) {
        id = recent[(listed - 500) % recent.length]!;
        planted.duplicates++;
      } else {
        id = ((i * stride) % customers) + 1;
        recent[listed++ % recent.length] = id;
      }
      let phone = phoneOf(id);
      if (!hasPhone(id) || i % 10 === 0) {
        phone = '';
        planted.blankPhone++;
      } else if (i % 10 < 3) {
        phone = `${phone.slice(3, 6)} ${phone.slice(6, 10)} ${phone.slice(10)}`; // "139 0001 2345"
        planted.localFormat++;
      }
      if (i % 997 === 0) {
        line = `"${customerNo(id)}","${phone}"`;
        planted.quoted++;
      } else {
        line = `${customerNo(id)},${phone}`;
      }
    }
    chunk.push(line);
    if (chunk.length >= 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  return planted;
}

interface Sample { at: number; rss: number; heap: number; sent: number; live?: number }
/** Under `node --expose-gc` (NODE_OPTIONS=--expose-gc) every tenth sample first forces a full GC: what is live, not merely not yet collected. */
const forceGc = (globalThis as { gc?: () => void }).gc;

async function benchImport(): Promise<void> {
  await withFreshDatabase(LIST_DB, {}, async (config, db) => {
    let t = performance.now();
    await seedBank(db, { customers: LIST_CUSTOMERS, noConsentBp: NO_CONSENT_BP, dncFlagBp: DNC_FLAG_BP, registerBp: REGISTER_BP, registerStrangers: REGISTER_STRANGERS, recentBp: RECENT_BP });
    const bank = (await db.raw(`SELECT count(*) AS customers, count(*) FILTER (WHERE NOT marketing_consent) AS no_consent, count(*) FILTER (WHERE do_not_call) AS dnc,
      (SELECT count(*) FROM do_not_call) AS register, (SELECT count(DISTINCT customer_id) FROM dial_attempts) AS recent FROM customers`)).rows[0] as Record<string, number>;
    console.log(`campaigns list import: bank of ${n(bank.customers!)} customers seeded set-based in ${((performance.now() - t) / 1000).toFixed(1)} s `
      + `(${n(bank.no_consent!)} without marketing consent, ${n(bank.dnc!)} flagged do-not-call, ${n(bank.register!)} numbers on the register, ${n(bank.recent!)} dialled 3 h ago by another campaign)`);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-list-'));
    const file = path.join(dir, 'list.csv');
    const r = await startApp(config, db);
    try {
      t = performance.now();
      const planted = await writeList(file, LIST_ROWS, LIST_CUSTOMERS);
      const size = statSync(file).size;
      console.log(`  list file: ${n(planted.rows)} rows, ${mb(size)} on disk, written in ${((performance.now() - t) / 1000).toFixed(1)} s; planted ${planted.bad} bad lines, ${n(planted.duplicates)} duplicates, `
        + `${n(planted.blankPhone)} blank phones, ${n(planted.localFormat)} local-format phones, ${planted.quoted} quoted lines`);

      const campaign = await api<{ id: number }>(r, 'POST', '/api/campaigns', campaignInput('Time deposits, spring', {}));
      // Settle what start-up allocated, then sample the whole process (app and uploader) every 100 ms.
      await sleep(1000);
      const baseline = process.memoryUsage();
      const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
      const samples: Sample[] = [];
      const sample = () => {
        const m = process.memoryUsage();
        const s: Sample = { at: performance.now(), rss: m.rss, heap: m.heapUsed, sent: stream.bytesRead };
        if (forceGc && samples.length % 10 === 0) {
          forceGc();
          s.live = process.memoryUsage().heapUsed;
        }
        samples.push(s);
      };
      const timer = setInterval(sample, SAMPLE_MS);
      t = performance.now();
      let result: ListResult;
      try {
        result = await uploadCsv(r, campaign.id, stream, size);
      } finally {
        clearInterval(timer);
        sample();
      }
      const seconds = (performance.now() - t) / 1000;

      const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
      const peakHeap = Math.max(...samples.map((s) => s.heap));
      // RSS as the file went in: memory should level off, not climb with the bytes read.
      const at = (share: number) => samples.find((s) => s.sent >= share * size) ?? samples[samples.length - 1]!;
      const liveAt = (share: number) => samples.find((s) => s.sent >= share * size && s.live !== undefined)?.live;
      const stored = await db('campaign_entries').where({ campaign_id: campaign.id }).count<{ n: string }[]>('* as n').first();
      const excluded = Object.entries(result.excluded).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${n(v)}`).join(', ');
      const totalExcluded = Object.values(result.excluded).reduce((a, b) => a + b, 0);
      // With backpressure the server reads the body as fast as it stores rows: the last byte leaves near the end.
      const sentAt = ((at(1).at - t) / 1000).toFixed(1);
      console.log(`  streamed POST /api/campaigns/:id/list/csv (text/csv, ${mb(size)}): ${n(result.rows)} rows in ${seconds.toFixed(1)} s, ${n(Math.round(result.rows / seconds))} rows/s; `
        + `the whole file was read off the socket ${sentAt} s in, half of it ${((at(0.5).at - t) / 1000).toFixed(1)} s in`);
      console.log(`    added ${n(result.added)} (${n(result.added - totalExcluded)} to dial, ${n(totalExcluded)} kept as excluded: ${excluded}); duplicates ${n(result.duplicates)}; errors ${n(result.error_count)} `
        + `(${result.errors.length} reported, first: ${result.errors.slice(0, 3).map((e) => `line ${e.line} ${e.message}`).join('; ')})`);
      console.log(`    reconciles: rows ${n(result.rows)} = added + duplicates + errors ${n(result.added + result.duplicates + result.error_count)}; `
        + `${n(Number(stored?.n ?? 0))} list entries in the table; planted ${planted.bad} bad / ${n(planted.duplicates)} duplicates`);
      console.log(`    process RSS (app + uploader, sampled every ${SAMPLE_MS} ms, ${samples.length} samples): baseline ${mb(baseline.rss)}, peak ${mb(peak.rss)} (+${mb(peak.rss - baseline.rss)}, at ${Math.round((peak.sent / size) * 100)} % of the file); `
        + `at 25/50/75/100 % of the file read: ${[0.25, 0.5, 0.75, 1].map((s) => mb(at(s).rss)).join(' / ')}; heap used baseline ${mb(baseline.heapUsed)}, peak ${mb(peakHeap)}`
        + (forceGc ? `; live heap after a forced GC at 25/50/75/100 %: ${[0.25, 0.5, 0.75, 1].map((x) => { const live = liveAt(x); return live === undefined ? '-' : mb(live); }).join(' / ')}` : ''));
    } finally {
      await r.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// ---- 2. dialing-rate accuracy --------------------------------------------------------------------

/** Agents of the campaign's skill, logged in and available (a lease far ahead: no console heartbeats here). */
async function insertAgents(db: Knex, count: number): Promise<void> {
  const users = await db('users').insert(Array.from({ length: count }, (_, i) => ({ username: `bench_dialer_${i}`, password_hash: 'x', role: 'agent', display_name: `Dialer agent ${i}` }))).returning('id');
  const now = new Date();
  await db('agents').insert(users.map((u: { id: number }) => ({
    user_id: u.id, state: 'available', state_since: now, idle_since: now, lease_until: new Date(now.getTime() + 86_400_000), skills: JSON.stringify({ [SKILL]: 1 }), languages: ['zh', 'en'],
  })));
}

/** The least-squares slope of dial count over time: the rate, not fooled by where a burst falls against the window's edge. */
function slopePerSecond(times: number[]): number {
  if (times.length < 2) return NaN;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mt = mean(times);
  const mk = (times.length - 1) / 2;
  let num = 0;
  let den = 0;
  times.forEach((x, k) => { num += (x - mt) * (k - mk); den += (x - mt) ** 2; });
  return (num / den) * 1000;
}

/** The most dials in any one-second window (sliding, not whole seconds). */
function maxInAnySecond(times: number[]): number {
  let best = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while (times[to]! - times[from]! >= 1000) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

const pct = (achieved: number, wanted: number) => `${achieved >= wanted ? '+' : ''}${(((achieved - wanted) / wanted) * 100).toFixed(1)} %`;

async function benchDialRate(): Promise<void> {
  const env = { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `bench-campaigns-${process.pid}` };
  await withFreshDatabase(DIAL_DB, env, async (config, db) => {
    const listSize = (rate: number) => Math.max(300, Math.ceil(rate * DIAL_SECONDS * 1.5));
    const total = DIAL_RATES.reduce((sum, rate) => sum + listSize(rate), 0);
    await seedBank(db, { customers: Math.max(DIAL_BANK, total * 2), noConsentBp: NO_CONSENT_BP, dncFlagBp: DNC_FLAG_BP, registerBp: 0, registerStrangers: 0, recentBp: 0 });
    await insertAgents(db, DIAL_AGENTS);
    // Customers every check lets through: consent, no do-not-call, a phone; each campaign gets its own (no one is called by two campaigns a day).
    const eligible: { customer_no: string; phone: string }[] = await db('customers as c').join('customer_phones as p', 'p.customer_id', 'c.id')
      .where('c.marketing_consent', true).where('c.do_not_call', false).orderBy('c.id').limit(total).select('c.customer_no', 'p.phone');
    if (eligible.length < total) throw new Error(`dial bench: only ${eligible.length} eligible customers for ${total} list places`);

    const r = await startApp(config, db);
    const sim = r.app.telephony.simulator;
    if (!sim) throw new Error('dial bench: the embedded simulator is off (TWILIO_* set?)');
    eligible.forEach((c, i) => sim.setPeer(c.phone, behaviourOf(i)));
    console.log(`campaigns dialing rate: ${DIAL_MODE} campaigns, ${DIAL_AGENTS} agents available with the skill (never the limit), embedded simulator playing Twilio `
      + `(customers 85 % busy, 10 % no answer, 5 % answer), dial jobs on ${r.app.jobs.driver === 'bullmq' ? 'BullMQ (Redis)' : 'the in-process driver'}, `
      + `DIALER_TICK_MS ${config.DIALER_TICK_MS}; each runs ${DIAL_SECONDS} s, then is paused; rate from dial_attempts.dialed_at:`);
    let offset = 0;
    try {
      for (const rate of DIAL_RATES) {
        const list = eligible.slice(offset, offset + listSize(rate));
        offset += list.length;
        const campaign = await api<{ id: number }>(r, 'POST', '/api/campaigns', campaignInput(`Pacing at ${rate}/s`, { dialing_mode: DIAL_MODE, calls_per_second: rate, ring_seconds: 15 }));
        const csv = `customer_no,phone\n${list.map((c) => `${c.customer_no},${c.phone}`).join('\n')}\n`;
        const listed = await uploadCsv(r, campaign.id, Readable.from([csv]));
        const started = Date.now();
        await api(r, 'POST', `/api/campaigns/${campaign.id}/start`);
        await sleep(DIAL_SECONDS * 1000);
        // What a supervisor sees just before the pause: the progress API's own rate and ETA.
        const progress = await api<{ dialed: number; remaining: number; dials_per_minute: number; eta_s: number | null }>(r, 'GET', `/api/campaigns/${campaign.id}/progress`);
        const paused = Date.now();
        await api(r, 'POST', `/api/campaigns/${campaign.id}/pause`);
        await sleep(1500); // dial jobs already queued find the pause and give their entry back

        const attempts: { queued_at: Date; dialed_at: Date | null; state: string; outcome: string | null }[] = await db('dial_attempts').where({ campaign_id: campaign.id }).select('queued_at', 'dialed_at', 'state', 'outcome');
        const dialled = attempts.filter((a) => a.dialed_at !== null);
        const times = dialled.map((a) => a.dialed_at!.getTime()).filter((x) => x <= paused).sort((a, b) => a - b);
        const first = times[0] ?? NaN;
        const steadyFrom = first + WARM_MS;
        const steadyTo = paused - COOL_MS;
        const steady = times.filter((x) => x >= steadyFrom && x < steadyTo);
        const span = (steadyTo - steadyFrom) / 1000;
        const slope = slopePerSecond(steady);
        const perSecond: number[] = [];
        for (let s = steadyFrom; s + 1000 <= steadyTo; s += 1000) perSecond.push(steady.filter((x) => x >= s && x < s + 1000).length);
        perSecond.sort((a, b) => a - b);
        const lag = dialled.map((a) => a.dialed_at!.getTime() - a.queued_at.getTime()).sort((a, b) => a - b);
        const peak = maxInAnySecond(times);
        // The same on queued_at: when the pacer released the dials (dialed_at adds the dial job's own lag).
        const released = maxInAnySecond(attempts.map((a) => a.queued_at.getTime()).filter((x) => x <= paused).sort((a, b) => a - b));
        const outcomes = new Map<string, number>();
        for (const a of attempts) outcomes.set(a.outcome ?? a.state, (outcomes.get(a.outcome ?? a.state) ?? 0) + 1);
        const mix = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ');
        console.log(`  ${rate} calls/s configured (list of ${listed.added - Object.values(listed.excluded).reduce((a, b) => a + b, 0)}): ${times.length} dials in ${((paused - started) / 1000).toFixed(1)} s, first ${first - started} ms after start`);
        console.log(`    steady (${(WARM_MS / 1000).toFixed(0)} s after the first dial to ${(COOL_MS / 1000).toFixed(0)} s before the pause, ${span.toFixed(1)} s): ${steady.length} dials = ${(steady.length / span).toFixed(2)} dials/s `
          + `(${pct(steady.length / span, rate)}); least-squares slope ${slope.toFixed(2)} dials/s (${pct(slope, rate)})`);
        console.log(`    max in any 1-second window ${peak} (${pct(peak, rate)}; by queued_at, as the pacer released them: ${released}); per whole second min ${perSecond[0] ?? '-'} / median ${percentile(perSecond, 50) ?? '-'} / max ${perSecond[perSecond.length - 1] ?? '-'}; `
          + `queued → dialled p50 ${percentile(lag, 50)} ms, p99 ${percentile(lag, 99)} ms; attempts by outcome: ${mix}`);
        const trueEta = Math.round(progress.remaining / slope);
        console.log(`    progress API before the pause: dialed ${progress.dialed}, remaining ${progress.remaining}, ${progress.dials_per_minute} dials/min (measured ${(slope * 60).toFixed(0)}), `
          + `ETA ${progress.eta_s ?? '-'} s (at the measured rate ${trueEta} s)`);
      }
    } finally {
      await r.app.close();
      if (config.REDIS_URL) await dropRedisPrefix(config.REDIS_URL, config.REDIS_PREFIX);
    }
  });
}

/** BullMQ leaves a queue's meta, id and event keys behind: this run's prefix is nobody else's. */
async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function benchCampaigns(): Promise<void> {
  await benchImport();
  await benchDialRate();
}
