import type { Knex } from 'knex';
import { startOfLocalDay, BANK_TIME_ZONE } from '../lib/local-time.js';
import { maskPhone } from '../lib/phone.js';
import { createRng, type Rng } from '../lib/rng.js';

/**
 * Synthetic hotline history for the seeded bank: days of calls written as the real services
 * write them (an `interactions` row, its `interaction_events` timeline, and the agents'
 * `agent_state_events`), so that reports, the timeline view and anything else reading the log
 * treat them exactly like real calls. Only the events nothing derives a figure from (IVR
 * keystrokes, routing traces, Twilio status callbacks) are left out.
 *
 * What it models: arrivals by weekday and hour of the bank's day, a tier mix, identification and
 * PIN verification, self-service the IVR completes (contained calls), callbacks after hours, a
 * floor of agents on two shifts with breaks who take calls in turn (the caller's own relationship
 * manager first), waits against each caller's patience (abandons), hold, blind transfers to
 * another queue, wrap-up with reason codes, the post-call survey, and customers calling again on
 * the same matter within days (what first-contact resolution counts).
 *
 * Deterministic for a seed, except the queue entry ids, which come from the live sequence so that
 * they never collide with real calls. Bulk-loaded with one INSERT … SELECT FROM unnest() per table
 * and batch, like the synthetic bank.
 */
export interface HistoryOptions {
  /** Days of history, ending at `end`. */
  days: number;
  /** History ends here (exclusive); default: the bank's local midnight today, so today stays live. */
  end?: Date;
  /** Calls on an average weekday; default: what the seeded floor can take (about 30 per agent). */
  callsPerDay?: number;
  /** Exactly this many calls in all, spread over the days as `callsPerDay` would be (it is then ignored). */
  totalCalls?: number;
  seed?: number;
  /**
   * Agents who cannot log in (no password), added when the seeded floor is too small for
   * `callsPerDay`; default: as many as that volume needs.
   */
  extraAgents?: number;
  timeZone?: string;
  log?: (message: string) => void;
}

export interface HistorySummary {
  interactions: number;
  visits: number;
  events: number;
  agent_state_events: number;
  agents: number;
  from: Date;
  to: Date;
}

export const DEFAULT_HISTORY_SEED = 20261001;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const HOTLINE = '+864008895555';

/** Relative arrivals per local hour (0-23): a morning and an afternoon peak, quiet nights. */
const HOUR_WEIGHTS = [0.12, 0.08, 0.06, 0.06, 0.08, 0.12, 0.25, 0.55, 1.1, 1.6, 1.8, 1.7, 1.15, 1.3, 1.7, 1.6, 1.45, 1.2, 0.9, 0.8, 0.7, 0.5, 0.3, 0.18];
/** Relative volume by weekday, Sunday first: Monday is the busiest day, weekends the quietest. */
const HOURS: Weighted<number> = HOUR_WEIGHTS.map((w, h) => [h, w] as const);
const WEEKDAY_WEIGHTS = [0.55, 1.2, 1.05, 1.0, 1.0, 1.05, 0.65];
/** Agents take calls 08:00-22:00 local; outside those hours the IVR offers a callback. */
const HUMAN_HOURS = [8, 22] as const;
const SHIFTS = [{ start: 8, end: 16.5 }, { start: 13.5, end: 22 }] as const;
/** Breaks into each shift (hours after its start, give or take an hour across the team; minutes away). */
const BREAKS = [{ after: 2.5, minutes: 15, reason: 'break' }, { after: 4.5, minutes: 30, reason: 'break' }, { after: 6.5, minutes: 15, reason: 'break' }] as const;

