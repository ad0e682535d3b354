import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { AppError, appError } from '../../errors.js';
import { toCsv } from '../../lib/csv-writer.js';
import { readFeed, type FeedFormat } from '../../lib/feed-reader.js';
import { normalizePhone } from '../../lib/phone.js';
import { findUnsafe } from '../../lib/input-rules.js';
import { BANK_TIME_ZONE, localDate, localMinuteOfDay } from '../../lib/local-time.js';
import type { TiersService } from '../tiers/tiers-service.js';
import { assertPinHash, type PinsService } from '../pins/pins-service.js';
import {
  claimScheduled, closeHoldings, customerIds, scheduledRuns, setScheduledRun, unclaimScheduled, deletePhones, deleteTransactions, finishRun, getRun, holdingOwners, insertRun, insertRunErrors, listRuns, rmIds, runErrors,
  transactionOwners, upsertCustomers, upsertHoldings, upsertPhones, upsertRms, upsertTransactions, HOLDING_TABLES, type HoldingLine, type RowError, type RunCounts, type Written,
} from './feeds-repository.js';
import { CustomerRow, FEED_KINDS, HoldingRow, PhoneRow, PinRow, RmRow, TransactionRow, type FeedKind, type FeedRun, type RowErrorCode } from './feeds-schemas.js';

/** Rows written per transaction: big enough to be quick, small enough that memory stays flat. */
const BATCH = 1000;
/** Refused rows kept for download per run; the count goes on past it. */
const ERRORS_KEPT = 10_000;

interface Parsed<T> { line: number; row: T }
interface Ctx { trx: Knex; counts: RunCounts; reject: (line: number, code: RowErrorCode, message: string) => void; rescore: Set<number>; pins: PinsService; runId: number }

/** Sorts one batch's written rows into added / changed and the rest into unchanged. */
function tally(ctx: Ctx, total: number, written: Written[]) {
  for (const w of written) if (w.inserted) ctx.counts.added++; else ctx.counts.changed++;
  ctx.counts.unchanged += total - written.length;
}

/** Drops rows of a batch whose key came before in it (the first wins); the source sent one twice. */
function dedupe<T>(ctx: Ctx, batch: Parsed<T>[], key: (r: T) => string): Parsed<T>[] {
  const seen = new Set<string>();
  return batch.filter((p) => {
    const k = key(p.row);
    if (seen.has(k)) { ctx.reject(p.line, 'duplicate_key', 'this key came earlier in the file'); return false; }
    seen.add(k);
    return true;
  });
}

/** Resolves customer numbers; rows of an unknown customer are refused. */
async function withCustomers<T extends { customer_no: string }>(ctx: Ctx, batch: Parsed<T>[]): Promise<(Parsed<T> & { customer_id: number })[]> {
  const ids = await customerIds(ctx.trx, [...new Set(batch.map((p) => p.row.customer_no))]);
  const out: (Parsed<T> & { customer_id: number })[] = [];
  for (const p of batch) {
    const id = ids.get(p.row.customer_no);
    if (id === undefined) ctx.reject(p.line, 'customer_not_found', 'no customer with this customer_no');
    else out.push({ ...p, customer_id: id });
  }
  return out;
}

/** Rows whose key is new or already the row's customer's; a key another customer holds is refused, never moved. */
function ownRows<T>(ctx: Ctx, rows: (Parsed<T> & { customer_id: number })[], owners: Map<string, number>, key: (r: T) => string, code: RowErrorCode, message: string) {
  return rows.filter((r) => {
    const owner = owners.get(key(r.row));
    if (owner === undefined || owner === r.customer_id) return true;
    ctx.reject(r.line, code, message);
    return false;
  });
}

/** The row with its phone normalised (libphonenumber-js), or refused when it is not a phone number. */
function withPhone<T extends { phone: string }>(row: T): { row: T } | { code: RowErrorCode; message: string } {
  try { return { row: { ...row, phone: normalizePhone(row.phone) } }; } catch { return { code: 'phone_invalid', message: 'phone is not a valid number' }; }
}

interface Kind<T> {
  schema: TSchema;
  /** Checks beyond the schema (a phone that is not a phone); returns the row to write, or a refusal. */
  refine?: (row: T) => { row: T } | { code: RowErrorCode; message: string };
  apply: (ctx: Ctx, batch: Parsed<T>[]) => Promise<void>;
}

