// IVR webhook throughput and latency with signature checking, against a bare fastify route
// measured the same way in the same run: the ratio is what our per-webhook work costs.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import twilio from 'twilio';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { BENCH_DB_URL } from './customers.bench.js';
import { percentile } from './stats.js';

const CALLS = Number(process.env.BENCH_IVR_CALLS ?? 1_500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const HOTLINE = '+864008895555';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

const callSid = () => `CA${randomBytes(16).toString('hex')}`;

/** Posts a signed Twilio-style form webhook; returns the response body. */
async function post(url: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params) });
  return { status: res.status, body: await res.text() };
}

/** Runs `calls` scripted calls, CONCURRENCY at a time; each call is a few webhooks, each timed. */
async function drive(calls: number, call: (i: number, timed: (f: () => Promise<{ status: number }>) => Promise<void>) => Promise<void>) {
  const latencies: number[] = [];
  let failures = 0;
  const timed = async (f: () => Promise<{ status: number }>) => {
    const s = performance.now();
    const { status } = await f();
    latencies.push(performance.now() - s);
    if (status !== 200) failures++;
  };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < calls) await call(next++, timed);
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, failures, rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const line = (r: Awaited<ReturnType<typeof drive>>) =>
  `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.rps.toFixed(0)} webhooks/s (${r.requests} requests, ${r.failures} non-200)`;

export async function benchIvr(): Promise<void> {
  const config = loadConfig({
    DATABASE_URL: BENCH_DB_URL, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', JWT_SECRET: randomBytes(24).toString('hex'),
    TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_API_BASE: 'http://127.0.0.1:9',
  });
  const db = createDb(config, { poolMax: 20 });
  await db.migrate.latest();
  const phones: string[] = await db('customer_phones').orderByRaw('random()').limit(2000).pluck('phone');
  const customers = Number((await db('customers').count('* as n').first())?.n ?? 0);
  const app = await buildApp(config, { db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/twilio/voice`;

  // The bare baseline: the same form parsing and a fixed TwiML reply, no signature, no database.
  const bare = Fastify();
  bare.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
  bare.post('/bare', async (_req, reply) => reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response><Say>hello</Say></Response>'));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare`;

  try {
    // Each call: arrive (caller-ID lookup, interaction opened, IVR started), pick a language, pick
    // a menu option, then hang up (status callback closes the interaction): 4 webhooks a call.
    const call = async (i: number, timed: (f: () => Promise<{ status: number }>) => Promise<void>) => {
      const sid = callSid();
      const params = { CallSid: sid, AccountSid: ACCOUNT_SID, From: phones[i % phones.length]!, To: HOTLINE, Direction: 'inbound', CallStatus: 'ringing', ApiVersion: '2010-04-01' };
      let step = 0;
      const turn = async (url: string, extra: Record<string, string>) => {
        const res = await post(url, { ...params, ...extra });
        step = Number(/step=(\d+)/.exec(res.body)?.[1] ?? step);
        return res;
      };
      await timed(() => turn(`${base}/incoming`, {}));
      await timed(() => turn(`${base}/gather?step=${step}`, { Digits: '1', CallStatus: 'in-progress' }));
      await timed(() => turn(`${base}/gather?step=${step}`, { Digits: '9', CallStatus: 'in-progress' }));
      await timed(() => post(`${base}/status`, { ...params, CallStatus: 'completed', SequenceNumber: '3', CallDuration: '20' }));
    };
    await drive(50, call); // warm-up: JIT, pool, caches
    const ivr = await drive(CALLS, call);
    const baseline = await drive(CALLS, async (_i, timed) => {
      for (let k = 0; k < 4; k++) await timed(() => post(bareUrl, { CallSid: callSid(), Digits: '1' }));
    });
    console.log(`IVR webhooks over HTTP (${CALLS} calls × 4 webhooks, ${CONCURRENCY} concurrent, signature checked, ${customers.toLocaleString('en')} customers):`);
    console.log(`  IVR:          ${line(ivr)}`);
    console.log(`  bare fastify: ${line(baseline)}`);
    console.log(`  ratio: IVR p50 is ${(ivr.p50 / baseline.p50).toFixed(1)}× the bare route's; throughput ${(baseline.rps / ivr.rps).toFixed(1)}× lower`);
  } finally {
    await bare.close();
    await app.close();
    await db.destroy();
  }
}