type Tier = 'PRIVATE' | 'DIAMOND' | 'GOLD' | 'STANDARD';
type Weighted<T> = readonly (readonly [T, number])[];
const TIER_MIX: Weighted<Tier> = [['PRIVATE', 0.02], ['DIAMOND', 0.05], ['GOLD', 0.2], ['STANDARD', 0.73]];
const UNKNOWN_CALLERS = 0.12;
const MENU_SKILLS: Weighted<string> = [
  ['general', 0.45], ['cards', 0.2], ['loans', 0.1], ['deposits', 0.08], ['wealth', 0.07], ['complaints', 0.05], ['funds_fx', 0.03], ['retention', 0.02],
];
/** Mean patience in seconds by tier: how long a caller waits before hanging up (exponential). */
const PATIENCE: Record<Tier, number> = { PRIVATE: 300, DIAMOND: 240, GOLD: 200, STANDARD: 160 };
/** The reasons agents record by skill, and the products that go with them. */
const REASONS: Record<string, readonly string[]> = {
  general: ['balance_query', 'statement_request', 'address_change', 'transfer_issue', 'ebanking_login'],
  cards: ['card_lost', 'card_limit', 'card_fee', 'card_activation', 'card_dispute'],
  loans: ['loan_repayment', 'mortgage_rate', 'loan_application'],
  deposits: ['time_deposit', 'deposit_rate', 'account_opening'],
  wealth: ['fund_advice', 'wealth_product', 'insurance_query'],
  complaints: ['complaint_fee', 'complaint_service', 'complaint_card'],
  funds_fx: ['fx_rate', 'fund_redemption'],
  retention: ['account_close', 'fee_waiver'],
  security: ['fraud_report', 'pin_reset'],
  private_banking: ['portfolio_review', 'large_transfer', 'wealth_product'],
};
const PRODUCTS: Record<string, readonly string[]> = {
  cards: ['credit_card', 'debit_card'], loans: ['mortgage', 'personal_loan'], deposits: ['time_deposit', 'savings'],
  wealth: ['fund', 'insurance'], funds_fx: ['fx', 'fund'], private_banking: ['fund', 'structured_deposit'],
};
const DISPOSITIONS: Weighted<string> = [['resolved', 0.6], ['information_only', 0.15], ['follow_up', 0.1], ['sale', 0.05], ['escalated', 0.04], ['no_action', 0.06]];
const SELF_SERVICES: Weighted<string> = [['balance', 0.5], ['transactions', 0.3], ['time_deposits', 0.15], ['lost_card', 0.05]];
const SERVICE_NODE: Record<string, string> = { balance: 'do_balance', transactions: 'do_transactions', time_deposits: 'do_deposits', lost_card: 'lost_report' };
const SCORES: Weighted<number> = [[5, 0.45], [4, 0.3], [3, 0.12], [2, 0.06], [1, 0.07]];
/** Share of calls that are a customer calling back on the same matter within a week. */
const REPEAT_SHARE = 0.07;
const TRANSFER_SHARE = 0.06;
const HOLD_SHARE = 0.18;
const SURVEY_SHARE = 0.35;
/** A caller's own relationship manager is worth waiting this long for (ROUTING_RM_WAIT_SECONDS' default). */
const RM_WAIT_MS = 20_000;
const OVERFLOW_MS = 60_000;
/** Routing picks up a free agent this long after they become free (a sweep or kick). */
const ROUTING_LAG_MS = 250;
const CALLS_PER_AGENT_DAY = 30;
const BATCH_EVENTS = 20_000;

const pick = <T>(rng: Rng, items: Weighted<T>): T => {
  let x = rng.next() * items.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1]![0];
};
const between = (rng: Rng, lo: number, hi: number) => lo + rng.next() * (hi - lo);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const exponential = (rng: Rng, mean: number) => -mean * Math.log(1 - rng.next());

function uuid(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += Math.floor(rng.next() * 0x100000000).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Customer { id: number; tier: Tier; rm_id: number | null; language: string; phone: string }

interface AgentDay { start: number; end: number; breaks: { at: number; ms: number; reason: string }[]; next: number }

interface Agent {
  id: number;
  skills: Record<string, number>;
  rm_id: number | null;
  /** When the agent is next free (after the current call's wrap-up, or a break). */
  freeAt: number;
  day: AgentDay | null;
}

interface Ev { at: number; type: string; node: string | null; data: Record<string, unknown> }
interface StateRow { agent_id: number; state: string; reason: string | null; entry_id: number | null; at: number }

interface Call {
  id: string;
  customer: Customer | null;
  startedAt: number;
  events: Ev[];
  summary: Record<string, unknown>;
}

/** A finished call a customer might ring back about. */
interface Recent { customer: Customer; skill: string; reasons: string[]; at: number }

/** The last week's answered calls, oldest first (a queue: calls are appended in time order). */
class RecentCalls {
  private items: Recent[] = [];
  private head = 0;
  push(r: Recent): void { this.items.push(r); }
  /** A call of the week before `at`, or null. */
  pick(rng: Rng, at: number): Recent | null {
    while (this.head < this.items.length && this.items[this.head]!.at < at - 7 * DAY_MS) this.head++;
    if (this.head > 50_000) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.head >= this.items.length) return null;
    return this.items[this.head + Math.floor(rng.next() * (this.items.length - this.head))]!;
  }
}

/** Rows waiting for the next INSERT, one array per column (the unnest() parameters). */
class Batch {
  interactions: Record<string, unknown[]> = {};
  events: Record<string, unknown[]> = {};
  states: Record<string, unknown[]> = {};
  eventCount = 0;
  push(table: 'interactions' | 'events' | 'states', row: Record<string, unknown>): void {
    const cols = this[table];
    for (const [k, v] of Object.entries(row)) (cols[k] ??= []).push(v);
    if (table === 'events') this.eventCount++;
  }
}