const customers: Kind<CustomerRow> = {
  schema: CustomerRow,
  async apply(ctx, batch) {
    const unique = dedupe(ctx, batch, (r) => r.customer_no);
    // The relationship manager by employee number: one the bank has not sent refuses the row.
    const rms = await rmIds(ctx.trx, [...new Set(unique.map((p) => p.row.rm_employee_no).filter((n): n is string => n !== undefined))]);
    const rows = unique.filter((p) => {
      if (p.row.rm_employee_no === undefined || rms.has(p.row.rm_employee_no)) return true;
      ctx.reject(p.line, 'rm_not_found', 'no relationship manager with this rm_employee_no (send the relationship_managers feed first)');
      return false;
    });
    // Defaults are for a new customer only: an update writes the columns a row sent, so a row
    // without do_not_call or email leaves them be. Rows sending the same columns share a statement.
    const bySent = new Map<string, Record<string, unknown>[]>();
    for (const { row: { action: _a, rm_employee_no: rmNo, ...fields } } of rows) {
      const r: Record<string, unknown> = rmNo === undefined ? fields : { ...fields, rm_id: rms.get(rmNo) };
      const sent = Object.keys(r).sort().join(',');
      const group = bySent.get(sent);
      if (group) group.push(r); else bySent.set(sent, [r]);
    }
    const written: Written[] = [];
    for (const [sent, group] of bySent) {
      const values = group.map((r) => ({
        customer_type: 'individual', name_zh: null, name_en: null, birth_date: null, language: 'zh', marketing_consent: false, do_not_call: false, email: null, ...r,
      }));
      written.push(...await upsertCustomers(ctx.trx, values, sent.split(',')));
    }
    tally(ctx, rows.length, written);
  },
};

const phones: Kind<PhoneRow> = {
  schema: PhoneRow,
  refine: withPhone,
  async apply(ctx, batch) {
    const rows = await withCustomers(ctx, dedupe(ctx, batch, (r) => `${r.customer_no}:${r.phone}`));
    const ups = rows.filter((r) => r.row.action !== 'delete');
    const dels = rows.filter((r) => r.row.action === 'delete');
    tally(ctx, ups.length, await upsertPhones(ctx.trx, ups.map((r) => ({ customer_id: r.customer_id, phone: r.row.phone, kind: r.row.kind ?? 'mobile', is_primary: r.row.is_primary ?? false }))));
    const gone = await deletePhones(ctx.trx, dels.map((r) => ({ customer_id: r.customer_id, phone: r.row.phone })));
    ctx.counts.changed += gone;
    ctx.counts.unchanged += dels.length - gone;
  },
};

const holdings: Kind<HoldingRow> = {
  schema: HoldingRow,
  refine(row) {
    if (row.action === 'close') return { row };
    const missing = (row.line === 'deposit' ? ['amount', 'opened_on'] : ['amount', 'rate_pct', 'term_months', 'opened_on', 'maturity_date'])
      .filter((f) => row[f as keyof HoldingRow] === undefined);
    return missing.length ? { code: 'row_invalid', message: `a ${row.line} needs ${missing.join(', ')}` } : { row };
  },
  async apply(ctx, batch) {
    const rows = await withCustomers(ctx, dedupe(ctx, batch, (r) => `${r.line}:${r.product_no}`));
    for (const line of Object.keys(HOLDING_TABLES) as HoldingLine[]) {
      const mine = rows.filter((r) => r.row.line === line);
      if (mine.length === 0) continue;
      const owners = await holdingOwners(ctx.trx, line, mine.map((r) => r.row.product_no));
      const ok = ownRows(ctx, mine, owners, (r) => r.product_no, 'holding_conflict', 'this product number belongs to another customer');
      const ups = ok.filter((r) => r.row.action !== 'close');
      const closes = ok.filter((r) => r.row.action === 'close');
      const values = ups.map(({ row: r, customer_id }) => line === 'deposit'
        ? { account_no: r.product_no, customer_id, product: r.product ?? 'savings', currency: r.currency ?? 'CNY', balance: r.amount, avg_daily_balance_90d: r.avg_balance_90d ?? r.amount, opened_on: r.opened_on, status: 'active' }
        : { deposit_no: r.product_no, customer_id, currency: r.currency ?? 'CNY', principal: r.amount, rate_pct: r.rate_pct, term_months: r.term_months, start_date: r.opened_on, maturity_date: r.maturity_date, status: 'active' });
      const written = await upsertHoldings(ctx.trx, line, values);
      tally(ctx, ups.length, written);
      const closed = await closeHoldings(ctx.trx, line, closes.map((r) => r.row.product_no));
      ctx.counts.changed += closed.length;
      ctx.counts.unchanged += closes.length - closed.length;
      for (const w of [...written, ...closed]) ctx.rescore.add(w.customer_id);
    }
  },
};

