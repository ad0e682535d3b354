import type { Knex } from 'knex';

export interface RunCounts { rows: number; added: number; changed: number; unchanged: number; rejected: number; rescored: number }
export interface RowError { line: number; code: string; message: string }
/** A row an upsert wrote: its key, and whether it was new (xmax = 0: the row was inserted, not updated). */
/** A row an upsert wrote: whose it is, and whether it was new. */
export interface Written { customer_id: number; inserted: boolean }

const RUN_COLUMNS = ['id', 'kind', 'source', 'format', 'status', 'rows', 'added', 'changed', 'unchanged', 'rejected', 'rescored', 'duration_ms', 'started_at', 'finished_at'];

export async function insertRun(db: Knex, run: { kind: string; source: string; format: string; started_by: number | null }): Promise<number> {
  const [row] = await db('feed_runs').insert(run).returning('id');
  return (row as { id: number }).id;
}

export async function finishRun(db: Knex, id: number, status: 'done' | 'failed', counts: RunCounts, durationMs: number): Promise<void> {
  await db('feed_runs').where({ id }).update({ ...counts, status, duration_ms: durationMs, finished_at: db.fn.now() });
}

export async function insertRunErrors(db: Knex, runId: number, errors: RowError[]): Promise<void> {
  if (errors.length) await db('feed_run_errors').insert(errors.map((e) => ({ run_id: runId, ...e })));
}

export async function listRuns(db: Knex, limit: number) {
  return db('feed_runs').orderBy('id', 'desc').limit(limit).select(RUN_COLUMNS);
}

export async function getRun(db: Knex, id: number) {
  return db('feed_runs').where({ id }).first(RUN_COLUMNS);
}

export async function runErrors(db: Knex, runId: number, limit?: number): Promise<RowError[]> {
  const q = db('feed_run_errors').where({ run_id: runId }).orderBy(['line', 'id']).select('line', 'code', 'message');
  return limit ? q.limit(limit) : q;
}

export async function customerIds(db: Knex, customerNos: string[]): Promise<Map<string, number>> {
  const rows: { id: number; customer_no: string }[] = await db('customers').whereIn('customer_no', customerNos).select('id', 'customer_no');
  return new Map(rows.map((r) => [r.customer_no, r.id]));
}

/**
 * Inserts new rows and updates those that differ, in one statement; a row equal to what is stored
 * is not touched (and not returned), so a rerun of the same file writes nothing.
 * `update` narrows an update to some columns (the insert still writes all), `expr` replaces a
 * column's new value (SQL over the stored row and `excluded`), `guard` is a further condition for
 * updating a stored row at all.
 */
async function upsert(trx: Knex, table: string, key: string[], rows: Record<string, unknown>[], extraSet: Record<string, Knex.Raw> = {}, idOut = 'customer_id', update?: { cols?: string[]; expr?: Record<string, string>; guard?: string }): Promise<Written[]> {
  if (rows.length === 0) return [];
  const cols = update?.cols ?? Object.keys(rows[0]!).filter((c) => !key.includes(c));
  const ids = (cs: string[], p: string) => cs.map((c) => `${p}."${c}"`).join(', ');
  const value = (c: string) => update?.expr?.[c] ?? `excluded."${c}"`;
  const res = await trx(table).insert(rows)
    .onConflict(key).merge([...cols, ...Object.keys(extraSet)].length ? Object.fromEntries([...cols.map((c) => [c, trx.raw(value(c))]), ...Object.entries(extraSet)]) : undefined)
    .whereRaw(`(${ids(cols, `"${table}"`)}) IS DISTINCT FROM (${cols.map(value).join(', ')})${update?.guard ? ` AND ${update.guard}` : ''}`)
    .returning([trx.raw(`${idOut} AS customer_id`), trx.raw('(xmax = 0) AS inserted')] as unknown as string[]);
  return res as unknown as Written[];
}

/**
 * Customers, whose update writes only the columns the file sent (`sent`): a column a row left out
 * keeps what is stored. A feed never lowers do_not_call: a customer's opt-out stands.
 */
export async function upsertCustomers(trx: Knex, rows: Record<string, unknown>[], sent: string[]): Promise<Written[]> {
  return upsert(trx, 'customers', ['customer_no'], rows, { updated_at: trx.raw('now()') }, 'id',
    { cols: sent.filter((c) => c !== 'customer_no'), expr: { do_not_call: '"customers"."do_not_call" OR excluded."do_not_call"' } });
}

export async function upsertPhones(trx: Knex, rows: { customer_id: number; phone: string; kind: string; is_primary: boolean }[]): Promise<Written[]> {
  return upsert(trx, 'customer_phones', ['customer_id', 'phone'], rows);
}