const INTERACTION_COLUMNS = {
  id: 'uuid', customer_id: 'int', channel: 'text', direction: 'text', tier_at_time: 'text', started_at: 'float8', ended_at: 'float8', call_sid: 'text',
  ani_masked: 'text', dnis: 'text', language: 'text', outcome: 'text', queue_skill: 'text', verified: 'bool', self_service: 'text',
  survey_score: 'int', queued_at: 'float8', answered_at: 'float8', agent_user_id: 'int', reason_codes: 'text', products_discussed: 'text',
  disposition: 'text', wrapped_up_at: 'float8',
} as const;
const TIME_COLUMNS = new Set(['started_at', 'ended_at', 'queued_at', 'answered_at', 'wrapped_up_at', 'at']);
const ARRAY_COLUMNS = new Set(['self_service', 'reason_codes', 'products_discussed']);
const EVENT_COLUMNS = { interaction_id: 'uuid', at: 'float8', type: 'text', node: 'text', data: 'jsonb' } as const;
const STATE_COLUMNS = { agent_id: 'int', state: 'text', reason: 'text', entry_id: 'bigint', at: 'float8' } as const;

/** One table's INSERT … SELECT FROM unnest(), its parameters appended to `params`. */
function insertSql(table: string, columns: Record<string, string>, cols: Record<string, unknown[]>, params: unknown[]): string {
  const names = Object.keys(columns);
  const select = names.map((c) => (TIME_COLUMNS.has(c) ? `to_timestamp(${c} / 1000.0)` : ARRAY_COLUMNS.has(c) ? `${c}::text[]` : c));
  for (const c of names) params.push(cols[c] ?? []);
  // WITH ORDINALITY + ORDER BY: ids follow the order rows were generated in (a timeline's order).
  return `INSERT INTO ${table} (${names.join(', ')}) SELECT ${select.join(', ')} FROM unnest(${names.map((c) => `?::${columns[c]}[]`).join(', ')})
    WITH ORDINALITY AS x(${names.join(', ')}, n) ORDER BY n`;
}

/**
 * A batch in one statement (times travel as epoch milliseconds, arrays as PostgreSQL array
 * literals: cheap to build, cast in SQL). The foreign keys from events to their interactions
 * are checked at the end of the statement, when both are in.
 */
async function insertBatch(db: Knex, b: Batch): Promise<void> {
  const params: unknown[] = [];
  const sql = `WITH i AS (${insertSql('interactions', INTERACTION_COLUMNS, b.interactions, params)}),
    e AS (${insertSql('interaction_events', EVENT_COLUMNS, b.events, params)}),
    s AS (${insertSql('agent_state_events', STATE_COLUMNS, b.states, params)})
    SELECT 1`;
  await db.raw(sql, params as Knex.RawBinding[]); // awaited here, once: a knex query runs again on every then()
}

const pgArray = (items: string[]) => `{${items.join(',')}}`;

/**
 * Writes `days` of hotline history ending at `end`. Runs in one transaction: all of it or none.
 */