const relationshipManagers: Kind<RmRow> = {
  schema: RmRow,
  refine: withPhone,
  async apply(ctx, batch) {
    const rows = dedupe(ctx, batch, (r) => r.employee_no);
    tally(ctx, rows.length, await upsertRms(ctx.trx, rows.map(({ row: r }) => ({
      employee_no: r.employee_no, name: r.name, phone: r.phone, email: r.email ?? null, branch: r.branch, team: r.team,
      languages: r.languages ? [...new Set(r.languages.split(/[ ,;|]+/))] : ['zh'],
    }))));
  },
};

const transactions: Kind<TransactionRow> = {
  schema: TransactionRow,
  async apply(ctx, batch) {
    const rows = await withCustomers(ctx, dedupe(ctx, batch, (r) => r.txn_no));
    const owners = await transactionOwners(ctx.trx, rows.map((r) => r.row.txn_no));
    const ok = ownRows(ctx, rows, owners, (r) => r.txn_no, 'transaction_conflict', 'this transaction number belongs to another customer');
    const ups = ok.filter((r) => r.row.action !== 'delete');
    const dels = ok.filter((r) => r.row.action === 'delete');
    tally(ctx, ups.length, await upsertTransactions(ctx.trx, ups.map(({ row: r, customer_id }) => ({
      txn_no: r.txn_no, customer_id, account_ref: r.account_ref, occurred_at: r.occurred_at, amount: r.amount, currency: r.currency ?? 'CNY',
      channel: r.channel, description: r.description, counterparty: r.counterparty ?? null,
    }))));
    const gone = await deleteTransactions(ctx.trx, dels.map((r) => r.row.txn_no));
    ctx.counts.changed += gone;
    ctx.counts.unchanged += dels.length - gone;
  },
};

const pins: Kind<PinRow> = {
  schema: PinRow,
  refine(row) {
    // The refusal names the rule, never the hash.
    try { assertPinHash(row.pin_hash); return { row }; } catch { return { code: 'pin_hash_invalid', message: 'pin_hash is not an argon2id hash (v=19, memory up to 256 MiB, time up to 10)' }; }
  },
  async apply(ctx, batch) {
    const rows = await withCustomers(ctx, dedupe(ctx, batch, (r) => r.customer_no));
    tally(ctx, rows.length, await ctx.pins.enrolFromFeed(ctx.trx, rows.map((r) => ({ customer_id: r.customer_id, pin_hash: r.row.pin_hash })), ctx.runId));
  },
};

const KINDS: Record<FeedKind, Kind<never>> = { customers, phones, holdings, relationship_managers: relationshipManagers, transactions, pins } as unknown as Record<FeedKind, Kind<never>>;

const publicRun = (r: Record<string, unknown>): FeedRun => ({
  ...(r as unknown as FeedRun),
  started_at: new Date(r.started_at as string).toISOString(),
  finished_at: r.finished_at ? new Date(r.finished_at as string).toISOString() : null,
});

/** The job queue of scheduled feed runs (web nodes with RUN_WORKERS, or `npm run worker`, take them). */
export const FEED_JOB = 'feed-scheduled';

/** One feed the bank sends every day: which kind, its file in the inbox, and from when (bank time, HH:MM). */
export interface ScheduledFeed { kind: FeedKind; file: string; at: string }
/** A scheduled feed's run of one bank day: what its job carries. */
export interface ScheduledRun { kind: FeedKind; file: string; day: string }

/** FEED_SCHEDULE (`kind=file@HH:MM,…`, its shape checked by the config) as entries; an unknown kind fails the start. */
export function parseFeedSchedule(spec: string | undefined): ScheduledFeed[] {
  if (!spec) return [];
  return spec.split(',').map((part) => {
    const [kind, rest] = part.split('=') as [string, string];
    const [file, at] = rest.split('@') as [string, string];
    if (!(FEED_KINDS as readonly string[]).includes(kind)) throw new Error(`FEED_SCHEDULE: "${kind}" is not a feed (${FEED_KINDS.join(', ')})`);
    return { kind: kind as FeedKind, file, at };
  });
}


