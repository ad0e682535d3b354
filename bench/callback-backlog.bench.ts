// Callback backlog (issue 14): 10,000 callback requests waiting in line beside the live callers must
// leave the routing decision time within 10 % of the figure without them. Two copies of the same
// floor (routing.bench.ts's 5,000 agents and 20,000 waiting calls), one of them with the backlog
// queued by the real callbacks service; each decision is timed on both, alternately, so the machine's
// other load falls on both figures alike.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import knexPkg, { type Knex } from 'knex';
import { loadCalendars, loadFlows } from '../ivr/flows.js';
import { loadConfig, type Config } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { createCallbacksService } from '../server/modules/callbacks/callbacks-service.js';
import { createCallsService } from '../server/modules/calls/calls-service.js';
import type { OutboundLine } from '../server/modules/calls/outbound.js';
import { createCustomersService } from '../server/modules/customers/customers-service.js';
import { parseHeadStarts } from '../server/modules/routing/routing-policy.js';
import { createRoutingService, routingPolicy, type RoutingService } from '../server/modules/routing/routing-service.js';
import { parseServiceHours } from '../server/modules/routing/service-hours.js';
import { DEFAULT_TIER_MODEL } from '../server/modules/tiers/tier-model.js';
import { createTiersService } from '../server/modules/tiers/tiers-service.js';
import { BENCH_DB_URL } from './customers.bench.js';
import {
  ADMIN_URL, BANK, DECISIONS, FLOOR_AGENTS, FLOOR_WAITING, HOTLINE, LEASE_SECONDS, MENU_SKILLS, OPEN, closeLeftoverCalls, makeAvailable, pick, seedFloor, seeded, shuffle, spread, timedPass,
} from './routing.bench.js';
import { percentile, simulatorOn } from './stats.js';

const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 10_000);
const UNKNOWN_CALLERS = 0.1;
const PLAIN = 'sb_bench_backlog_none';
const WITH_BACKLOG = 'sb_bench_backlog_10k';