export async function generateHistory(db: Knex, opts: HistoryOptions): Promise<HistorySummary> {
  const log = opts.log ?? (() => {});
  const tz = opts.timeZone ?? BANK_TIME_ZONE;
  const seed = opts.seed ?? DEFAULT_HISTORY_SEED;
  const rng = createRng(seed);
  const end = startOfLocalDay(opts.end ?? new Date(), tz);
  // Call ids from their own generator, seeded by the range too: the same seed for another
  // stretch of days gives other calls, not the same ids again.
  const ids = createRng((seed ^ Math.imul(Math.floor(end.getTime() / 3_600_000), 0x9e3779b1) ^ Math.imul(opts.days, 0x85ebca6b)) >>> 0);
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new RangeError(`days must be a positive integer (got ${opts.days})`);

  return db.transaction(async (trx) => {
    const customers = await loadCustomers(trx);
    if (customers.all.length === 0) throw new Error('no customers: seed the bank first');
    let agents = await loadAgents(trx);
    const callsPerDay = opts.totalCalls !== undefined ? opts.totalCalls / opts.days : opts.callsPerDay ?? Math.max(20, agents.length * CALLS_PER_AGENT_DAY);
    const extra = opts.extraAgents ?? Math.max(0, Math.ceil(callsPerDay / CALLS_PER_AGENT_DAY) - agents.length);
    if (extra > 0) {
      await addAgents(trx, extra, rng);
      agents = await loadAgents(trx);
    }
    const pools = poolsOf(agents);
    const rmAgent = new Map(agents.filter((a) => a.rm_id !== null).map((a) => [a.rm_id!, a]));

    // The local midnights of each day of the range (23- or 25-hour days where the zone has DST).
    const midnights: number[] = [];
    let day = end.getTime();
    for (let i = 0; i < opts.days; i++) {
      day = startOfLocalDay(new Date(day - 12 * HOUR_MS), tz).getTime();
      midnights.unshift(day);
    }
    const weekday = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short' });
    const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

    const summary: HistorySummary = { interactions: 0, visits: 0, events: 0, agent_state_events: 0, agents: agents.length, from: new Date(midnights[0]!), to: end };
    const entries = entryIds(trx);
    const recent = new RecentCalls();
    let batch = new Batch();
    let callNo = 0;

    // Pipelined: a batch goes to the database while the next one is simulated (two cores: the
    // database is busy with one while this process works on the other).
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      const full = batch;
      batch = new Batch();
      await inFlight;
      inFlight = insertBatch(trx, full);
      inFlight.catch(() => undefined); // awaited at the next flush; no unhandled rejection meanwhile
      await new Promise((resolve) => setImmediate(resolve)); // lets the query leave before the simulation takes the thread
    };

    // Calls per day: the weekday's share, give or take 8%; scaled to the exact total when one is asked for.
    const mean = WEEKDAY_WEIGHTS.reduce((sum, w) => sum + w, 0) / 7;
    const weights = midnights.map((m) => WEEKDAY_WEIGHTS[WEEKDAYS.indexOf(weekday.format(new Date(m + 12 * HOUR_MS)))]! / mean * between(rng, 0.92, 1.08));
    const counts = weights.map((w) => Math.round(callsPerDay * w));
    if (opts.totalCalls !== undefined) {
      const sum = weights.reduce((a, w) => a + w, 0);
      let left = opts.totalCalls;
      for (const [d, w] of weights.entries()) left -= (counts[d] = d === weights.length - 1 ? left : Math.round(opts.totalCalls * w / sum));
    }

    for (const [d, midnight] of midnights.entries()) {
      const states: StateRow[] = [];
      startDay(agents, d, midnight, states);
      const count = counts[d]!;
      const arrivals = Array.from({ length: count }, () => midnight + (pick(rng, HOURS) + rng.next()) * HOUR_MS).sort((a, b) => a - b);
      await inFlight; // its error first, not the aborted transaction's on the next query
      await entries.reserve(count * 2);
      for (const at of arrivals) {
        const call = simulateCall({ rng, ids, at, midnight, callNo: callNo++, customers, recent, pools, rmAgent, states, nextEntry: entries.next });
        call.events.sort((a, b) => a.at - b.at); // stable: same-instant events keep the order the services write them in
        batch.push('interactions', call.summary);
        for (const e of call.events) batch.push('events', { interaction_id: call.id, at: e.at, type: e.type, node: e.node, data: JSON.stringify(e.data) });
        summary.interactions++;
        summary.events += call.events.length;
        if (batch.eventCount >= BATCH_EVENTS) await flush();
      }
      endDay(agents, states);
      states.sort((a, b) => a.at - b.at);
      for (const s of states) batch.push('states', s as unknown as Record<string, unknown>);
      summary.agent_state_events += states.length;
      summary.visits = entries.used();
      if (d % 7 === 6 || d === midnights.length - 1) log(`history: ${new Date(midnight).toISOString().slice(0, 10)}, ${summary.interactions.toLocaleString('en')} calls so far`);
    }
    await flush();
    await inFlight;
    return summary;
  });
}

async function loadCustomers(db: Knex) {
  const rows: Customer[] = await db('customers as c')
    .leftJoin(db.raw('(SELECT DISTINCT ON (customer_id) customer_id, phone FROM customer_phones ORDER BY customer_id, is_primary DESC, id) AS p'), 'p.customer_id', 'c.id')
    .orderBy('c.id').select('c.id', 'c.tier', 'c.rm_id', 'c.language', 'p.phone');
  const byTier = new Map<Tier, Customer[]>();
  for (const c of rows) {
    if (!byTier.has(c.tier)) byTier.set(c.tier, []);
    byTier.get(c.tier)!.push(c);
  }
  return { all: rows, byTier };
}

async function loadAgents(db: Knex): Promise<Agent[]> {
  const rows: { id: number; rm_id: number | null; skills: Record<string, number> }[] = await db('agents as a').join('users as u', 'u.id', 'a.user_id')
    .whereIn('u.role', ['agent', 'rm']).orderBy('u.id').select('u.id', 'u.rm_id', 'a.skills');
  return rows.map((r) => ({ id: r.id, rm_id: r.rm_id, skills: r.skills, freeAt: 0, day: null }));
}

