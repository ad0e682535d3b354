// Reports (issue 6): a month of one million synthetic calls on a copy of the 100,000-customer
// bank, then how long it takes to write that history, to project it, and to answer the reports
// a supervisor asks for. Figures are printed, never asserted.
import { performance } from 'node:perf_hooks';
import knexPkg from 'knex';
import { createDb } from '../server/db/knex.js';
import { generateHistory } from '../server/db/synthetic-history.js';
import { project } from '../server/modules/reports/reports-projection.js';
import { createReportsService } from '../server/modules/reports/reports-service.js';
import { DEFAULT_SERVICE_LEVELS, parseServiceLevels } from '../server/modules/routing/service-levels.js';
import { BENCH_DB_URL } from './customers.bench.js';
import { percentile } from './stats.js';

const CALLS = Number(process.env.BENCH_REPORTS_CALLS ?? 1_000_000);
const DAYS = 31;
/** October 2026 in Shanghai: the month the reports ask for. */
const FROM = '2026-10-01T00:00:00+08:00';
const TO = '2026-11-01T00:00:00+08:00';
const RUNS = Number(process.env.BENCH_REPORTS_RUNS ?? 5);

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BANK = new URL(BENCH_DB_URL).pathname.slice(1);
const COPY = 'sb_bench_reports';

/** Runs `run` on a fresh copy of the bank customers.bench.ts leaves, dropped afterwards (history is append-only). */
async function withBankCopy(run: (url: string) => Promise<void>): Promise<void> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  const url = new URL(BENCH_DB_URL);
  url.pathname = `/${COPY}`;
  try {
    if (!(await admin('pg_database').where({ datname: BANK }).first('datname'))) {
      throw new Error(`reports bench: no bank in database ${BANK}; run BENCH_ONLY=customers npm run bench first`);
    }
    await admin.raw(`DROP DATABASE IF EXISTS ${COPY} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${COPY} TEMPLATE ${BANK}`);
    await run(url.toString());
  } finally {
    await admin.raw(`DROP DATABASE IF EXISTS ${COPY} WITH (FORCE)`);
    await admin.destroy();
  }
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const rate = (n: number, since: number) => Math.round(n / ((performance.now() - since) / 1000)).toLocaleString('en');

/** Runs `f` once to warm up, then `RUNS` times: the median and the slowest, in ms. */
async function timed(f: () => Promise<unknown>): Promise<string> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return `median ${percentile(times, 50).toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms`;
}

export async function benchReports(): Promise<void> {
  await withBankCopy(async (url) => {
    const db = createDb({ DATABASE_URL: url, DATA_DIR: '' }, { poolMax: 4 });
    try {
      let t = performance.now();
      const h = await generateHistory(db, { days: DAYS, end: new Date(TO), totalCalls: CALLS });
      console.log(`reports: history of ${h.interactions.toLocaleString('en')} calls (${h.visits.toLocaleString('en')} queue visits, ${h.events.toLocaleString('en')} events, `
        + `${h.agent_state_events.toLocaleString('en')} agent states, ${h.agents} agents) over ${DAYS} days written in ${seconds(t)} s (${rate(h.events + h.agent_state_events + h.interactions, t)} rows/s)`);

      t = performance.now();
      const full = await project(db);
      console.log(`  projection from scratch: ${full.interactions.toLocaleString('en')} calls in ${seconds(t)} s (${rate(full.interactions, t)} calls/s)`);
      await db.raw('VACUUM ANALYZE queue_visit_facts');
      await db.raw('VACUUM ANALYZE contact_facts');
      console.log(`  catch-up with nothing new (every report pays it): ${await timed(() => project(db))}`);

      const reports = createReportsService({ db, levels: parseServiceLevels(DEFAULT_SERVICE_LEVELS) });
      const month = { from: FROM, to: TO, tz: 'Asia/Shanghai' };
      const oneDay = { from: '2026-10-14T00:00:00+08:00', to: '2026-10-15T00:00:00+08:00', tz: 'Asia/Shanghai' };
      const cases: [string, () => Promise<{ rows: unknown[] }>][] = [
        ['month by day, total', () => reports.contacts({ ...month, interval: 'day', by: 'total' })],
        ['month by day, by tier', () => reports.contacts({ ...month, interval: 'day', by: 'tier' })],
        ['month by day, by queue', () => reports.contacts({ ...month, interval: 'day', by: 'queue' })],
        ['month, by agent', () => reports.contacts({ ...month, interval: 'month', by: 'agent' })],
        ['month by week, by RM', () => reports.contacts({ ...month, interval: 'week', by: 'rm' })],
        ['one day by 15 minutes, total', () => reports.contacts({ ...oneDay, interval: '15m', by: 'total' })],
        ['agent states, month by day', () => reports.agentStates({ ...month, interval: 'day' })],
        ['agent states, one day by 15 minutes', () => reports.agentStates({ ...oneDay, interval: '15m' })],
      ];
      console.log(`  report queries over the month (catch-up included; ${RUNS} runs after a warm-up):`);
      for (const [name, run] of cases) {
        const rows = (await run()).rows.length;
        console.log(`    ${name.padEnd(38)} ${rows.toLocaleString('en').padStart(6)} rows  ${await timed(run)}`);
      }

      // A day of new calls arrives: the next report re-derives only those.
      t = performance.now();
      const more = await generateHistory(db, { days: 1, end: new Date(new Date(TO).getTime() + 86_400_000), callsPerDay: Math.round(CALLS / DAYS), seed: 2 });
      const genSeconds = seconds(t);
      t = performance.now();
      const caught = await project(db);
      console.log(`  a further day of ${more.interactions.toLocaleString('en')} calls (written in ${genSeconds} s): caught up in ${seconds(t)} s (${caught.interactions.toLocaleString('en')} calls re-derived)`);
    } finally {
      await db.destroy();
    }
  });
}