export function createFeedsService(deps: { db: Knex; tiers: TiersService; pins: PinsService; inboxDir?: string; now?: () => Date }) {
  const { db, tiers } = deps;
  const clock = deps.now ?? (() => new Date());

  /** Reads a feed file and applies it a batch at a time; every run is logged with its counts and refused rows. */
  async function run(kind: FeedKind, input: Readable, opts: { format: FeedFormat; source: string; startedBy: number | null }): Promise<FeedRun> {
    const handler = KINDS[kind] as unknown as Kind<Record<string, unknown>>;
    const started = Date.now();
    const runId = await insertRun(db, { kind, source: opts.source, format: opts.format, started_by: opts.startedBy });
    const counts: RunCounts = { rows: 0, added: 0, changed: 0, unchanged: 0, rejected: 0, rescored: 0 };
    let errors: RowError[] = [];
    let kept = 0;
    const reject = (line: number, code: RowErrorCode, message: string) => {
      counts.rejected++;
      // PostgreSQL's text refuses a NUL: one in a message would fail the batch's insert and the run.
      if (kept < ERRORS_KEPT) { kept++; errors.push({ line, code, message: message.replaceAll('\u0000', '?') }); }
    };
    let batch: Parsed<Record<string, unknown>>[] = [];
    const flush = async () => {
      const rows = batch;
      batch = [];
      await db.transaction(async (trx) => {
        const ctx: Ctx = { trx, counts, reject, rescore: new Set(), pins: deps.pins, runId };
        if (rows.length) await handler.apply(ctx, rows);
        // A holdings change rescores the customer's tier in the same transaction (and run).
        counts.rescored += (await tiers.recomputeCustomers(trx, [...ctx.rescore], 'holdings_update')).filter((r) => r.changed).length;
        await insertRunErrors(trx, runId, errors);
      });
      errors = [];
    };
    // A CSV's first line names its columns: one that lacks a column every row needs is no header
    // at all (a file sent without one, its first data line taken for it), refused before any row.
    let header: string[] | null = null;
    const required = (handler.schema as { required?: string[] }).required ?? [];
    const checkHeader = (names: string[]) => {
      const missing = required.filter((c) => !names.includes(c));
      if (missing.length) throw appError('SB_ERR_FEED_HEADER_INVALID', `The CSV header row lacks ${missing.join(', ')}: the first line of a ${kind} feed names its columns`);
    };
    try {
      for await (const rec of readFeed(input, opts.format, (names) => { header = names; })) {
        if (counts.rows === 0 && header) checkHeader(header);
        counts.rows++;
        if ('error' in rec) { reject(rec.line, rec.error.code, rec.error.message); continue; }
        // A NUL (or lone surrogate) in a value or a header name: PostgreSQL would refuse the whole batch.
        const unsafe = findUnsafe(rec.fields);
        if (unsafe) { reject(rec.line, 'row_invalid', `${unsafe.field || 'row'}: ${unsafe.message}`.slice(0, 200)); continue; }
        const fields = Value.Convert(handler.schema, rec.fields);
        if (!Value.Check(handler.schema, fields)) {
          const first = [...Value.Errors(handler.schema, fields)][0];
          // The path names the field; the value itself may be PII and stays out.
          reject(rec.line, 'row_invalid', `${first?.instancePath || 'row'}: ${first?.message ?? 'invalid'}`.slice(0, 200));
          continue;
        }
        const refined = handler.refine ? handler.refine(fields as Record<string, unknown>) : { row: fields as Record<string, unknown> };
        if ('code' in refined) { reject(rec.line, refined.code, refined.message); continue; }
        batch.push({ line: rec.line, row: refined.row });
        if (batch.length >= BATCH) await flush();
      }
      if (counts.rows === 0 && (opts.format === 'jsonl' || header === null)) throw appError('SB_ERR_FEED_EMPTY');
      if (counts.rows === 0 && header) checkHeader(header);
      await flush();
      await finishRun(db, runId, 'done', counts, Date.now() - started);
    } catch (err) {
      await finishRun(db, runId, 'failed', counts, Date.now() - started);
      // Whoever asked can find the run the failure is logged in.
      if (err && typeof err === 'object') Object.assign(err, { runId });
      throw err;
    }
    return getOne(runId);
  }

  /** Opens a file under the inbox directory; nothing outside it, whatever the path says. */
  async function openInbox(file: string): Promise<Readable> {
    if (!deps.inboxDir) throw appError('SB_ERR_FEED_INBOX_DISABLED');
    const root = await realpath(deps.inboxDir);
    const full = await realpath(path.resolve(root, file)).catch(() => { throw appError('SB_ERR_FEED_FILE_NOT_FOUND'); });
    if (!full.startsWith(root + path.sep)) throw appError('SB_ERR_FEED_FILE_NOT_FOUND');
    // Opened, then checked, then read through that one handle: a directory, or a file that is
    // gone by now, is no such file (not a failed run), and what is read is what was checked.
    const handle = await open(full, 'r').catch(() => { throw appError('SB_ERR_FEED_FILE_NOT_FOUND'); });
    if (!(await handle.stat().then((s) => s.isFile(), () => false))) {
      await handle.close();
      throw appError('SB_ERR_FEED_FILE_NOT_FOUND');
    }
    return handle.createReadStream();
  }

  async function getOne(id: number): Promise<FeedRun> {
    const r = await getRun(db, id);
    if (!r) throw appError('SB_ERR_FEED_RUN_NOT_FOUND');
    return { ...publicRun(r), errors: await runErrors(db, id, 100) };
  }

  return {
    run,
    get: getOne,

    /**
     * The scheduled feeds whose time today has come and that no node has claimed yet, claimed now
     * (once a day each, across the nodes). `queue` hands each to a job; a claim whose job could not
     * be queued is given back, for the next look to take again.
     */
    async claimDue(schedule: readonly ScheduledFeed[], queue: (r: ScheduledRun) => Promise<void>): Promise<ScheduledRun[]> {
      const now = clock();
      const minute = localMinuteOfDay(now, BANK_TIME_ZONE);
      const day = localDate(now);
      const claimed: ScheduledRun[] = [];
      for (const s of schedule) {
        if (minute < Number(s.at.slice(0, 2)) * 60 + Number(s.at.slice(3))) continue;
        if (!(await claimScheduled(db, { kind: s.kind, day, file: s.file, at: now }))) continue;
        const r = { kind: s.kind, file: s.file, day };
        try { await queue(r); } catch (err) { await unclaimScheduled(db, s.kind, day); throw err; }
        claimed.push(r);
      }
      return claimed;
    },

    /** A scheduled run: the inbox's file, logged like any run (source `schedule:<file>`); a file that is not there is a failed run saying so. */
    async runScheduled(r: ScheduledRun): Promise<FeedRun> {
      const source = `schedule:${r.file}`;
      const format = r.file.endsWith('.jsonl') ? 'jsonl' : 'csv';
      let input: Readable;
      try {
        input = await openInbox(r.file);
      } catch (err) {
        if ((err as { code?: string }).code !== 'SB_ERR_FEED_FILE_NOT_FOUND') throw err;
        const runId = await insertRun(db, { kind: r.kind, source, format, started_by: null });
        await insertRunErrors(db, runId, [{ line: 0, code: 'file_not_found', message: `no file ${r.file} in the feed inbox` }]);
        await finishRun(db, runId, 'failed', { rows: 0, added: 0, changed: 0, unchanged: 0, rejected: 0, rescored: 0 }, 0);
        await setScheduledRun(db, r.kind, r.day, runId);
        return getOne(runId);
      }
      try {
        const done = await run(r.kind, input, { format, source, startedBy: null });
        await setScheduledRun(db, r.kind, r.day, done.id);
        return done;
      } catch (err) {
        // The file refused whole (empty, no header): a failed run of the day, logged; nothing to retry.
        const runId = (err as { runId?: number }).runId;
        if (!(err instanceof AppError) || runId === undefined) throw err;
        await setScheduledRun(db, r.kind, r.day, runId);
        return getOne(runId);
      }
    },

    /** The schedule's runs, newest day first, with each run's status. */
    async scheduled(limit = 50) {
      return (await scheduledRuns(db, limit)).map((s) => ({ ...s, claimed_at: new Date(s.claimed_at).toISOString() }));
    },

    openInbox,

    async list(limit = 50): Promise<FeedRun[]> {
      return (await listRuns(db, limit)).map(publicRun);
    },

    /** The run's refused rows as CSV: line, code, message. */
    async errorsCsv(id: number): Promise<string> {
      if (!(await getRun(db, id))) throw appError('SB_ERR_FEED_RUN_NOT_FOUND');
      return toCsv(['line', 'code', 'message'], await runErrors(db, id));
    },
  };
}

export type FeedsService = ReturnType<typeof createFeedsService>;