/** Agents for volumes beyond the seeded floor: a team per skill, like routing.bench's floor. */
async function addAgents(db: Knex, count: number, rng: Rng): Promise<void> {
  const teams: Weighted<Record<string, number>> = [
    [{ general: 3 }, 0.45], [{ cards: 3, general: 2 }, 0.17], [{ loans: 3, general: 2 }, 0.1], [{ deposits: 3, general: 2 }, 0.08],
    [{ wealth: 3, funds_fx: 2, private_banking: 1 }, 0.08], [{ complaints: 3, retention: 3 }, 0.07], [{ security: 3, general: 1 }, 0.05],
  ];
  const taken = Number((await db('users').where('username', 'like', 'hist_agent_%').count('* as n').first())?.n ?? 0);
  for (let i = 0; i < count; i += 1000) {
    const users = Array.from({ length: Math.min(1000, count - i) }, (_, k) => {
      const n = String(taken + i + k + 1).padStart(4, '0');
      // 'x' is no argon2 hash: nobody can sign in as a history agent.
      return { username: `hist_agent_${n}`, password_hash: 'x', role: 'agent', display_name: `History Agent ${n}` };
    });
    const rows: { id: number }[] = await db('users').insert(users).returning('id');
    await db('agents').insert(rows.map((r) => ({ user_id: r.id, skills: JSON.stringify(pick(rng, teams)), languages: ['zh', 'en'] })));
  }
}

/** Agents qualified for each skill; a skill nobody has overflows to general, as routing does. */
function poolsOf(agents: Agent[]): Map<string, Agent[]> {
  const pools = new Map<string, Agent[]>();
  for (const a of agents) for (const skill of Object.keys(a.skills)) {
    if (!pools.has(skill)) pools.set(skill, []);
    pools.get(skill)!.push(a);
  }
  return pools;
}

/** Queue entry ids from the live sequence, reserved a block at a time. */
function entryIds(db: Knex) {
  let pool: number[] = [];
  let head = 0;
  let used = 0;
  return {
    async reserve(n: number) {
      const left = pool.length - head;
      if (left >= n) return;
      const rows: { id: number }[] = (await db.raw(`SELECT nextval('queue_entries_id_seq') AS id FROM generate_series(1, ?)`, [n - left])).rows;
      pool = pool.slice(head).concat(rows.map((r) => Number(r.id)));
      head = 0;
    },
    next: (): number => {
      if (head >= pool.length) throw new Error('entry ids exhausted');
      used++;
      return pool[head++]!;
    },
    used: () => used,
  };
}

/** Who works today (five days in seven, staggered) and on which shift; everyone starts available. */
function startDay(agents: Agent[], dayIndex: number, midnight: number, states: StateRow[]): void {
  for (const [i, a] of agents.entries()) {
    a.day = null;
    if ((dayIndex + i) % 7 >= 5) continue;
    const shift = SHIFTS[i % SHIFTS.length]!;
    const start = midnight + shift.start * HOUR_MS;
    // Breaks staggered across the team, so the floor never empties at once.
    const stagger = ((i >> 1) % 6) * 20 * 60_000 - HOUR_MS;
    a.day = { start, end: midnight + shift.end * HOUR_MS, breaks: BREAKS.map((b) => ({ at: start + b.after * HOUR_MS + stagger, ms: b.minutes * 60_000, reason: b.reason })), next: 0 };
    a.freeAt = Math.max(a.freeAt, start);
    states.push({ agent_id: a.id, state: 'available', reason: null, entry_id: null, at: start });
  }
}

/** When the agent could take a call arriving at `t`, counting the breaks due before then. */
function readyAt(a: Agent, t: number): number {
  let free = a.freeAt;
  for (let i = a.day!.next; i < a.day!.breaks.length; i++) {
    const b = a.day!.breaks[i]!;
    if (b.at > Math.max(t, free)) break;
    free = Math.max(free, b.at) + b.ms;
  }
  return Math.max(t, free);
}

/** Takes the breaks due before `t`, with their state changes. */
function takeBreaks(a: Agent, t: number, states: StateRow[]): void {
  const day = a.day!;
  while (day.next < day.breaks.length) {
    const b = day.breaks[day.next]!;
    if (b.at > Math.max(t, a.freeAt)) break;
    const from = Math.max(a.freeAt, b.at);
    states.push({ agent_id: a.id, state: 'away', reason: b.reason, entry_id: null, at: from });
    states.push({ agent_id: a.id, state: 'available', reason: null, entry_id: null, at: from + b.ms });
    a.freeAt = from + b.ms;
    day.next++;
  }
}