/** Deletes these phones; how many there were to delete. */
export async function deletePhones(trx: Knex, rows: { customer_id: number; phone: string }[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await trx.raw<{ rowCount: number }>(
    `DELETE FROM customer_phones p USING unnest(?::int[], ?::text[]) AS t(customer_id, phone)
     WHERE p.customer_id = t.customer_id AND p.phone = t.phone`,
    [rows.map((r) => r.customer_id), rows.map((r) => r.phone)]);
  return rowCount;
}

export const HOLDING_TABLES = {
  deposit: { table: 'deposit_accounts', key: 'account_no', closed: 'closed' },
  time_deposit: { table: 'time_deposits', key: 'deposit_no', closed: 'withdrawn' },
} as const;
export type HoldingLine = keyof typeof HOLDING_TABLES;

/** Which customer each product number already belongs to. */
export async function holdingOwners(db: Knex, line: HoldingLine, nos: string[]): Promise<Map<string, number>> {
  const { table, key } = HOLDING_TABLES[line];
  const rows: { no: string; customer_id: number }[] = await db(table).whereIn(key, nos).select(`${key} as no`, 'customer_id');
  return new Map(rows.map((r) => [r.no, r.customer_id]));
}

export async function upsertHoldings(trx: Knex, line: HoldingLine, rows: Record<string, unknown>[]): Promise<Written[]> {
  const { table, key } = HOLDING_TABLES[line];
  // Never moved to another customer, even by a run racing the ownership check (holdingOwners) of another.
  return upsert(trx, table, [key], rows, { as_of: trx.raw('now()') }, 'customer_id', { guard: `"${table}".customer_id = excluded.customer_id` });
}

/** Closes products that are open; returns those it closed. */
export async function closeHoldings(trx: Knex, line: HoldingLine, nos: string[]): Promise<Written[]> {
  if (nos.length === 0) return [];
  const { table, key, closed } = HOLDING_TABLES[line];
  return trx(table).whereIn(key, nos).whereNot('status', closed).update({ status: closed, as_of: trx.fn.now() })
    .returning(['customer_id', trx.raw('false AS inserted')] as unknown as string[]) as unknown as Promise<Written[]>;
}

/** Relationship managers' ids by employee number. */
export async function rmIds(db: Knex, employeeNos: string[]): Promise<Map<string, number>> {
  if (employeeNos.length === 0) return new Map();
  const rows: { id: number; employee_no: string }[] = await db('relationship_managers').whereIn('employee_no', employeeNos).select('id', 'employee_no');
  return new Map(rows.map((r) => [r.employee_no, r.id]));
}

export async function upsertRms(trx: Knex, rows: { employee_no: string; name: string; phone: string; email: string | null; branch: string; team: string; languages: string[] }[]): Promise<Written[]> {
  return upsert(trx, 'relationship_managers', ['employee_no'], rows, {}, 'id');
}

/** Which customer each transaction number already belongs to. */
export async function transactionOwners(db: Knex, txnNos: string[]): Promise<Map<string, number>> {
  const rows: { txn_no: string; customer_id: number }[] = await db('transactions').whereIn('txn_no', txnNos).select('txn_no', 'customer_id');
  return new Map(rows.map((r) => [r.txn_no, r.customer_id]));
}

export async function upsertTransactions(trx: Knex, rows: Record<string, unknown>[]): Promise<Written[]> {
  return upsert(trx, 'transactions', ['txn_no'], rows, {}, 'customer_id', { guard: '"transactions".customer_id = excluded.customer_id' });
}

/** Deletes these transactions (a source's correction); how many there were. */
export async function deleteTransactions(trx: Knex, txnNos: string[]): Promise<number> {
  if (txnNos.length === 0) return 0;
  return trx('transactions').whereIn('txn_no', txnNos).delete();
}

/** Claims a scheduled feed's run of a day; false when a node claimed it already. */
export async function claimScheduled(db: Knex, c: { kind: string; day: string; file: string; at: Date }): Promise<boolean> {
  const rows = await db('feed_schedule_runs').insert({ kind: c.kind, day: c.day, file: c.file, claimed_at: c.at }).onConflict(['kind', 'day']).ignore().returning('kind');
  return rows.length > 0;
}

/** Gives a claim back (its job could not be queued): the next sweep claims it again. */
export async function unclaimScheduled(db: Knex, kind: string, day: string): Promise<void> {
  await db('feed_schedule_runs').where({ kind, day }).whereNull('run_id').delete();
}

export async function setScheduledRun(db: Knex, kind: string, day: string, runId: number): Promise<void> {
  await db('feed_schedule_runs').where({ kind, day }).update({ run_id: runId });
}

export async function scheduledRuns(db: Knex, limit: number): Promise<{ kind: string; day: string; file: string; claimed_at: Date; run_id: number | null; status: string | null }[]> {
  return db('feed_schedule_runs as s').leftJoin('feed_runs as r', 'r.id', 's.run_id').orderBy([{ column: 's.day', order: 'desc' }, { column: 's.kind' }]).limit(limit)
    .select('s.kind', 's.day', 's.file', 's.claimed_at', 's.run_id', 'r.status');
}
