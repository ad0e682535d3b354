import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * The one logger setup of every process (web nodes, the worker, CLIs that log): JSON for a log
 * collector or short human lines for the demo's terminal, the request id of the work in hand on
 * every line, and personal data scrubbed before a line is written (SEC-03).
 */

/** The request (or job) whose work is running: its id goes on every log line written meanwhile. */
export interface WorkContext { reqId: string }
export const workContext = new AsyncLocalStorage<WorkContext>();

/** The id of the request (or job) in hand, if any. */
export const currentRequestId = (): string | undefined => workContext.getStore()?.reqId;

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
/** A caller's X-Request-Id when it is a sane token, else a fresh UUID. */
export const requestIdFrom = (header: unknown): string => (typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID());

// Keys whose values are personal data or secrets whatever they hold.
const SECRET_KEYS = new Set([
  'authorization', 'cookie', 'password', 'pin', 'digits', 'token', 'refresh_token', 'access_token', 'id_token', 'code_verifier',
  'id_number', 'pan', 'card_number', 'card_no', 'account_no',
]);
// Keys that hold a person's name or number: masked, not dropped, so a line still says something.
const PERSON_KEYS = new Set(['phone', 'from', 'to', 'caller', 'called', 'name', 'full_name', 'name_en', 'name_zh', 'customer_name']);
// A run of 7+ digits (spaces allowed), not part of a longer token such as a SID or a UUID.
const PHONE = /(?<![\w.:/-])\+?\d[\d ]{5,18}\d(?![\w])/g;
const MAX_DEPTH = 6;

/** Digit runs long enough to be a phone, card or ID number keep their last 4 only. */
export function scrubText(text: string): string {
  return text.replace(PHONE, (m) => {
    const digits = m.replace(/\D/g, '');
    return digits.length < 7 ? m : `…${digits.slice(-4)}`;
  });
}

/** Strips query values from a URL for logging: `/api/customers/lookup?phone=…` says which route, not whose phone. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const keys = url.slice(q + 1).split('&').filter(Boolean).map((pair) => pair.split('=')[0]);
  return `${url.slice(0, q)}?${keys.map((k) => `${k}=…`).join('&')}`;
}

function scrub(value: unknown, key: string | null, depth: number): unknown {
  if (key !== null) {
    const k = key.toLowerCase();
    if (SECRET_KEYS.has(k)) return '[redacted]';
    if (PERSON_KEYS.has(k) && typeof value === 'string') return value.length > 1 ? `${[...value][0]}…${/\d{4}$/.test(value) ? value.slice(-4) : ''}` : '…';
  }
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubText(value.message), stack: value.stack ? scrubText(value.stack) : undefined, ...(('code' in value) ? { code: (value as { code: unknown }).code } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, null, depth + 1));
  // Class instances (a request, a socket) are left to their serializers.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, k, depth + 1);
  return out;
}

/** Writes each JSON line as a short human line: `12:03:04 WARN  message  key=value …`. */
function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
  const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'req_id']);
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        let o: Record<string, unknown>;
        try { o = JSON.parse(line) as Record<string, unknown>; } catch { out.write(`${line}\n`); continue; }
        const time = new Date(Number(o.time)).toTimeString().slice(0, 8);
        const extras = Object.entries(o).filter(([k]) => !SKIP.has(k)).map(([k, v]) => {
          if (k === 'err' && v && typeof v === 'object') return `err=${(v as { message?: string }).message ?? ''}`;
          return `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
        });
        out.write(`${time} ${LEVELS[Number(o.level)] ?? o.level} ${String(o.msg ?? '')}${extras.length ? `  ${extras.join(' ')}` : ''}\n`);
      }
      done();
    },
  });
}

export interface LogSettings {
  LOG_LEVEL: string;
  LOG_FORMAT?: 'json' | 'pretty';
}

/** pino options shared by every process. */
export function loggerOptions(settings: LogSettings, name?: string): LoggerOptions {
  return {
    level: settings.LOG_LEVEL,
    ...(name ? { name } : {}),
    // The request id of the work in hand, on lines logged outside the request's own logger too
    // (a routing pass or a job the request started).
    mixin(_merge, _level, logger) {
      const reqId = currentRequestId();
      return reqId && !('req_id' in (logger as Logger).bindings()) ? { req_id: reqId } : {};
    },
    formatters: { log: (object) => scrub(object, null, 0) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>);
      },
    },
    serializers: {
      req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: scrubUrl(req.url ?? '') }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
}

/** The logger of a process; `destination` for tests that read what was logged. */
export function createLogger(settings: LogSettings, opts: { name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const out = opts.destination ?? process.stdout;
  const stream = settings.LOG_FORMAT === 'pretty' ? prettyStream(out) : (out as DestinationStream);
  return pino(loggerOptions(settings, opts.name), stream);
}
