import type { Knex } from 'knex';
import type { ComplianceRow } from './compliance.js';

// The SQL of the compliance log: an append-only chain whose head names its last row and hash.

// Any constant: one lock serialises writers, so rows are chained in id order.
const CHAIN_LOCK = 7_740_101;

/** The chain's head, with the chain locked for this transaction (one appender at a time). */
export async function lockHead(trx: Knex): Promise<{ last_id: string; last_hash: string } | undefined> {
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [CHAIN_LOCK]);
  return readHead(trx);
}

export async function readHead(db: Knex): Promise<{ last_id: string; last_hash: string } | undefined> {
  return db('compliance_head').where({ id: 1 }).first();
}

export async function nextLogId(trx: Knex): Promise<string> {
  const { rows } = await trx.raw<{ rows: { id: string }[] }>(`SELECT nextval('compliance_log_id_seq')::text AS id`);
  return rows[0]!.id;
}

/** Appends a row and moves the head to it. */
export async function appendRow(trx: Knex, row: ComplianceRow): Promise<void> {
  await trx('compliance_log').insert({ ...row, checks: JSON.stringify(row.checks) });
  await trx('compliance_head').insert({ id: 1, last_id: row.id, last_hash: row.hash }).onConflict('id').merge();
}

/** Rows after `afterId`, in chain order. */
export async function logPage(db: Knex, afterId: string | null, limit: number): Promise<ComplianceRow[]> {
  return db('compliance_log').where('id', '>', afterId ?? 0).orderBy('id').limit(limit);
}
