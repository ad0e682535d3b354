// The database's ceiling for a webhook turn, in its own process (bench/ivr-load.bench.ts spawns
// it): the statements of one turn (advisory lock, phone lookup, call upsert, two event inserts,
// the stored reply) as one transaction from a minimal pg client, as many connections as the
// server's pool, as fast as PostgreSQL takes them. On scratch tables beside the bank's own.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

interface Job { databaseUrl: string; connections: number; seconds: number; phonesFile: string }
const job = JSON.parse(process.argv[2]!) as Job;
const phones = JSON.parse(readFileSync(job.phonesFile, 'utf8')) as string[];
const pool = new pg.Pool({ connectionString: job.databaseUrl, max: job.connections });

const session = JSON.stringify({ lang: 'zh', node: 'menu', path: ['start', 'language', 'menu'], vars: {} });
const reply = `<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" action="/twilio/voice/gather?step=1"><Say language="zh-CN">${'x'.repeat(200)}</Say></Gather></Response>`;

async function turn(client: pg.PoolClient, i: number) {
  const sid = `CA${randomBytes(16).toString('hex')}`;
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [sid]);
  await client.query('SELECT c.id, c.tier FROM customer_phones p JOIN customers c ON c.id = p.customer_id WHERE p.phone = $1', [phones[i % phones.length]]);
  await client.query(`INSERT INTO bench_ceiling_calls (sid, step, ivr_session) VALUES ($1, 1, $2)
    ON CONFLICT (sid) DO UPDATE SET step = bench_ceiling_calls.step + 1, ivr_session = excluded.ivr_session`, [sid, session]);
  await client.query('INSERT INTO bench_ceiling_events (call_sid, type, data) VALUES ($1, $2, $3)', [sid, 'started', '{"flow":"hotline"}']);
  await client.query('INSERT INTO bench_ceiling_events (call_sid, type, data) VALUES ($1, $2, $3)', [sid, 'identified', '{"customer_id":1}']);
  await client.query('INSERT INTO bench_ceiling_replies (key, call_sid, body) VALUES ($1, $2, $3)', [`mac:${sid}`, sid, reply]);
  await client.query('COMMIT');
}

const setup = await pool.connect();
await setup.query(`CREATE TABLE IF NOT EXISTS bench_ceiling_calls (sid text PRIMARY KEY, step int NOT NULL, ivr_session jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS bench_ceiling_events (id bigserial PRIMARY KEY, call_sid text NOT NULL, type text NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX IF NOT EXISTS bench_ceiling_events_call ON bench_ceiling_events (call_sid);
  CREATE TABLE IF NOT EXISTS bench_ceiling_replies (key text PRIMARY KEY, call_sid text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  TRUNCATE bench_ceiling_calls, bench_ceiling_events, bench_ceiling_replies`);
setup.release();

const latencies: number[] = [];
let next = 0;
const end = performance.now() + job.seconds * 1000;
const t0 = performance.now();
await Promise.all(Array.from({ length: job.connections }, async () => {
  const client = await pool.connect();
  try {
    while (performance.now() < end) {
      const s = performance.now();
      await turn(client, next++);
      latencies.push(performance.now() - s);
    }
  } finally { client.release(); }
}));
const seconds = (performance.now() - t0) / 1000;
await pool.query('DROP TABLE bench_ceiling_calls, bench_ceiling_events, bench_ceiling_replies');
await pool.end();
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(`${JSON.stringify({ tps: latencies.length / seconds, total: latencies.length, p50: at(50), p99: at(99) })}\n`);
