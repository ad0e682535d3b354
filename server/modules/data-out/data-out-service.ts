import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { BANK_TIME_ZONE, localDate, localMinuteOfDay, startOfLocalDay } from '../../lib/local-time.js';
import { recordAudit, type Actor } from '../audit/audit-repository.js';
import {
  activeSubscriptions, claimDue, deactivate, findDelivery, findSubscription, insertDeliveries, insertSubscription, listDeliveries, listSubscriptions,
  markOf, outboxHasEvents, rowsAfter, saveMark, settleDelivery, takeOutbox, type DeliveryRow, type LogName, type LogRows, type Mark, type NewDelivery,
} from './data-out-repository.js';
import type { CtiEvent, NewSubscription } from './data-out-schemas.js';

/** The timeline events a CRM is told of, by the name it subscribes to (the outbox trigger of migration 25 queues these types). */
export const CTI_EVENTS: Readonly<Record<string, CtiEvent>> = {
  offered: 'call.offered',
  connected: 'call.answered',
  agent_call_ended: 'call.ended',
  wrapup: 'call.wrapped_up',
};

export interface WebhookPolicy {
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
  /** The wait before the second attempt; each later one waits twice as long (capped at an hour). */
  retrySeconds: number;
  /** How long the receiver has to answer. */
  timeoutMs: number;
  /** The only hosts a subscription may point at (lower case); null: any. */
  allowedHosts?: ReadonlySet<string> | null;
}

export interface DataOutDeps {
  db: Knex;
  log: FastifyBaseLogger;
  policy: WebhookPolicy;
  /** Where the daily export files go; unset, there is no daily export. */
  exportDir?: string;
  now?: () => Date;
}

interface Viewer { user: Actor; ip?: string }

const FAN_OUT_PAGE = 1000;
const SEND_BATCH = 50;
const MAX_BACKOFF_S = 3600;
/** The daily export runs this many minutes into the bank's day, for the day that ended. */
const EXPORT_AFTER_MINUTES = 15;
const EXPORT_PAGE = 5000;
const EXPORTED: Record<LogName, string> = { interaction_events: 'interaction-events', case_events: 'case-events' };

/** A log row as it leaves: jsonb and timestamps as the response schema has them; the tx is the cursor's business only. */
function shownRow<L extends LogName>({ tx: _tx, ...r }: LogRows[L] & { tx: string }): Omit<LogRows[L], 'at'> & { at: string } {
  return { ...r, id: Number(r.id), at: new Date(r.at).toISOString() } as unknown as Omit<LogRows[L], 'at'> & { at: string };
}

/** A cursor is opaque to clients: the (tx, id) of the last row they got. */
export const encodeCursor = (m: Mark) => Buffer.from(`${m.tx}.${m.id}`).toString('base64url');
function decodeCursor(cursor: string): Mark {
  const m = /^(\d{1,20})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString());
  // Within xid8 and a safe bigint id: anything else was never given out (and would be PostgreSQL's error).
  if (!m || BigInt(m[1]!) >= 2n ** 64n || !Number.isSafeInteger(Number(m[2]))) throw appError('SB_ERR_CURSOR_INVALID');
  return { tx: m[1]!, id: Number(m[2]) };
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver recomputes it with the secret and refuses old timestamps. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Whether a webhook may point here: HTTPS, or plain HTTP to this machine (a receiver beside the
 * server); no credentials in the URL; and, when the bank names its hosts, one of them. The hosts
 * are what keeps the server from being made to call inside the bank's network wherever an admin
 * (or whoever took an admin's session) says.
 */
function urlAllowed(url: string, hosts: ReadonlySet<string> | null | undefined): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return false;
  if (u.username || u.password) return false;
  return !hosts || hosts.has(u.hostname.toLowerCase());
}

const shown = (s: { id: number; url: string; events: string[]; description: string | null; active: boolean; created_at: Date }) => ({
  id: s.id, url: s.url, events: s.events as CtiEvent[], description: s.description, active: s.active, created_at: new Date(s.created_at).toISOString(),
});
const shownDelivery = (d: DeliveryRow) => ({
  id: d.id, event: d.event as CtiEvent, event_id: d.event_id, state: d.state, attempts: d.attempts, next_attempt_at: d.state === 'pending' ? new Date(d.next_attempt_at).toISOString() : null,
  last_status: d.last_status, last_error: d.last_error, created_at: new Date(d.created_at).toISOString(), delivered_at: d.delivered_at ? new Date(d.delivered_at).toISOString() : null,
  payload: d.payload,
});

/**
 * Data out: the interaction and case logs by cursor for the bank's warehouse, and call events
 * (offered, answered, ended, wrapped up) pushed to CRMs by signed webhook, retried with backoff and
 * dead-lettered. The cursor misses and repeats nothing; the webhooks' outbox is filled in each event's own transaction.
 */
