// Media streams on one node (BENCH_ONLY=media): BENCH_STREAMS (200) concurrent Twilio Media
// Streams of agent calls, each both tracks at real time (50 frames a second a track), from a
// generator in its own process, into (a) a bare @fastify/websocket endpoint that parses each
// message and decodes its audio, and (b) Switchboard's /twilio/media with talk analytics on. The
// server's CPU (this process: the generator is elsewhere) per stream, its memory, and the frames
// the meter counted against those sent. Figures are printed, never asserted.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import knexPkg from 'knex';
import type { WebSocket } from 'ws';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { seedSyntheticBank } from '../server/db/synthetic-bank.js';
import { DEFAULT_TIER_MODEL } from '../server/modules/tiers/tier-model.js';
import { createTiersService } from '../server/modules/tiers/tiers-service.js';
import { decodeMuLaw } from '../server/modules/telephony/media-streams.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BANK = 'sb_bench_media';
const BANK_URL = (() => { const url = new URL(ADMIN_URL); url.pathname = `/${BANK}`; return url.toString(); })();
const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const SECONDS = Number(process.env.BENCH_MEDIA_SECONDS ?? 20);
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

interface Sent { framesPerTrack: number; streams: number; seconds: number; worstLagMs: number }

function generate(url: string, callSids: string[]): Promise<Sent> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'bench/media-generator.ts', JSON.stringify({ url, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, callSids, seconds: SECONDS })], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`media generator failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Sent);
    });
  });
}

/** This process's CPU (ms) and peak RSS (MB) while `work` runs. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number; rssMb: number; rssBeforeMb: number }> {
  const rssBeforeMb = process.memoryUsage().rss / 1e6;
  let peak = rssBeforeMb;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss / 1e6); }, 250);
  const cpu = process.cpuUsage();
  try {
    const result = await work();
    const used = process.cpuUsage(cpu);
    return { result, cpuMs: (used.user + used.system) / 1000, rssMb: peak, rssBeforeMb };
  } finally {
    clearInterval(sampler);
  }
}

/** A small bank of its own, and STREAMS agent calls connected (the rows the stream endpoint looks for). */
async function prepare(): Promise<{ db: ReturnType<typeof createDb>; callSids: string[] }> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${BANK} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${BANK}`);
  await admin.destroy();
  const db = createDb({ DATABASE_URL: BANK_URL } as Parameters<typeof createDb>[0], { poolMax: 10 });
  await db.migrate.latest();
  await seedSyntheticBank(db, { customers: 200, tiers: createTiersService(DEFAULT_TIER_MODEL) });
  const agent = await db('users').where({ username: 'agent1' }).first('id');
  const now = new Date();
  const callSids = Array.from({ length: STREAMS }, () => `CA${randomBytes(16).toString('hex')}`);
  const interactions = callSids.map(() => ({ id: randomUUID(), channel: 'phone_agent', direction: 'inbound', started_at: now }));
  await db.batchInsert('interactions', interactions, 500);
  await db.batchInsert('queue_entries', callSids.map((sid, i) => ({
    interaction_id: interactions[i]!.id, call_sid: sid, skill: 'general', language: 'zh', tier: 'STANDARD', enqueued_at: now, priority_at: now, state: 'connected', agent_id: agent.id,
  })), 500);
  return { db, callSids };
}

export async function benchMediaStreams(): Promise<void> {
  const { db, callSids } = await prepare();

  // (a) bare: the same socket work with nothing behind it (parse, decode, count).
  const bare = Fastify();
  await bare.register(websocket);
  let bareFrames = 0;
  bare.get('/media', { websocket: true }, (socket: WebSocket) => {
    socket.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as { event: string; media?: { payload: string } };
      if (m.event === 'media' && m.media) { decodeMuLaw(Buffer.from(m.media.payload, 'base64')); bareFrames++; }
    });
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `ws://127.0.0.1:${(bare.server.address() as AddressInfo).port}/media`;

  const config = loadConfig({
    DATABASE_URL: BANK_URL, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', JWT_SECRET: randomBytes(24).toString('hex'), HOST: '127.0.0.1',
    TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_API_BASE: 'http://127.0.0.1:9', TALK_ANALYTICS: 'true',
  });
  const app = await buildApp(config, { db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const mediaUrl = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/twilio/media`;
  try {
    const a = await measured(() => generate(bareUrl, callSids));
    const s = await measured(() => generate(mediaUrl, callSids));
    // Every stream's figures are written once its `stop` is read: wait for the last.
    const deadline = Date.now() + 30_000;
    let rows: { seconds: number }[] = [];
    while (Date.now() < deadline) {
      rows = (await db('talk_streams').whereNotNull('stopped_at').select('summary')).map((r: { summary: { seconds: number } }) => r.summary);
      if (rows.length >= STREAMS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const sent = s.result.framesPerTrack * STREAMS;
    const metered = Math.round(rows.reduce((n, r) => n + r.seconds * 50, 0));
    const cpuPerStream = (x: { cpuMs: number; result: Sent }) => x.cpuMs / x.result.seconds / STREAMS; // ms of CPU per stream-second
    console.log(`Media streams on one node (${STREAMS} streams, both tracks at real time, ${SECONDS} s, the generator in its own process):`);
    console.log(`  bare @fastify/websocket (parse + decode)   ${(a.cpuMs / a.result.seconds / 10).toFixed(0).padStart(3)} % of a core   ${cpuPerStream(a).toFixed(2)} ms CPU per stream-second   ${bareFrames.toLocaleString('en')} frames`);
    console.log(`  Switchboard /twilio/media, talk analytics ${(s.cpuMs / s.result.seconds / 10).toFixed(0).padStart(3)} % of a core   ${cpuPerStream(s).toFixed(2)} ms CPU per stream-second   = ${(cpuPerStream(s) / cpuPerStream(a)).toFixed(1)}× bare`);
    console.log(`  frames: ${sent.toLocaleString('en')} sent a track, ${metered.toLocaleString('en')} metered (${sent === 0 ? 0 : ((100 * (sent - metered)) / sent).toFixed(2)} % dropped); ${rows.length} of ${STREAMS} streams recorded their figures; generator behind real time by up to ${s.result.worstLagMs} ms`);
    console.log(`  memory: RSS ${s.rssBeforeMb.toFixed(0)} MB before, ${s.rssMb.toFixed(0)} MB peak (${(((s.rssMb - s.rssBeforeMb) * 1000) / STREAMS).toFixed(0)} KB a stream)`);
  } finally {
    await bare.close();
    await app.close();
    await db.destroy();
  }
}