/** The rest of the day's breaks, then offline once the last call is wrapped up. */
function endDay(agents: Agent[], states: StateRow[]): void {
  for (const a of agents) {
    if (!a.day) continue;
    const breaks = a.day.breaks.filter((b, i) => i >= a.day!.next && b.at < a.day!.end);
    if (breaks.length) takeBreaks(a, breaks[breaks.length - 1]!.at, states);
    a.freeAt = Math.max(a.freeAt, a.day.end);
    states.push({ agent_id: a.id, state: 'offline', reason: null, entry_id: null, at: a.freeAt });
    a.day = null;
  }
}

interface CallContext {
  rng: Rng;
  /** Draws the call ids. */
  ids: Rng;
  at: number;
  midnight: number;
  callNo: number;
  customers: { all: Customer[]; byTier: Map<Tier, Customer[]> };
  recent: RecentCalls;
  pools: Map<string, Agent[]>;
  rmAgent: Map<number, Agent>;
  states: StateRow[];
  nextEntry: () => number;
}

function chooseCaller(c: CallContext): { customer: Customer | null; repeat: Recent | null } {
  const { rng, at } = c;
  if (rng.chance(REPEAT_SHARE)) {
    const r = c.recent.pick(rng, at);
    if (r) return { customer: r.customer, repeat: r };
  }
  if (rng.chance(UNKNOWN_CALLERS)) return { customer: null, repeat: null };
  const tier = pick(rng, TIER_MIX.filter(([t]) => c.customers.byTier.has(t)));
  return { customer: rng.pick(c.customers.byTier.get(tier)!), repeat: null };
}

function skillFor(rng: Rng, customer: Customer | null): string {
  if (customer?.tier === 'PRIVATE') return 'private_banking';
  if (customer?.tier === 'DIAMOND' && rng.chance(0.6)) return 'wealth';
  return pick(rng, MENU_SKILLS);
}

/** One call from the first ring to the survey: its events, its summary row, its agents' states. */
function simulateCall(c: CallContext): Call {
  const { rng, at } = c;
  const { customer, repeat } = chooseCaller(c);
  const id = uuid(c.ids);
  const events: Ev[] = [];
  const ev = (t: number, type: string, data: Record<string, unknown> = {}, node: string | null = null) => events.push({ at: t, type, node, data });
  const phone = customer?.phone ?? `+86139${String(10_000_000 + c.callNo % 90_000_000).slice(-8)}`;
  const language = customer?.language === 'en' ? 'en' : 'zh';
  const tier = customer?.tier ?? null;
  const summary: Record<string, unknown> = {
    id, customer_id: customer?.id ?? null, channel: 'phone', direction: 'inbound', tier_at_time: tier, started_at: at, ended_at: null,
    call_sid: `CA${id.replace(/-/g, '')}`, ani_masked: maskPhone(phone), dnis: HOTLINE, language, outcome: null, queue_skill: null, verified: false,
    self_service: '{}', survey_score: null, queued_at: null, answered_at: null, agent_user_id: null, reason_codes: '{}', products_discussed: '{}',
    disposition: null, wrapped_up_at: null,
  };
  ev(at, 'started', { from: maskPhone(phone), to: HOTLINE, flow: 'hotline' });
  let t = at + between(rng, 3, 6) * 1000;
  if (customer) ev(t, 'identified', { customer_id: customer.id, tier, method: 'ani' }, 'identify_caller');
  const verified = customer !== null && rng.chance(repeat ? 0.8 : 0.6);
  if (verified) {
    t += between(rng, 10, 20) * 1000;
    ev(t, 'verified', { customer_id: customer.id }, 'auth_verify');
    summary.verified = true;
  }
  const localHour = (at - c.midnight) / HOUR_MS;
  const open = localHour >= HUMAN_HOURS[0] && localHour < HUMAN_HOURS[1];
  const finish = (endAt: number, outcome: string) => {
    ev(endAt, 'ended', { status: 'completed', duration_s: Math.round((endAt - at) / 1000) });
    summary.ended_at = endAt;
    summary.outcome = outcome;
    return { id, customer, startedAt: at, events, summary };
  };

  if (verified && !repeat && rng.chance(0.4)) {
    const service = pick(rng, SELF_SERVICES);
    t += between(rng, 8, 20) * 1000;
    ev(t, 'self_service', { service, customer_id: customer.id }, SERVICE_NODE[service]!);
    summary.self_service = pgArray([service]);
    if (rng.chance(0.7)) return finish(t + between(rng, 15, 45) * 1000, 'self_service');
  }
  const skill = repeat?.skill ?? skillFor(rng, customer);
  if (!repeat && rng.chance(0.08)) return finish(t + between(rng, 5, 40) * 1000, 'hangup_in_ivr');
  if (!open) {
    if (rng.chance(0.5)) {
      ev(t + 8000, 'callback_requested', { reason: skill }, `after_hours_${skill === 'complaints' ? 'complaints' : 'general'}`);
      summary.outcome = 'callback';
      return finish(t + 20_000, 'callback');
    }
    return finish(t + between(rng, 5, 20) * 1000, 'hangup_in_ivr');
  }

  t += between(rng, 10, 40) * 1000;
  summary.queue_skill = skill;
  summary.queued_at = t;
  ev(t, 'queued', { skill, priority: 0, tier }, `queue_${skill}`);
  const first = visit(c, { events, at: t, skill, customer, tier: tier ?? 'STANDARD', transferable: true, reason: repeat ? rng.pick(repeat.reasons) : null });
  if (first.outcome === 'abandoned') return finish(first.endAt + 500, 'abandoned');
  // The summary keeps the last answer and the last wrap-up, as the services overwrite it.
  const last = first.next?.outcome === 'answered' ? first.next : first;
  summary.answered_at = last.answeredAt;
  summary.agent_user_id = last.agentId;
  summary.disposition = last.wrap!.disposition;
  summary.reason_codes = pgArray(last.wrap!.reason_codes);
  summary.products_discussed = pgArray(last.wrap!.products_discussed);
  summary.wrapped_up_at = last.wrap!.at;
  const reasons = [...new Set([...first.wrap!.reason_codes, ...(first.next?.wrap?.reason_codes ?? [])])];
  if (customer && !repeat) c.recent.push({ customer, skill, reasons, at });
  let endAt = first.endAt + 1000;
  if (first.next?.outcome !== 'abandoned' && rng.chance(SURVEY_SHARE)) {
    // Long waits cost points: the survey is where callers say so.
    const waited = (first.answeredAt! - first.at) / 1000;
    const score = clamp(pick(rng, SCORES) - (waited > 120 && rng.chance(0.5) ? 1 : 0), 1, 5);
    ev(endAt + 8000, 'survey_score', { score }, 'survey');
    summary.survey_score = score;
    endAt += 10_000;
  }
  return finish(endAt, 'agent');
}

