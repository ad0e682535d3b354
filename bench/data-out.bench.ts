// Data out (issue 19): how fast the warehouse reads the interaction log by cursor (pages of 1,000
// through the HTTP API, against a bare fastify route serving a page of the same size in the same
// run), and how soon a CRM's webhook receiver hears of a call event after it is committed. Runs on
// its own copy of the bench bank, like routing.bench.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { signIn } from '../test/helpers/agents.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { appendEvents } from '../server/modules/interactions/interactions-repository.js';
import { spread, withBankCopy } from './routing.bench.js';
import { simulatorOn } from './stats.js';

const EVENTS = Number(process.env.BENCH_DATA_OUT_EVENTS ?? 200_000);
const PAGE = 1000;
const WEBHOOK_EVENTS = 100;
const WEBHOOK_RATE = 20; // call events a second

export async function benchDataOut(): Promise<void> {
  console.log('Data out');
  for (const sweepMs of [1000, 250]) {
    await withBankCopy('sb_bench_data_out', async (url) => {
      const config = loadConfig({
        DATABASE_URL: url, REDIS_URL: process.env.REDIS_URL, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', JWT_SECRET: randomBytes(24).toString('hex'), ...simulatorOn(url),
        DATA_OUT_SWEEP_MS: String(sweepMs), ROUTING_SWEEP_MS: '60000', WALLBOARD_TICK_MS: '60000',
      });
      const db = createDb(config, { poolMax: 10 });
      await db.migrate.latest();
      const app = await buildApp(config, { db });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = app.telephony.publicUrl();
      const admin = (await db('users').where({ username: 'admin' }).first('id')).id as number;
      const auth = { authorization: `Bearer ${await signIn(app, admin)}` };

      if (sweepMs === 1000) { // the export once; the webhook at both intervals
        // A log of EVENTS events, ten per call, as one bulk insert (the bank's history).
        const t0 = performance.now();
        await db.raw(`INSERT INTO interactions (id, channel, direction, ani_masked, dnis, language, started_at)
          SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'phone', 'inbound', '138****0000', '+864008895555', 'zh', now() - interval '1 day'
          FROM generate_series(1, ?) g`, [Math.ceil(EVENTS / 10)]);
        await db.raw(`INSERT INTO interaction_events (interaction_id, type, data, at)
          SELECT ('00000000-0000-4000-8000-' || lpad(to_hex((g - 1) / 10 + 1), 12, '0'))::uuid, 'ivr_input', jsonb_build_object('node', 'menu', 'n', g), now() - interval '1 day'
          FROM generate_series(1, ?) g`, [EVENTS]);
        const seeded = (performance.now() - t0) / 1000;
        const { count } = (await db('interaction_events').count<{ count: string }[]>('* as count').first())!;

        // The warehouse's read: every row, a page at a time, by cursor.
        const pages: number[] = [];
        let after: string | null = null;
        let rows = 0;
        let fullPage = ''; // a full page's body, for the bare route
        const started = performance.now();
        for (;;) {
          const t = performance.now();
          const res: Response = await fetch(`${base}/api/data-out/interaction-events?limit=${PAGE}${after ? `&after=${after}` : ''}`, { headers: auth });
          const body = await res.text();
          const page = JSON.parse(body) as { rows: unknown[]; next: string; more: boolean };
          pages.push(performance.now() - t);
          rows += page.rows.length;
          if (!fullPage && page.rows.length === PAGE) fullPage = body;
          after = page.next;
          if (!page.more) break;
        }
        const seconds = (performance.now() - started) / 1000;
        // The same number of pages of the same size from a bare fastify route.
        const bare = Fastify();
        bare.get('/page', async (_req, reply) => reply.type('application/json').send(fullPage));
        await bare.listen({ port: 0, host: '127.0.0.1' });
        const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/page`;
        const bareStart = performance.now();
        for (let i = 0; i < pages.length; i++) await (await fetch(bareUrl)).text();
        const bareSeconds = (performance.now() - bareStart) / 1000;
        await bare.close();
        console.log(`  cursor export: ${rows} of ${count} rows (${EVENTS} bulk-loaded in ${seeded.toFixed(1)} s) in ${pages.length} pages of ${PAGE}: ${Math.round(rows / seconds)} rows/s, page ${spread(pages)}; `
          + `a bare fastify route serving a full page's body: ${Math.round((pages.length * PAGE) / bareSeconds)} rows/s (the API = 1/${(seconds / bareSeconds).toFixed(1)} of it)`);
      }

      // A CRM receiver on this machine; call events committed at WEBHOOK_RATE a second.
      const lags: number[] = [];
      const receiver = createServer((req, res) => {
        let raw = '';
        req.on('data', (c) => { raw += c; });
        req.on('end', () => {
          lags.push(Date.now() - Date.parse((JSON.parse(raw) as { at: string }).at));
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crm`;
      const sub = await fetch(`${base}/api/data-out/subscriptions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ url: hook, events: ['call.offered'] }) });
      if (sub.status !== 201) throw new Error(`subscribe: ${sub.status} ${await sub.text()}`);
      await sleep(sweepMs * 2); // the fan-out's mark is placed at the log's end
      const interaction = randomUUID();
      await db('interactions').insert({ id: interaction, channel: 'phone', direction: 'inbound', ani_masked: '138****0000', dnis: '+864008895555', language: 'zh', started_at: new Date() });
      for (let i = 0; i < WEBHOOK_EVENTS; i++) {
        const t = performance.now();
        await appendEvents(db, interaction, [{ type: 'offered', data: { agent_id: 1, entry_id: i }, at: new Date() }]);
        await sleep(Math.max(0, 1000 / WEBHOOK_RATE - (performance.now() - t)));
      }
      const deadline = Date.now() + 10_000 + sweepMs * 5;
      while (lags.length < WEBHOOK_EVENTS && Date.now() < deadline) await sleep(50);
      console.log(`  webhook: ${lags.length} of ${WEBHOOK_EVENTS} call events at ${WEBHOOK_RATE}/s delivered, DATA_OUT_SWEEP_MS=${sweepMs}: commit to receiver ${spread(lags)}`);
      await new Promise((r) => receiver.close(r));
      await app.close();
      await db.destroy();
    });
  }
}
