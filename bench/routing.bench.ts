// Routing (issue 4): how soon a caller's profile pops on an agent's screen, end to end, and how
// long the matcher takes to decide on a big floor. Each part runs on its own copy of the bank that
// customers.bench.ts leaves behind, dropped afterwards: routing writes append-only rows
// (interaction_events, audit_log) that could never be cleaned out of the shared bank.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import knexPkg, { type Knex } from 'knex';
import { io, type Socket } from 'socket.io-client';
import { signIn } from '../test/helpers/agents.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createDb } from '../server/db/knex.js';
import { createCustomersService } from '../server/modules/customers/customers-service.js';
import { loadCalendars } from '../ivr/flows.js';
import { parseHeadStarts, priorityAt, type HeadStarts } from '../server/modules/routing/routing-policy.js';
import { createRoutingService, routingPolicy, type RoutingService } from '../server/modules/routing/routing-service.js';
import { DEFAULT_TIER_MODEL } from '../server/modules/tiers/tier-model.js';
import { createTiersService } from '../server/modules/tiers/tiers-service.js';
import { createSimulator, type Simulator } from '../simulator/simulator.js';
import { BENCH_DB_URL } from './customers.bench.js';
import { percentile, simulatorOn } from './stats.js';
import { clockFrom } from '../test/helpers/wait.js';

export const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BANK = new URL(BENCH_DB_URL).pathname.slice(1);

// Screen-pop: agents connected, how they are split, and the call rate held.
const POP_AGENTS = 1_000;
const POP_AVAILABLE = 300;
const POP_ON_CALL = 400; // the rest are away
// 10 calls/s holds with room to spare on 2 cores; near 20 the app, the simulator and 1,000 clients saturate them.
const POP_RATE = Number(process.env.BENCH_ROUTING_RATE ?? 10);
const POP_SECONDS = Number(process.env.BENCH_ROUTING_SECONDS ?? 30);
const POP_WARMUP_CALLS = 10;
const OFFER_TIMEOUT_MS = 10_000;

// Decision time: the floor and how many single-agent decisions are timed.
export const FLOOR_AGENTS = 5_000;
export const FLOOR_WAITING = 20_000;
const FLOOR_FREE_AT_START = 50;
export const DECISIONS = Number(process.env.BENCH_ROUTING_DECISIONS ?? 200);
/** Distinct callers whose profiles are fetched for the waiting calls (fetching 20,000 would take ~30 s). */
const PROFILE_POOL = 2_000;

export const HOTLINE = '+864008895555';
/** A Wednesday at 10:00 in Shanghai: the IVR offers agents. Routing itself runs on the real clock. */
export const OPEN = () => new Date('2026-11-18T02:00:00Z');
export const LEASE_SECONDS = 300; // AGENT_LEASE_SECONDS' maximum: 1,000 idle consoles need no heartbeat during the bench

export type Tier = 'PRIVATE' | 'DIAMOND' | 'GOLD' | 'STANDARD';
export type Weighted<T> = readonly (readonly [T, number])[];
interface Team { skills: string[]; english?: boolean }

export const TIER_MIX: Weighted<Tier> = [['PRIVATE', 0.01], ['DIAMOND', 0.03], ['GOLD', 0.16], ['STANDARD', 0.8]];
/** The teams of a phone-banking floor by share of agents, first skill the team's own. Everybody speaks Mandarin. */
const TEAMS: Weighted<Team> = [
  [{ skills: ['general'] }, 0.4],
  [{ skills: ['cards', 'general'] }, 0.15],
  [{ skills: ['loans', 'general'] }, 0.1],
  [{ skills: ['deposits', 'general'] }, 0.08],
  [{ skills: ['wealth', 'funds_fx'] }, 0.08],
  [{ skills: ['complaints', 'retention'] }, 0.06],
  [{ skills: ['english', 'general'], english: true }, 0.05],
  [{ skills: ['private_banking', 'wealth'] }, 0.03],
  [{ skills: ['security'] }, 0.05], // the fraud desk: no security call waits in this bench (see the last decision figure)
];
/** What GOLD and STANDARD callers queue for (PRIVATE and DIAMOND go to their own desks). */
export const MENU_SKILLS: Weighted<string> = [
  ['general', 0.45], ['cards', 0.2], ['loans', 0.1], ['deposits', 0.08], ['wealth', 0.07], ['complaints', 0.05], ['funds_fx', 0.03], ['retention', 0.02],
];
const UNKNOWN_CALLERS = 0.1; // numbers the bank does not know: no customer, no profile