export function createDataOutService(deps: DataOutDeps) {
  const { db, policy } = deps;
  const clock = deps.now ?? (() => new Date());

  /** Seconds before attempt `n + 1`, after `n` failed ones. */
  const backoff = (n: number) => Math.min(MAX_BACKOFF_S, policy.retrySeconds * 2 ** Math.max(0, n - 1));

  return {
    /** A page of a log after `cursor` (from the start without one), and the cursor to read on from. Audited as a bulk read. */
    async read<L extends LogName>(log: L, q: { after?: string; limit: number }, viewer: Viewer): Promise<{ rows: (Omit<LogRows[L], 'at'> & { at: string })[]; next: string | null; more: boolean }> {
      const after = q.after ? decodeCursor(q.after) : null;
      const rows = await rowsAfter(db, log, after, q.limit);
      const last = rows.at(-1);
      await recordAudit(db, {
        actor: viewer.user, action: 'data_out.read', purpose: 'review', ip: viewer.ip,
        details: { log, rows: rows.length, customers: new Set(rows.map((r) => r.customer_id).filter((c) => c !== null)).size },
      });
      return {
        rows: rows.map((r) => shownRow<L>(r)),
        next: last ? encodeCursor({ tx: last.tx, id: Number(last.id) }) : q.after ?? null,
        more: rows.length === q.limit,
      };
    },

    async subscribe(body: NewSubscription, viewer: Viewer) {
      if (!urlAllowed(body.url, policy.allowedHosts)) throw appError('SB_ERR_WEBHOOK_URL_INVALID');
      const secret = randomBytes(32).toString('base64url');
      const row = await db.transaction(async (trx) => {
        const s = await insertSubscription(trx, { url: body.url, secret, events: [...new Set(body.events)], description: body.description ?? null, created_by: Number(viewer.user.sub), created_at: clock() });
        await recordAudit(trx, { actor: viewer.user, action: 'webhook.subscribe', ip: viewer.ip, details: { subscription_id: s.id, host: new URL(body.url).host, events: s.events } });
        return s;
      });
      return { ...shown(row), secret };
    },

    async subscriptions() {
      return { subscriptions: (await listSubscriptions(db)).map((s) => ({ ...shown(s), pending: s.pending, delivered: s.delivered, dead: s.dead })) };
    },

    async end(id: number, viewer: Viewer) {
      if (!(await findSubscription(db, id))) throw appError('SB_ERR_SUBSCRIPTION_NOT_FOUND');
      await db.transaction(async (trx) => {
        if (await deactivate(trx, id)) await recordAudit(trx, { actor: viewer.user, action: 'webhook.unsubscribe', ip: viewer.ip, details: { subscription_id: id } });
      });
      return shown((await findSubscription(db, id))!);
    },

    async deliveries(id: number, q: { state?: DeliveryRow['state']; limit: number }) {
      if (!(await findSubscription(db, id))) throw appError('SB_ERR_SUBSCRIPTION_NOT_FOUND');
      return { deliveries: (await listDeliveries(db, id, q.state, q.limit)).map(shownDelivery) };
    },

    /** A dead-lettered delivery sent again (the receiver is fixed): a fresh set of attempts, starting now. */
    async retry(id: number, viewer: Viewer) {
      const d = await findDelivery(db, id);
      if (!d) throw appError('SB_ERR_DELIVERY_NOT_FOUND');
      const s = await findSubscription(db, d.subscription_id);
      if (d.state !== 'dead' || !s?.active) throw appError('SB_ERR_DELIVERY_NOT_DEAD');
      await db.transaction(async (trx) => {
        await settleDelivery(trx, id, 'dead', { state: 'pending', attempts: 0, next_attempt_at: clock(), last_error: null });
        await recordAudit(trx, { actor: viewer.user, action: 'webhook.retry', ip: viewer.ip, details: { subscription_id: d.subscription_id, delivery_id: id } });
      });
      return shownDelivery((await findDelivery(db, id))!);
    },

    /**
     * The daily export files, once the bank's day has ended (a quarter of an hour in): for each log,
     * `<log>-<date>.jsonl` with every row that became final since the file before, up to the run
     * (so its first quarter hour of the next day too), one JSON object a line, as the cursor API
     * gives them; across the files every row is there exactly once. A file is written aside, synced
     * and renamed into place, then its end is recorded: a run cut short is done again whole.
     * Returns the files written.
     */
    async exportDaily(): Promise<string[]> {
      const dir = deps.exportDir;
      const now = clock();
      if (!dir || localMinuteOfDay(now, BANK_TIME_ZONE) < EXPORT_AFTER_MINUTES) return [];
      const day = localDate(new Date(startOfLocalDay(now, BANK_TIME_ZONE).getTime() - 1));
      const written: string[] = [];
      for (const log of Object.keys(EXPORTED) as LogName[]) {
        if (await markOf(db, `export:${log}:${day}`)) continue;
        let mark = await markOf(db, `export:${log}`);
        const file = path.join(dir, `${EXPORTED[log]}-${day}.jsonl`);
        const aside = `${file}.partial`;
        await mkdir(dir, { recursive: true });
        // Customer data: readable by the service's own user only. A file handle, not a stream, so
        // every write error is this run's error (never an unhandled one that takes the node down).
        const out = await open(aside, 'w', 0o600);
        let rows = 0;
        try {
          for (;;) {
            const page = await rowsAfter(db, log, mark, EXPORT_PAGE);
            if (page.length > 0) {
              await out.write(page.map((r) => JSON.stringify(shownRow(r))).join('\n') + '\n');
              const last = page.at(-1)!;
              mark = { tx: last.tx, id: Number(last.id) };
              rows += page.length;
            }
            if (page.length < EXPORT_PAGE) break;
          }
          // On disk before it is named, and named before its end is recorded: a crash leaves the day to do again, never a short file counted as done.
          await out.sync();
          await out.close();
          await rename(aside, file);
          const folder = await open(dir, 'r');
          await folder.sync().finally(() => folder.close());
        } catch (err) {
          await out.close().catch(() => undefined);
          await rm(aside, { force: true });
          throw err;
        }
        await db.transaction(async (trx) => {
          const end = mark ?? { tx: '0', id: 0 };
          await saveMark(trx, `export:${log}`, end);
          await saveMark(trx, `export:${log}:${day}`, end);
          await recordAudit(trx, { action: 'data_out.export', purpose: 'review', details: { log, day, file: path.basename(file), rows } });
        });
        deps.log.info({ file: path.basename(file), rows }, 'daily export written');
        written.push(file);
      }
      return written;
    },

    /**
     * Turns the call events in the outbox (queued by the database with each event, in its
     * transaction) into a delivery for each active subscription to them; the deliveries and the
     * events' leaving the outbox commit together, so each event is queued exactly once.
     */
    async fanOut(): Promise<number> {
      // Mostly there is nothing: a quick look first, the locking transaction only when there is.
      if (!(await outboxHasEvents(db))) return 0;
      let queued = 0;
      for (;;) {
        const taken = await db.transaction(async (trx) => {
          const rows = await takeOutbox(trx, FAN_OUT_PAGE);
          if (rows.length === 0) return 0;
          const subs = await activeSubscriptions(trx);
          const now = clock();
          const out: NewDelivery[] = [];
          for (const r of rows) {
            const event = CTI_EVENTS[r.type];
            if (!event) continue;
            const data = r.data;
            const payload = {
              event, event_id: Number(r.id), at: new Date(r.at).toISOString(), interaction_id: r.interaction_id, customer_id: r.customer_id ?? null,
              entry_id: data.entry_id === undefined ? null : String(data.entry_id), agent_id: (data.agent_id as number | undefined) ?? null,
              ...(event === 'call.answered' ? { waited_s: data.waited_s ?? null } : {}),
              ...(event === 'call.ended' ? { reason: data.reason ?? null } : {}),
              ...(event === 'call.wrapped_up' ? { disposition: data.disposition ?? null, reason_codes: data.reason_codes ?? [] } : {}),
            };
            for (const s of subs.filter((x) => x.events.includes(event))) out.push({ subscription_id: s.id, event_id: Number(r.id), event, payload, next_attempt_at: now, created_at: now });
          }
          await insertDeliveries(trx, out);
          queued += out.length;
          return rows.length;
        });
        if (taken < FAN_OUT_PAGE) return queued;
      }
    },

    /** Sends what is due: 2xx delivers; anything else waits its backoff, and after the last attempt is dead-lettered. */
    async deliver(): Promise<number> {
      const now = clock();
      const due = await claimDue(db, now, new Date(now.getTime() + (policy.timeoutMs + 30_000)), SEND_BATCH);
      await Promise.all(due.map(async (d) => {
        const body = JSON.stringify({ delivery_id: String(d.id), ...d.payload });
        const timestamp = Math.floor(clock().getTime() / 1000);
        let status: number | null = null;
        let error: string | null = null;
        // The hosts allowed may have changed since the subscription was made: checked again on every send.
        if (!urlAllowed(d.url, policy.allowedHosts)) error = 'the host is not in WEBHOOK_ALLOWED_HOSTS';
        else try {
          const res = await fetch(d.url, {
            method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(policy.timeoutMs),
            headers: {
              'content-type': 'application/json', 'user-agent': 'Switchboard-Webhooks/1', 'x-switchboard-event': d.event,
              'x-switchboard-delivery': String(d.id), 'x-switchboard-signature': signature(d.secret, timestamp, body),
            },
          });
          status = res.status;
          await res.body?.cancel();
          if (!res.ok) error = `HTTP ${res.status}`;
        } catch (err) {
          error = (err as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : 'could not connect';
        }
        if (error === null) return settleDelivery(db, d.id, 'pending', { state: 'delivered', delivered_at: clock(), last_status: status, last_error: null });
        const dead = d.attempts >= policy.maxAttempts;
        if (dead) deps.log.warn({ delivery_id: d.id, subscription_id: d.subscription_id, http_status: status }, 'webhook delivery dead-lettered');
        return settleDelivery(db, d.id, 'pending', { state: dead ? 'dead' : 'pending', last_status: status, last_error: error, next_attempt_at: new Date(clock().getTime() + backoff(d.attempts) * 1000) });
      }));
      return due.length;
    },
  };
}

export type DataOutService = ReturnType<typeof createDataOutService>;