const dbUrl = (name: string) => {
  const url = new URL(BENCH_DB_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

function routingOn(db: Knex, config: Config): RoutingService {
  // The service as app.ts builds it, minus the sockets: offers go nowhere, which is not what is timed.
  return createRoutingService({
    db, customers: createCustomersService({ db, tiers: createTiersService(DEFAULT_TIER_MODEL) }), notify: () => undefined, log: Fastify({ logger: false }).log,
    policy: routingPolicy(config, loadCalendars()),
  });
}

/**
 * 10,000 callback requests as callers leave them from the hold queue (press 1: "call me back,
 * keeping my place"), their places spread over the same twenty minutes as the live callers', then
 * turned into queue entries by the callbacks service's own promotion (an outbound interaction and a
 * call-less entry each, with the pop's profile), as every node's sweep does.
 */
async function queueBacklog(db: Knex, config: Config, routing: RoutingService): Promise<{ queued: number; seconds: number }> {
  const random = seeded(23);
  const people: { id: number; tier: string; language: string; phone: string }[] = (await db.raw(`
    SELECT DISTINCT ON (c.id) c.id, c.tier, c.language, p.phone FROM customers c JOIN customer_phones p ON p.customer_id = c.id
    ORDER BY c.id, p.is_primary DESC`)).rows;
  shuffle(random, people);
  const now = Date.now();
  const rows = Array.from({ length: BACKLOG }, (_, i) => {
    const known = random() >= UNKNOWN_CALLERS;
    const c = known ? people[i % people.length]! : null;
    const tier = c?.tier ?? 'STANDARD';
    const skill = tier === 'PRIVATE' ? 'private_banking' : tier === 'DIAMOND' ? 'wealth' : pick(random, MENU_SKILLS);
    const lostCard = skill === 'cards' && random() < 0.2;
    const placeSince = new Date(now - random() * 1_200_000);
    return {
      customer_id: c?.id ?? null, phone: c?.phone ?? `+86139${String(i).padStart(8, '0')}`, from_number: HOTLINE, reason: lostCard ? 'card_loss_callback' : 'queue_callback',
      skill, tier, language: c?.language === 'en' ? 'en' : 'zh', timezone: 'Asia/Shanghai', priority: lostCard ? 600 : 0,
      ivr: JSON.stringify({ path: ['choose_language', 'identify_caller', 'main_menu', `queue_${skill}`, 'callback_queue'], verified: false, self_service: [], reason: `queue_${skill}`, skill, language: 'zh' }),
      interaction_id: null, place_since: placeSince,
      // Due since they were asked; the callbacks' clock below is a weekday morning, so every queue is open.
      due_at: new Date('2026-01-01T00:00:00Z'), source: 'ivr', requested_by: null, target_agent_id: null, state: 'scheduled',
    };
  });
  await db.batchInsert('callback_requests', rows, 1000);

  const unused = () => { throw new Error('not part of promoting callbacks'); };
  const calls = createCallsService({
    flows: loadFlows(), hotlines: new Map([[HOTLINE, 'hotline']]), defaultFlow: 'hotline',
    queue: { enqueue: routing.enqueue, callerLeft: routing.callerLeft, callerDone: unused },
    ivr: { queueStatus: (trx, q, at) => routing.availability(trx, q, at), requestCallback: unused, greetFullTiers: new Set(), pinLimits: { perNumber: 3, perCustomer: 10, windowMinutes: 60 } },
  });
  const callbacks = createCallbacksService({
    // Promoting nudges the matcher (kick); here the bench runs every pass itself, and times it.
    db, calls, routing: { enqueue: routing.enqueue, waitFor: routing.waitFor, kick: async () => undefined }, hours: parseServiceHours(config.SERVICE_HOURS, loadCalendars()), line: unused as () => OutboundLine, notify: () => undefined,
    log: Fastify({ logger: false }).log, bankName: { zh: config.BANK_NAME_ZH, en: config.BANK_NAME_EN }, defaultFrom: HOTLINE, now: OPEN,
    policy: { mode: 'agent_first', attempts: 3, retrySeconds: 300, ringSeconds: 25, window: { start: '08:00', end: '21:00' } },
  });
  const started = performance.now();
  let queued = 0;
  for (let n = await callbacks.promote(); n > 0; n = await callbacks.promote()) queued += n;
  return { queued, seconds: (performance.now() - started) / 1000 };
}

interface Side { name: string; db: Knex; routing: RoutingService; decisions: number[]; offered: number }

export async function benchCallbackBacklog(): Promise<void> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  const sides: Side[] = [];
  try {
    if (!(await admin('pg_database').where({ datname: BANK }).first('datname'))) {
      throw new Error(`callback backlog bench: no bank in database ${BANK}; run BENCH_ONLY=customers npm run bench first`);
    }
    for (const name of [PLAIN, WITH_BACKLOG]) {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.raw(`CREATE DATABASE ${name} TEMPLATE ${BANK}`);
    }
    const config = loadConfig({ DATABASE_URL: dbUrl(PLAIN), LOG_LEVEL: 'silent', JWT_SECRET: randomBytes(24).toString('hex'), ...simulatorOn(dbUrl(PLAIN)) });
    const headStarts = parseHeadStarts(config.ROUTING_TIER_HEADSTART);
    for (const name of [PLAIN, WITH_BACKLOG]) {
      const db = createDb(loadConfig({ DATABASE_URL: dbUrl(name), LOG_LEVEL: 'silent', ...simulatorOn(dbUrl(name)) }), { poolMax: 10 });
      sides.push({ name, db, routing: routingOn(db, config), decisions: [], offered: 0 });
      await db.migrate.latest();
      await closeLeftoverCalls(db);
    }
    const [plain, backlog] = sides as [Side, Side];
    // The backlog first, on the empty floor (promoting 10,000 beside 20,000 waiting calls and 5,000
    // agents takes many minutes on this machine, each estimate reading the floor); then the same
    // seeded floor on both: the same agents (same ids), the same waiting calls.
    const promoted = await queueBacklog(backlog.db, config, backlog.routing);
    const seeding = performance.now();
    const floors = await Promise.all(sides.map((s) => seedFloor(s.db, headStarts)));
    const seedSeconds = (performance.now() - seeding) / 1000;
    const agents = floors[0]!;
    if (JSON.stringify(floors[1]!.map((a) => a.id)) !== JSON.stringify(agents.map((a) => a.id))) throw new Error('callback backlog bench: the two floors differ');
    for (const s of sides) {
      await s.db.raw('ANALYZE');
      // Promoting took a while: the seeded consoles' leases start afresh, as their heartbeats would keep them.
      await s.db('agents').update({ lease_until: new Date(Date.now() + LEASE_SECONDS * 1000) });
    }

    // The agents free at the start take a call each in one pass, on both floors.
    const first = [await timedPass(plain.routing), await timedPass(backlog.routing)];

    // Busy agents come free one at a time, the same ones on both floors; the side timed first alternates.
    const returning = shuffle(seeded(11), agents.filter((a) => a.state === 'on_call' && !a.skills.security)).slice(0, DECISIONS);
    for (const [i, a] of returning.entries()) {
      for (const s of i % 2 === 0 ? [plain, backlog] : [backlog, plain]) {
        await makeAvailable(s.db, a.id);
        const pass = await timedPass(s.routing);
        s.decisions.push(pass.ms);
        s.offered += pass.made;
      }
    }
    const idle = sides.map(() => [] as number[]);
    for (let i = 0; i < 20; i++) for (const [k, s] of sides.entries()) idle[k]!.push((await timedPass(s.routing)).ms);
    const toCallbacks = Number((await backlog.db('queue_entries').whereNotNull('callback_id').where({ state: 'offered' }).count('* as n').first())?.n ?? 0);
    const waiting = await Promise.all(sides.map(async (s) => Number((await s.db('queue_entries').where({ state: 'waiting' }).count('* as n').first())?.n ?? 0)));

    const p50 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    const mean = (xs: number[]) => xs.reduce((n, x) => n + x, 0) / xs.length;
    const ratio = p50(backlog.decisions) / p50(plain.decisions);
    console.log(`callback backlog: routing decisions on ${FLOOR_AGENTS.toLocaleString('en')} agents and ${FLOOR_WAITING.toLocaleString('en')} waiting calls, `
      + `without and with ${promoted.queued.toLocaleString('en')} queued callback requests (promoted by the callbacks service in ${promoted.seconds.toFixed(1)} s; floors seeded in ${seedSeconds.toFixed(1)} s), timed alternately:`);
    console.log(`  first pass, 50 agents free: ${first[0]!.ms.toFixed(1)} ms without, ${first[1]!.ms.toFixed(1)} ms with (${first[0]!.made} / ${first[1]!.made} offers)`);
    console.log(`  one agent freed at a time, without the backlog: ${spread(plain.decisions)} per decision (${plain.offered} offers)`);
    console.log(`  one agent freed at a time, with the backlog:    ${spread(backlog.decisions)} per decision (${backlog.offered} offers, ${toCallbacks} of them callbacks)`);
    console.log(`  ratio with / without: p50 ${ratio.toFixed(2)}×, mean ${(mean(backlog.decisions) / mean(plain.decisions)).toFixed(2)}× (goal: within 1.10×) — ${ratio <= 1.1 ? 'met' : 'MISSED'}`);
    console.log(`  no agent free: ${spread(idle[0]!)} without, ${spread(idle[1]!)} with; waiting afterwards ${waiting[0]!.toLocaleString('en')} / ${waiting[1]!.toLocaleString('en')}`);
  } finally {
    for (const s of sides) await s.db.destroy();
    // BENCH_KEEP=1 leaves both databases behind to look into (EXPLAIN).
    if (!process.env.BENCH_KEEP) for (const name of [PLAIN, WITH_BACKLOG]) await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  }
}
