/**
 * What the app cannot hold, as plain rules (no fastify): the request guard
 * (`plugins/input-guard.ts`) applies them to every request, and a batch feed to every row it reads,
 * so a file is held to the same rules as an API call.
 *
 * - a NUL character or a lone UTF-16 surrogate in any string or key (text and jsonb refuse both);
 * - a number that is not finite (JSON's 1e400, or "Infinity" coerced from a query or form);
 * - a date or time outside the years 1900–2199 (PostgreSQL has no year 0000; nothing a hotline
 *   does is dated before or after).
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

/** A bank's own key for a customer or a holding (customer_no, an account number): up to an IBAN's 34 letters, digits and dashes. */
export const BANK_KEY = /^[A-Za-z0-9-]{1,34}$/;
