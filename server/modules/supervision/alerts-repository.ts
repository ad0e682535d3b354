import type { Knex } from 'knex';
import type { Alert, AlertKind } from './supervision-schemas.js';

/** A condition that holds now: it is raised once, and stays open until it no longer holds. */
export interface Condition {
  kind: AlertKind;
  subject: string;
  severity: Alert['severity'];
  message: string;
  data: Record<string, unknown>;
}

interface AlertRow { id: string; kind: AlertKind; subject: string; severity: Alert['severity']; message: string; data: Record<string, unknown>; raised_at: Date; cleared_at: Date | null }

const toAlert = (r: AlertRow): Alert => ({
  key: String(r.id), id: String(r.id), kind: r.kind, subject: r.subject, severity: r.severity, message: r.message, data: r.data,
  raised_at: new Date(r.raised_at).toISOString(), cleared_at: r.cleared_at ? new Date(r.cleared_at).toISOString() : null,
});

export async function openAlerts(db: Knex): Promise<Alert[]> {
  return ((await db('alerts').whereNull('cleared_at').orderBy('raised_at', 'desc').orderBy('id', 'desc')) as AlertRow[]).map(toAlert);
}

export async function listAlerts(db: Knex, q: { open?: boolean; limit: number }): Promise<Alert[]> {
  const rows = db('alerts').orderBy('id', 'desc').limit(q.limit);
  if (q.open === true) rows.whereNull('cleared_at');
  if (q.open === false) rows.whereNotNull('cleared_at');
  return ((await rows) as AlertRow[]).map(toAlert);
}

/**
 * Makes the open alerts match the conditions that hold: raises the new ones and clears the ones
 * that ended. Idempotent across nodes: the partial unique index keeps one open alert per
 * (kind, subject), so two nodes seeing the same condition raise it once.
 */
export async function syncAlerts(db: Knex, holding: Condition[], now: Date): Promise<{ raised: Alert[]; cleared: Alert[] }> {
  return db.transaction(async (trx) => {
    const raised: Alert[] = [];
    for (const c of holding) {
      const rows = await trx.raw(`INSERT INTO alerts (kind, subject, severity, message, data, raised_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (kind, subject) WHERE cleared_at IS NULL DO NOTHING RETURNING *`, [c.kind, c.subject, c.severity, c.message, JSON.stringify(c.data), now]);
      raised.push(...(rows.rows as AlertRow[]).map(toAlert));
    }
    const keep = new Set(holding.map((c) => `${c.kind}\u0000${c.subject}`));
    const open = (await trx('alerts').whereNull('cleared_at').forUpdate().select('id', 'kind', 'subject')) as Pick<AlertRow, 'id' | 'kind' | 'subject'>[];
    const ended = open.filter((a) => !keep.has(`${a.kind}\u0000${a.subject}`)).map((a) => a.id);
    const cleared = ended.length === 0 ? [] : ((await trx('alerts').whereIn('id', ended).update({ cleared_at: now }).returning('*')) as AlertRow[]).map(toAlert);
    return { raised, cleared };
  });
}