// ---- small helpers --------------------------------------------------------------------------------

/** A seeded generator (mulberry32): every run places the same floor and the same callers. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(random: () => number, choices: Weighted<T>): T {
  let x = random() * choices.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of choices) if ((x -= weight) < 0) return value;
  return choices[choices.length - 1]![0];
}

export function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  }));
  return out;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
export const spread = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}`;
};

/** Runs `run` on a fresh copy of the 100,000-customer bank, dropped afterwards. */
export async function withBankCopy<T>(name: string, run: (url: string) => Promise<T>): Promise<T> {
  const admin = knexPkg.knex({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  const url = new URL(BENCH_DB_URL);
  url.pathname = `/${name}`;
  try {
    if (!(await admin('pg_database').where({ datname: BANK }).first('datname'))) {
      throw new Error(`routing bench: no bank in database ${BANK}; run BENCH_ONLY=customers npm run bench first`);
    }
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${name} TEMPLATE ${BANK}`);
    return await run(url.toString());
  } finally {
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  }
}

/**
 * Closes the calls earlier benches left in the bank's queue, so each part starts from an empty one:
 * ivr.bench.ts sends a caller's next gather after the turn that queued them (PRIVATE and DIAMOND
 * callers queue right after the language menu), which queues them a second time, and its hang-up
 * closes only the newer entry. Left alone they would be offered to this bench's agents and expire
 * back into the queue every 15 s, again and again.
 */
export async function closeLeftoverCalls(db: Knex): Promise<number> {
  return db('queue_entries').whereIn('state', ['waiting', 'offered', 'connecting', 'connected']).update({ state: 'abandoned', agent_id: null, ended_at: new Date() });
}

// ---- agents -------------------------------------------------------------------------------------

type PresetState = 'available' | 'on_call' | 'wrap_up' | 'away';
export interface FloorAgent { id: number; username: string; skills: Record<string, number>; state: PresetState }

/** A team's skills with levels: the team's own skill 1-5, the others 1-2. */
function skillsOf(random: () => number, team: Team): Record<string, number> {
  return Object.fromEntries(team.skills.map((s, i) => [s, i === 0 ? 1 + Math.floor(random() * 5) : 1 + Math.floor(random() * 2)]));
}

/** `count` agents drawn from the teams, `free` of them available (never the fraud desk: no call here fits them), the rest in `busy` states. */
function planFloor(random: () => number, count: number, free: number, busy: (i: number) => PresetState): { team: Team; state: PresetState }[] {
  const teams = Array.from({ length: count }, () => pick(random, TEAMS));
  const freeable = shuffle(random, teams.flatMap((t, i) => (t.skills.includes('security') ? [] : [i]))).slice(0, free);
  const states = shuffle(random, Array.from({ length: count - free }, (_, i) => busy(i)));
  const chosen = new Set(freeable);
  return teams.map((team, i) => ({ team, state: chosen.has(i) ? 'available' : states.pop()! }));
}

/**
 * Agent logins in bulk (users + agents rows), one per entry of the plan, each logged in with a
 * live lease. No password: the consoles' tokens are signed with the app's key.
 */
async function insertAgents(db: Knex, prefix: string, plan: { team: Team; state: PresetState }[], random: () => number): Promise<FloorAgent[]> {
  const users: { id: number; username: string }[] = [];
  for (let from = 0; from < plan.length; from += 1000) {
    const chunk = plan.slice(from, from + 1000).map((_, k) => `${prefix}${from + k}`);
    users.push(...await db('users').insert(chunk.map((username) => ({ username, password_hash: 'x', role: 'agent', display_name: `Bench ${username}` }))).returning(['id', 'username']));
  }
  const now = Date.now();
  const rows = users.map((u, i) => ({ ...u, ...plan[i]!, skills: skillsOf(random, plan[i]!.team) }));
  await db.batchInsert('agents', rows.map((a) => ({
    user_id: a.id, state: a.state, reason: a.state === 'away' ? 'break' : null,
    skills: JSON.stringify(a.skills), languages: a.team.english || random() < 0.1 ? ['zh', 'en'] : ['zh'],
    // The available ones have been idle for up to ten minutes: longest idle goes first.
    idle_since: a.state === 'available' ? new Date(now - random() * 600_000) : null,
    lease_until: new Date(now + LEASE_SECONDS * 1000),
  })), 1000);
  return rows.map((a) => ({ id: a.id, username: a.username, skills: a.skills, state: a.state }));
}

/** Runs `f` `times` times, one after another. */
async function repeat<T>(times: number, f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await f());
  return out;
}

// ---- 1. screen-pop latency ------------------------------------------------------------------------

interface OfferPayload { interaction_id: string; customer_id: number | null; profile: unknown }
interface Offer { at: number; agentId: number; payload: OfferPayload }

/** Every call:offered any console hears, stamped on arrival and kept by interaction; each call's driver awaits its own. */
function createOfferBoard() {
  const heard = new Map<string, Offer>();
  const waiting = new Map<string, (o: Offer) => void>();
  let repeats = 0;
  return {
    heard(agentId: number, payload: OfferPayload) {
      const offer = { at: performance.now(), agentId, payload };
      if (heard.has(payload.interaction_id)) repeats++;
      heard.set(payload.interaction_id, offer);
      waiting.get(payload.interaction_id)?.(offer);
    },
    async next(interactionId: string, timeoutMs: number): Promise<Offer | null> {
      const already = heard.get(interactionId);
      if (already) return already;
      const timeout = sleep(timeoutMs, null);
      const offered = new Promise<Offer>((resolve) => waiting.set(interactionId, resolve));
      try {
        return await Promise.race([offered, timeout]);
      } finally {
        waiting.delete(interactionId);
      }
    },
    /** Offers heard twice for one call (a re-offer): none expected, as every offer is answered by a hang-up at once. */
    repeats: () => repeats,
  };
}

type OfferBoard = ReturnType<typeof createOfferBoard>;

/** An agent console: a socket.io client on /agent with the agent's token, reporting every offer to the board. */
async function connectConsole(url: string, token: string, agentId: number, board: OfferBoard): Promise<Socket> {
  const socket = io(`${url}/agent`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  socket.on('call:offered', (payload: OfferPayload) => board.heard(agentId, payload));
  // agent:restore comes once the server has joined the agent's room and renewed the lease.
  await new Promise<void>((resolve, reject) => {
    socket.once('agent:restore', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

async function request(socket: Socket, event: string, body: unknown): Promise<void> {
  const reply = await socket.timeout(10_000).emitWithAck(event, body);
  if (!reply.ok) throw new Error(`${event}: ${reply.error.code}`);
}

interface Hotline { app: FastifyInstance; db: Knex; sim: Simulator; url: string; redis: boolean; leftovers: number }

/** The app on a port, wired to a Twilio simulator as test/helpers/hotline.ts does: nothing mocked. */
async function startHotline(databaseUrl: string): Promise<Hotline> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const sim = createSimulator({ accountSid, authToken, numbers: {}, timeScale: 0.001 });
  const simUrl = await sim.listen();
  const config = loadConfig({
    DATABASE_URL: databaseUrl, REDIS_URL: process.env.REDIS_URL, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', JWT_SECRET: randomBytes(24).toString('hex'),
    TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_BASE: simUrl,
    ROUTING_SWEEP_MS: '200', // as the routing tests run it: the backstop pass, on top of each webhook's own
    AGENT_LEASE_SECONDS: String(LEASE_SECONDS),
  });
  const db = createDb(config, { poolMax: 20 });
  await db.migrate.latest();
  const leftovers = await closeLeftoverCalls(db);
  // A weekday morning (the queue's hours), on a clock that runs.
  const app = await buildApp(config, { db, now: clockFrom(OPEN().toISOString()).now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = app.telephony.publicUrl();
  sim.setNumber(HOTLINE, { voiceUrl: `${url}/twilio/voice/incoming`, statusCallback: `${url}/twilio/voice/status`, statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] });
  return { app, db, sim, url, redis: Boolean(config.REDIS_URL), leftovers };
}

/**
 * Numbers of GOLD and STANDARD customers that identify exactly one customer: their IVR path to an
 * agent is the same two keys as an unknown caller's ('1' Mandarin, '0' agent), and the pop carries
 * their profile, fetched at enqueue.
 */
export async function callerNumbers(db: Knex, count: number): Promise<string[]> {
  const rows = await db.raw(`
    SELECT p.phone FROM customer_phones p JOIN customers c ON c.id = p.customer_id
    WHERE c.tier IN ('GOLD', 'STANDARD') AND p.phone IN (SELECT phone FROM customer_phones GROUP BY phone HAVING COUNT(*) = 1)
    ORDER BY md5(p.phone) LIMIT ?`, [count]);
  return (rows.rows as { phone: string }[]).map((r) => r.phone);
}

interface PopTiming { fromDial: number; fromQueue: number; profile: boolean }

/**
 * One caller: dial, Mandarin, then '0' for an agent, which queues the call. Timed to the moment the
 * offered agent's console hears call:offered; then the caller hangs up, which frees the agent.
 */
async function placeCall(h: Hotline, from: string, board: OfferBoard): Promise<PopTiming> {
  const dialled = performance.now();
  const call = h.sim.dial({ from, to: HOTLINE });
  try {
    await call.waitFor('gathering');
    await call.press('1');
    await call.waitFor('gathering');
    const interaction = await h.db('interactions').where({ call_sid: call.sid }).first('id');
    const pressed = performance.now();
    await call.press('0');
    const offer = await board.next(interaction.id as string, OFFER_TIMEOUT_MS);
    if (!offer) throw new Error(`call ${call.sid}: no call:offered within ${OFFER_TIMEOUT_MS} ms`);
    return { fromDial: offer.at - dialled, fromQueue: offer.at - pressed, profile: offer.payload.profile !== null };
  } finally {
    await call.hangup();
  }
}

/** Starts one call every 1/rate seconds whatever the earlier ones are doing (an open arrival stream). */
async function callsAtRate(count: number, rate: number, place: (i: number) => Promise<PopTiming>) {
  const started = performance.now();
  const calls: Promise<PopTiming>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    calls.push(place(i));
  }
  const lastStart = (performance.now() - started) / 1000;
  const settled = await Promise.allSettled(calls);
  return {
    done: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    failures: settled.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error).message).split('\n')[0]!] : [])),
    achievedRate: count > 1 ? (count - 1) / lastStart : rate,
  };
}

async function benchScreenPop(databaseUrl: string): Promise<void> {
  const h = await startHotline(databaseUrl);
  const consoles: Socket[] = [];
  try {
    const random = seeded(4);
    const plan = planFloor(random, POP_AGENTS, POP_AVAILABLE, (i) => (i < POP_ON_CALL ? 'on_call' : 'away'));
    // The available ones start away and then say so over their socket, as a console does.
    const agents = await insertAgents(h.db, 'pop', plan.map((p) => ({ ...p, state: p.state === 'available' ? 'away' : p.state })), random);
    const states = plan.map((p) => p.state);
    const board = createOfferBoard();
    const sockets = await pool(agents, 50, async (a) => connectConsole(h.url, await signIn(h.app, a.id), a.id, board));
    consoles.push(...sockets);
    await pool(sockets.filter((_, i) => states[i] === 'available'), 20, (s) => request(s, 'state:set', { state: 'available' }));

    const calls = Math.round(POP_RATE * POP_SECONDS);
    const phones = await callerNumbers(h.db, POP_WARMUP_CALLS + calls);
    for (let i = 0; i < POP_WARMUP_CALLS; i++) await placeCall(h, phones[i]!, board); // warm-up: JIT, pools, caches
    const webhooksBefore = h.sim.exchanges.filter((x) => x.kind === 'webhook').length;
    const holdPollsBefore = h.sim.exchanges.filter((x) => x.kind === 'webhook' && x.url.includes('/queue-wait')).length;
    const run = await callsAtRate(calls, POP_RATE, (i) => placeCall(h, phones[POP_WARMUP_CALLS + i]!, board));
    const webhooks = h.sim.exchanges.filter((x) => x.kind === 'webhook').length - webhooksBefore;
    const holdPolls = h.sim.exchanges.filter((x) => x.kind === 'webhook' && x.url.includes('/queue-wait')).length - holdPollsBefore;

    const timings = run.done;
    console.log(`routing screen-pop: simulator dial → IVR → queue → matcher → agent console (${POP_AGENTS.toLocaleString('en')} agents on socket.io /agent: `
      + `${POP_AVAILABLE} available, ${POP_ON_CALL} on a call, ${POP_AGENTS - POP_AVAILABLE - POP_ON_CALL} away; `
      + `${calls} calls at ${POP_RATE} calls/s (achieved ${run.achievedRate.toFixed(1)}); socket.io Redis adapter ${h.redis ? 'on' : 'off'}):`);
    console.log(`  from the '0' press (the enqueue turn): ${spread(timings.map((t) => t.fromQueue))}`);
    console.log(`  from dial (incoming and language turns too; simulated prompts take no wall time): ${spread(timings.map((t) => t.fromDial))}`);
    console.log(`  ${timings.length}/${calls} offered, ${timings.filter((t) => t.profile).length} with the caller's profile, ${board.repeats()} re-offers, ${run.failures.length} failed`
      + (run.failures.length ? ` (first: ${run.failures[0]})` : ''));
    // At timeScale 0.001 a waiting caller refetches the hold document every ~10 ms, not every ~30 s:
    // queue-wait polls are the simulator's extra load, and what breaks first at higher call rates.
    console.log(`  ${(webhooks / calls).toFixed(1)} webhooks per call, of which ${(holdPolls / calls).toFixed(1)} queue-wait polls (the simulator's hold loop at timeScale 0.001)`
      + (h.leftovers ? `; ${h.leftovers} calls left queued in the bank by earlier benches closed first` : ''));
  } finally {
    for (const s of consoles) s.disconnect();
    await h.sim.close();
    await h.app.close();
    // close() stops the sweeper's timer but does not wait for a sweep already running; give it
    // time to finish, or its next query waits on the destroyed pool for knex's 60 s acquire timeout.
    await sleep(500);
    await h.db.destroy();
  }
}

// ---- 2. decision time ------------------------------------------------------------------------------

interface PoolCustomer { id: number; language: string; rm_id: number | null; profile: string }

/** A few real callers per tier, with the pop prepared as enqueue prepares it; the waiting calls draw from these. */
async function callerPool(db: Knex): Promise<Map<Tier, PoolCustomer[]>> {
  const customers = createCustomersService({ db, tiers: createTiersService(DEFAULT_TIER_MODEL) });
  const byTier = new Map<Tier, PoolCustomer[]>();
  for (const [tier, share] of TIER_MIX) {
    const rows: { id: number; language: string; rm_id: number | null }[] = await db('customers').where({ tier })
      .orderByRaw('md5(id::text)').limit(Math.ceil(PROFILE_POOL * share)).select('id', 'language', 'rm_id');
    byTier.set(tier, await pool(rows, 8, async (r) => ({ ...r, profile: JSON.stringify(await customers.prefetchProfile(r.id)) })));
  }
  return byTier;
}

/**
 * 20,000 waiting calls as the IVR would have queued them over the last twenty minutes: an
 * interaction and a queue entry each, with the tier's head start in the priority time.
 */
async function insertWaitingCalls(db: Knex, random: () => number, callers: Map<Tier, PoolCustomer[]>, headStarts: HeadStarts): Promise<void> {
  const now = Date.now();
  const interactions: Record<string, unknown>[] = [];
  const entries: Record<string, unknown>[] = [];
  for (let i = 0; i < FLOOR_WAITING; i++) {
    const tier = pick(random, TIER_MIX);
    const known = tier !== 'STANDARD' || random() >= UNKNOWN_CALLERS / 0.8;
    const candidates = callers.get(tier)!;
    const caller = known ? candidates[Math.floor(random() * candidates.length)]! : null;
    const skill = tier === 'PRIVATE' ? 'private_banking' : tier === 'DIAMOND' ? 'wealth' : pick(random, MENU_SKILLS);
    const language = caller?.language ?? (random() < 0.95 ? 'zh' : 'en');
    const enqueued = new Date(now - random() * 1_200_000);
    const id = randomUUID();
    const sid = `CA${randomBytes(16).toString('hex')}`;
    interactions.push({
      id, customer_id: caller?.id ?? null, channel: 'phone', direction: 'inbound', tier_at_time: caller ? tier : null, call_sid: sid, dnis: HOTLINE,
      language, queue_skill: skill, started_at: new Date(enqueued.getTime() - 40_000), queued_at: enqueued,
    });
    entries.push({
      interaction_id: id, call_sid: sid, skill, language, tier, customer_id: caller?.id ?? null, rm_id: caller?.rm_id ?? null,
      enqueued_at: enqueued, priority_at: priorityAt(enqueued, tier, headStarts), profile: caller?.profile ?? null,
      ivr: JSON.stringify({ path: ['choose_language', 'identify_caller', 'main_menu', `agent_${skill}`], verified: false, self_service: [], reason: `queue_${skill}`, skill, language }),
      estimated_wait_s: Math.round(random() * 900),
    });
  }
  await db.batchInsert('interactions', interactions, 1000);
  await db.batchInsert('queue_entries', entries, 1000);
}

/** 5,000 agents, nearly all busy, and 20,000 waiting calls; returns the agents. */
export async function seedFloor(db: Knex, headStarts: HeadStarts): Promise<FloorAgent[]> {
  const random = seeded(7);
  const plan = planFloor(random, FLOOR_AGENTS, FLOOR_FREE_AT_START, (i) => (i < FLOOR_AGENTS * 0.08 ? 'away' : i < FLOOR_AGENTS * 0.13 ? 'wrap_up' : 'on_call'));
  const agents = await insertAgents(db, 'floor', plan, random);
  await insertWaitingCalls(db, random, await callerPool(db), headStarts);
  // A floor that filled up over a morning has planner statistics; a bulk insert has none until autovacuum passes.
  await db.raw('ANALYZE agents, users, queue_entries, interactions');
  return agents;
}

export async function timedPass(routing: RoutingService): Promise<{ ms: number; made: number }> {
  const started = performance.now();
  const made = await routing.matchPass();
  return { ms: performance.now() - started, made };
}

/** An agent back from a call: available now, so the longest-idle agents stay ahead of them. */
export async function makeAvailable(db: Knex, agentId: number): Promise<void> {
  const now = new Date();
  await db('agents').where({ user_id: agentId }).update({ state: 'available', reason: null, state_since: now, idle_since: now, lease_until: new Date(now.getTime() + LEASE_SECONDS * 1000) });
}

async function benchDecisions(databaseUrl: string): Promise<void> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', ...simulatorOn(databaseUrl) });
  const db = createDb(config, { poolMax: 10 });
  try {
    await db.migrate.latest();
    await closeLeftoverCalls(db);
    const headStarts = parseHeadStarts(config.ROUTING_TIER_HEADSTART);
    const seedStarted = performance.now();
    const agents = await seedFloor(db, headStarts);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // The service as app.ts builds it, minus the sockets: offers go nowhere, which is not what is timed.
    const routing = createRoutingService({
      db, customers: createCustomersService({ db, tiers: createTiersService(DEFAULT_TIER_MODEL) }), notify: () => undefined, log: Fastify({ logger: false }).log,
      policy: routingPolicy(config, loadCalendars()),
    });

    // The agents free at the start all take a call in one pass.
    const first = await timedPass(routing);

    // Busy agents (not the fraud desk: no call waits for them) come free one at a time; each pass offers them their best call.
    const random = seeded(11);
    const returning = shuffle(random, agents.filter((a) => a.state === 'on_call' && !a.skills.security)).slice(0, DECISIONS);
    const decisions: number[] = [];
    let offered = 0;
    for (const a of returning) {
      await makeAvailable(db, a.id);
      const pass = await timedPass(routing);
      decisions.push(pass.ms);
      offered += pass.made;
    }

    // Nobody free: the pass that every sweep and every webhook triggers on a full floor.
    const idle = await repeat(20, () => timedPass(routing));

    // One free agent no waiting call fits: the pass's SQL cut (reachOf) leaves nothing to read.
    const specialist = agents.find((a) => a.state === 'on_call' && a.skills.security && Object.keys(a.skills).length === 1)!;
    await makeAvailable(db, specialist.id);
    const fruitless = await repeat(5, () => timedPass(routing));
    const stillWaiting = Number((await db('queue_entries').where({ state: 'waiting' }).count('* as n').first())?.n ?? 0);

    console.log(`routing decisions: matchPass on ${FLOOR_AGENTS.toLocaleString('en')} agents and ${FLOOR_WAITING.toLocaleString('en')} waiting calls `
      + `(tiers 1/3/16/80 %, ${TEAMS.length} teams; floor seeded in ${seedSeconds.toFixed(1)} s):`);
    console.log(`  first pass, ${FLOOR_FREE_AT_START} agents free: ${ms(first.ms)} (${first.made} offers, ${ms(first.ms / Math.max(1, first.made))} per offer)`);
    const total = decisions.reduce((sum, x) => sum + x, 0);
    console.log(`  one agent freed at a time: ${spread(decisions)} per decision; ${decisions.length} passes, ${offered} offers in ${(total / 1000).toFixed(2)} s`);
    console.log(`  no agent free: ${spread(idle.map((p) => p.ms))} per pass`);
    console.log(`  one free agent whom none of the ${stillWaiting.toLocaleString('en')} waiting calls fits: ${spread(fruitless.map((p) => p.ms))} per pass (${fruitless.reduce((n, p) => n + p.made, 0)} offers)`);
  } finally {
    await db.destroy();
  }
}

export async function benchRouting(): Promise<void> {
  // BENCH_ROUTING=decisions: only the matcher on the big floor (the screen-pop part takes minutes).
  if (process.env.BENCH_ROUTING !== 'decisions') await withBankCopy('sb_bench_routing_pop', benchScreenPop);
  await withBankCopy('sb_bench_routing_floor', benchDecisions);
}