interface VisitResult {
  outcome: 'answered' | 'abandoned';
  at: number;
  answeredAt: number | null;
  agentId: number | null;
  /** The caller's line with this visit's agent ended (or the caller hung up waiting). */
  endAt: number;
  wrap: { at: number; disposition: string; reason_codes: string[]; products_discussed: string[] } | null;
  next: VisitResult | null;
}

/**
 * One stay in a queue: the entry, then either the caller's patience runs out (abandoned) or
 * the first agent free takes it (offered, accepted, connected), with hold, a blind transfer to
 * another queue, the end of the line and the agent's wrap-up.
 */
function visit(c: CallContext, v: { events: Ev[]; at: number; skill: string; customer: Customer | null; tier: string; transferable: boolean; reason: string | null; entryId?: number }): VisitResult {
  const { rng, states } = c;
  const ev = (t: number, type: string, data: Record<string, unknown> = {}) => v.events.push({ at: t, type, node: null, data });
  const entryId = v.entryId ?? c.nextEntry();
  const rmId = v.customer?.rm_id ?? null;
  // The routing service writes the new entry's id as a string, the others as numbers; so do we.
  ev(v.at, 'entered_queue', { entry_id: String(entryId), skill: v.skill, tier: v.tier, customer_id: v.customer?.id ?? null, rm_id: rmId, estimated_wait_s: null });

  const agent = chooseAgent(c, v.skill, rmId, v.at);
  const offerAt = agent ? readyAt(agent, v.at) + ROUTING_LAG_MS : Infinity;
  const ring = between(rng, 2, 8) * 1000;
  const patience = exponential(rng, PATIENCE[v.tier as Tier] ?? PATIENCE.STANDARD) * 1000;
  if (!agent || v.at + patience < offerAt + ring) {
    const endAt = v.at + patience;
    ev(endAt, 'abandoned', { entry_id: entryId, waited_s: Math.round(patience / 1000), why: 'abandoned' });
    return { outcome: 'abandoned', at: v.at, answeredAt: null, agentId: null, endAt, wrap: null, next: null };
  }
  takeBreaks(agent, offerAt, states);
  const acceptAt = offerAt + ring;
  const answeredAt = acceptAt + 1000;
  ev(offerAt, 'offered', { agent_id: agent.id, entry_id: entryId, expires_at: new Date(offerAt + 15_000).toISOString() });
  ev(acceptAt, 'accepted', { agent_id: agent.id, entry_id: entryId });
  ev(answeredAt, 'connected', { entry_id: entryId, agent_id: agent.id, waited_s: Math.round((answeredAt - v.at) / 1000) });
  states.push({ agent_id: agent.id, state: 'reserved', reason: null, entry_id: entryId, at: offerAt });
  states.push({ agent_id: agent.id, state: 'on_call', reason: null, entry_id: entryId, at: acceptAt });

  let talk = clamp(rng.logNormal(v.skill === 'complaints' ? 360 : 200, 0.6), 20, 3600) * 1000;
  let holdMs = 0;
  const transferTo = v.transferable && rng.chance(TRANSFER_SHARE) ? pick(rng, MENU_SKILLS.filter(([s]) => s !== v.skill)) : null;
  if (transferTo) talk *= 0.4;
  if (rng.chance(HOLD_SHARE)) {
    const heldAt = answeredAt + talk * between(rng, 0.2, 0.8);
    holdMs = clamp(rng.logNormal(45, 0.5), 5, 600) * 1000;
    ev(heldAt, 'held', { entry_id: entryId, agent_id: agent.id });
    ev(heldAt + holdMs, 'unheld', { entry_id: entryId, agent_id: agent.id });
  }
  const lineEnd = answeredAt + talk + holdMs;
  const reasons = REASONS[v.skill] ?? REASONS.general!;
  const reason = v.reason ?? rng.pick(reasons);
  const codes = rng.chance(0.2) ? [...new Set([reason, rng.pick(reasons)])] : [reason];
  const products = PRODUCTS[v.skill] && rng.chance(0.5) ? [rng.pick(PRODUCTS[v.skill]!)] : [];

  // The agent's own part ends here: wrap-up, then free (set before a transfer's next visit picks an agent).
  const disposition = transferTo ? 'transferred' : pick(rng, DISPOSITIONS);
  const wrapAt = lineEnd + clamp(rng.logNormal(transferTo ? 15 : 30, 0.6), 3, 600) * 1000;
  states.push({ agent_id: agent.id, state: 'wrap_up', reason: null, entry_id: entryId, at: lineEnd });
  states.push({ agent_id: agent.id, state: 'available', reason: null, entry_id: null, at: wrapAt });
  agent.freeAt = wrapAt;

  let next: VisitResult | null = null;
  if (transferTo) {
    // As the conversation service writes it: the new entry first, then the transfer, at one instant.
    const nextId = c.nextEntry();
    next = visit(c, { events: v.events, at: lineEnd, skill: transferTo, customer: v.customer, tier: v.tier, transferable: false, reason: null, entryId: nextId });
    ev(lineEnd, 'transferred', { entry_id: entryId, from_agent_id: agent.id, to: { to: 'skill', skill: transferTo }, next_entry_id: String(nextId), mode: 'blind' });
  } else {
    ev(lineEnd, 'agent_call_ended', { entry_id: entryId, agent_id: agent.id, reason: 'conference_ended' });
  }
  ev(wrapAt, 'wrapup', { entry_id: entryId, agent_id: agent.id, disposition, reason_codes: codes, products_discussed: products, has_notes: false });
  return {
    outcome: 'answered', at: v.at, answeredAt, agentId: agent.id, endAt: next ? next.endAt : lineEnd,
    wrap: { at: wrapAt, disposition, reason_codes: codes, products_discussed: products }, next,
  };
}

/**
 * The caller's RM if free soon; else whoever in the skill's pool is free first, or in general's
 * once the call has waited the overflow time (ROUTING_OVERFLOW_SECONDS' default), as routing does.
 */
function chooseAgent(c: CallContext, skill: string, rmId: number | null, at: number): Agent | null {
  const rm = rmId === null ? undefined : c.rmAgent.get(rmId);
  if (rm?.day && readyAt(rm, at) < Math.min(rm.day.end, at + RM_WAIT_MS)) return rm;
  let best: Agent | null = null;
  let bestAt = Infinity;
  const scan = (pool: Agent[] | undefined, notBefore: number) => {
    for (const a of pool ?? []) {
      if (!a.day) continue;
      const ready = Math.max(readyAt(a, at), notBefore);
      if (ready < a.day.end && ready < bestAt) {
        best = a;
        bestAt = ready;
      }
    }
  };
  scan(c.pools.get(skill), at);
  if (skill !== 'general' && bestAt > at + OVERFLOW_MS) scan(c.pools.get('general'), at + OVERFLOW_MS);
  return best;
}
