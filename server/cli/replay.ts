// npm run replay -- --day <day.csv> [--date YYYY-MM-DD] --config <a.json> [--config <b.json> …]
// npm run replay -- --recorded YYYY-MM-DD --config <a.json> [--config <b.json> …]
//
// What-if: a day of arrivals (a CSV, or the calls the interaction log recorded that day) run
// through the real routing service once per configuration, each on a private database with a
// simulated clock; prints service level, ASA, abandons and occupancy per tier, the Erlang A model
// of each staffing step beside the replay, and the configurations side by side.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCalendars } from '../../ivr/flows.js';
import { ConfigError, loadConfig } from '../config.js';
import { withScratchDatabase } from '../db/scratch.js';
import { BANK_TIME_ZONE, startOfLocalDay } from '../lib/local-time.js';
import { createReportsService } from '../modules/reports/reports-service.js';
import { arrivalsOf, bankDay, checkConfig, readDay, type Arrival, type ReplayConfig } from '../modules/replay/replay-day.js';
import { replayDay, type ReplayResult } from '../modules/replay/replay-engine.js';
import { formatComparison, formatResult } from '../modules/replay/replay-report.js';
import { routingPolicy } from '../modules/routing/routing-service.js';
import { withDatabase } from './run-cli.js';

const USAGE = 'usage: npm run replay -- (--day <day.csv> [--date YYYY-MM-DD] | --recorded YYYY-MM-DD) --config <config.json> [--config <other.json> …]';

function fail(lines: string[], code = 2): never {
  for (const l of lines) console.error(l);
  process.exit(code);
}

const { values } = (() => {
  try {
    return parseArgs({ options: { day: { type: 'string' }, date: { type: 'string' }, recorded: { type: 'string' }, config: { type: 'string', multiple: true } }, strict: true });
  } catch (err) {
    return fail([(err as Error).message, USAGE]);
  }
})();
if (!values.config?.length || Boolean(values.day) === Boolean(values.recorded)) fail([USAGE]);

const configs: { name: string; config: ReplayConfig }[] = values.config.map((file) => {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail([`${file}: ${(err as Error).message}`]);
  }
  const checked = checkConfig(raw);
  if (!checked.config) return fail(checked.problems.map((p) => `${file} ${p}`));
  return { name: path.basename(file), config: checked.config };
});

async function theDay(): Promise<{ day: Date; arrivals: Arrival[] }> {
  if (values.recorded) {
    const day = bankDay(values.recorded) ?? fail([`--recorded ${values.recorded}: not a date (YYYY-MM-DD)`]);
    let arrivals: Arrival[] = [];
    await withDatabase(async (db, config) => {
      const reports = createReportsService({ db, levels: routingPolicy(config, loadCalendars()).timing.levels });
      arrivals = arrivalsOf(await reports.recordedCalls(day, new Date(day.getTime() + 86_400_000)));
    }, { migrate: false });
    if (process.exitCode) process.exit(process.exitCode);
    if (arrivals.length === 0) fail([`no inbound call reached a queue on ${values.recorded} (${BANK_TIME_ZONE})`], 1);
    return { day, arrivals };
  }
  const date = values.date ? bankDay(values.date) ?? fail([`--date ${values.date}: not a date (YYYY-MM-DD)`]) : null;
  const read = await readDay(values.day!, date);
  if (!read.arrivals) fail(read.problems.map((p) => `${values.day} ${p}`), 1);
  return { day: date ?? startOfLocalDay(read.arrivals[0]!.at, BANK_TIME_ZONE), arrivals: read.arrivals };
}

const { day, arrivals } = await theDay();
let server;
try {
  server = loadConfig(process.env, {}, { telephony: false });
} catch (err) {
  fail([err instanceof ConfigError ? err.message : String(err)], 1);
}
const calendars = loadCalendars();
console.log(`What-if replay of ${arrivals.length} calls (${values.recorded ? `recorded on ${values.recorded}` : values.day}); times in ${BANK_TIME_ZONE}\n`);
const runs: { name: string; result: ReplayResult }[] = [];
for (const { name, config } of configs) {
  const started = Date.now();
  let result: ReplayResult;
  try {
    result = await withScratchDatabase(server, (db) => replayDay(db, arrivals, config, { day, calendars }));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RangeError) fail([`${name}: ${err.message}`], 1);
    throw err;
  }
  runs.push({ name, result });
  console.log(formatResult(name, config.description, result, routingPolicy(result.settings, calendars).timing.levels));
  console.log(`(replayed in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
const comparison = formatComparison(runs);
if (comparison) console.log(comparison);
