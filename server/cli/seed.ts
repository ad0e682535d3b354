// npm run db:seed -- [--customers N] [--seed S] [--history-days D] [--reset]
// Loads the deterministic synthetic bank into the configured database (PostgreSQL or PGlite).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DataDirError } from '../db/data-dir.js';
import { describeDatabase, openDb, type Db } from '../db/knex.js';
import { DEFAULT_SEED, DEMO_PASSWORD, DEMO_USERS, seedSyntheticBank, type SeedSummary } from '../db/synthetic-bank.js';
import { generateHistory } from '../db/synthetic-history.js';
import { loadTierModel } from '../modules/tiers/tier-model.js';
import { createTiersService, type TierReportLine } from '../modules/tiers/tiers-service.js';

const USAGE = 'usage: npm run db:seed -- [--customers N] [--seed S] [--history-days D] [--reset]';
const MIN_CUSTOMERS = 200;

// Everything the seed writes. audit_log stays: it is the bank's record of who looked at what, and
// survives a reseed. users goes because its RM links cascade from relationship_managers.
const BANK_TABLES = [
  'customers', 'customer_phones', 'relationship_managers', 'deposit_accounts', 'time_deposits', 'loans', 'cards',
  'investment_holdings', 'ebanking_activity', 'international_business', 'transactions', 'complaints', 'interactions',
  'tier_history', 'tier_cutoffs', 'users', 'interaction_events', 'calls', 'webhook_replies', 'phone_pins', 'callback_requests',
  'agents', 'agent_state_events', 'queue_entries', 'queue_visit_facts', 'contact_facts', 'report_watermark',
];

interface Args { customers: number; seed: number; historyDays: number; reset: boolean }

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) usageError(`--${name} must be a whole number of at least ${min} (got ${JSON.stringify(value)})`);
  return Number(value);
}

function readArgs(config: Config): Args {
  let parsed;
  try {
    parsed = parseArgs({ options: { customers: { type: 'string' }, seed: { type: 'string' }, 'history-days': { type: 'string' }, reset: { type: 'boolean', default: false } }, strict: true });
  } catch (err) {
    usageError((err as Error).message);
  }
  const { values } = parsed;
  const customers = parseInteger('customers', values.customers, config.SEED_CUSTOMERS, MIN_CUSTOMERS);
  if (customers < MIN_CUSTOMERS) usageError(`SEED_CUSTOMERS must be at least ${MIN_CUSTOMERS} to seed (got ${customers}); pass --customers`);
  const historyDays = parseInteger('history-days', values['history-days'], config.SEED_HISTORY_DAYS, 0);
  return { customers, seed: parseInteger('seed', values.seed, DEFAULT_SEED, 0), historyDays, reset: values.reset ?? false };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);

function printReport(summary: SeedSummary, report: TierReportLine[], seconds: number): void {
  console.log(`\nSeeded ${summary.customers.toLocaleString('en')} customers (seed ${summary.seed}) in ${seconds.toFixed(1)} s`);
  console.log(Object.entries(summary.tables).map(([t, n]) => `  ${t.padEnd(24)}${n.toLocaleString('en').padStart(10)}`).join('\n'));

  console.log('\nTier report     customers  of customers  of contribution');
  for (const r of report) console.log(`  ${r.tier.padEnd(12)}${r.customers.toLocaleString('en').padStart(10)}     ${pct(r.share_of_customers)}          ${pct(r.share_of_contribution)}`);
  const top = report.filter((r) => r.tier === 'PRIVATE' || r.tier === 'DIAMOND');
  console.log(`  PRIVATE+DIAMOND: ${pct(top.reduce((s, r) => s + r.share_of_customers, 0)).trim()} of customers bring ${pct(top.reduce((s, r) => s + r.share_of_contribution, 0)).trim()} of the contribution`);

  console.log('\nDemo personas (call in from these numbers)');
  for (const p of summary.personas) {
    console.log(`  #${String(p.customer_id).padEnd(3)}${p.phone.padEnd(16)}${p.tier.padEnd(10)}${(p.rm_id ? `rm${p.rm_id}` : '').padEnd(7)}${p.name} (${p.language}): ${p.story}`);
  }

  console.log(`\nLogins (password ${DEMO_PASSWORD})`);
  for (const u of DEMO_USERS) console.log(`  ${u.username.padEnd(12)}${u.role}`);
  const rms = summary.rm_users;
  console.log(`  ${rms.length > 3 ? `${rms.slice(0, 2).join(', ')} … ${rms.at(-1)}` : rms.join(', ')}  rm (${rms.length} relationship managers)`);
}

async function resetBank(db: Db): Promise<void> {
  // TRUNCATE fires no row triggers, but audit_log is not in the list anyway: it is kept.
  await db.raw(`TRUNCATE ${BANK_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
  console.log('Reset: bank tables and logins emptied (audit_log kept)');
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env, {}, { telephony: false });
  } catch (err) {
    if (err instanceof ConfigError) usageError(err.message);
    throw err;
  }
  const args = readArgs(config);
  const tiers = createTiersService(loadTierModel(config.TIER_MODEL_FILE));
  let db: Db;
  try {
    db = await openDb(config, { migrate: true });
  } catch (err) {
    if (!(err instanceof DataDirError)) throw err;
    console.error(err.message);
    return 1;
  }
  try {
    console.log(`Database: ${describeDatabase(config)}`);
    const existing = Number((await db('customers').count('* as n').first())?.n ?? 0);
    if (existing > 0 && !args.reset) {
      console.error(`The database already holds ${existing.toLocaleString('en')} customers. Run with --reset to replace the bank (audit_log is kept).`);
      return 1;
    }
    if (args.reset) await resetBank(db);

    console.log(`Seeding ${args.customers.toLocaleString('en')} customers (seed ${args.seed}, tier model ${tiers.model.version})`);
    const started = performance.now();
    const summary = await seedSyntheticBank(db, { customers: args.customers, seed: args.seed, tiers, log: (msg) => console.log(`  ${msg}`) });
    const seconds = (performance.now() - started) / 1000;
    printReport(summary, await tiers.report(db), seconds);
    if (args.historyDays > 0) {
      const t0 = performance.now();
      const h = await generateHistory(db, { days: args.historyDays, seed: args.seed, log: (msg) => console.log(`  ${msg}`) });
      console.log(`\nHotline history: ${h.interactions.toLocaleString('en')} calls, ${h.events.toLocaleString('en')} events, ${h.agent_state_events.toLocaleString('en')} agent states over ${args.historyDays} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    return 0;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`Seeding failed: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
});
