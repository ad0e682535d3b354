import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Ajv } from 'ajv';
import { appError } from '../errors.js';

/**
 * The one place where request values PostgreSQL (or the rest of the app) cannot hold are refused,
 * for every route and every Twilio webhook alike, so no handler has to remember them:
 *
 * - a NUL character or a lone UTF-16 surrogate in any string or key (text and jsonb refuse both);
 * - a number that is not finite (JSON's 1e400, or "Infinity" coerced from a query or form);
 * - a date or time outside the years 1900–2199 (PostgreSQL has no year 0000; nothing a hotline
 *   does is dated before or after), through the `date` and `date-time` formats of every schema.
 *
 * Bounds on each number and `additionalProperties: false` live in the schemas themselves
 * (a test walks the OpenAPI document to keep them there).
 */
export const YEARS = { min: 1900, max: 2199 } as const;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(s)) return 'is not well-formed Unicode';
  return null;
}

// A body being streamed to its handler (a CSV upload), or raw bytes, is that handler's to read.
const isData = (v: object) => typeof (v as { pipe?: unknown }).pipe !== 'function' && !ArrayBuffer.isView(v);

/** The first unsafe value in `value` (walked without recursion: depth cannot overflow the stack), or null. */
export function findUnsafe(value: unknown, root = ''): { field: string; message: string } | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) return { field: path, message: problem };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { field: path, message: 'must be a finite number' };
    } else if (v !== null && typeof v === 'object' && isData(v)) {
      for (const [k, child] of Object.entries(v)) {
        const problem = stringProblem(k);
        if (problem) return { field: `${path}/${[...k].map((ch) => (stringProblem(ch) ? '?' : ch)).join('')}`, message: `key ${problem}` };
        stack.push([child, `${path}/${k}`]);
      }
    }
    // Anything else (a stream being uploaded, a Buffer) is read by its handler, not here.
  }
  return null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

function validDay(y: number, m: number, d: number): boolean {
  if (y < YEARS.min || y > YEARS.max || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** RFC 3339 full-date, in the years the app accepts. */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  return Boolean(m && validDay(Number(m[1]), Number(m[2]), Number(m[3])));
}

/** RFC 3339 date-time with a zone (Z or ±hh:mm), in the years the app accepts. */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m || !validDay(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  const [h, min, sec] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (h > 23 || min > 59 || sec > 60) return false; // 60: a leap second
  return !m[9] || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
}

/** Replaces ajv-formats' `date` and `date-time` with the bounded ones (ajv `onCreate`). */
export function boundedDateFormats(ajv: Ajv): void {
  ajv.addFormat('date', isDate);
  ajv.addFormat('date-time', isDateTime);
}

function check(request: FastifyRequest): void {
  for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
    const bad = findUnsafe(value);
    if (bad) {
      const field = `${part}${bad.field}`;
      throw appError('SB_ERR_REQUEST_INVALID', `Invalid request: ${field} ${bad.message}`, { field, message: bad.message });
    }
  }
}

/** Runs after schema validation (and coercion) and before every handler, webhooks included. */
export const inputGuardPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preHandler', async (request) => check(request));
  },
  { name: 'input-guard' },
);
