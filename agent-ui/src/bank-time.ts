import { BANK_TIME_ZONE } from '../../server/lib/local-time.js';

// Times staff type (a callback, a moved callback) are the bank's wall clock, wherever the browser
// is: agents and supervisors agree with each other and with what the customer was told.

const parts = (at: Date) => {
  const p = new Intl.DateTimeFormat('en-US', {
    timeZone: BANK_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at);
  const n = (type: string) => p.find((x) => x.type === type)!.value;
  return { y: n('year'), mo: n('month'), d: n('day'), h: n('hour'), mi: n('minute'), s: n('second') };
};

/** A `datetime-local` value (to the second) for an instant, on the bank's clock. */
export function bankInput(at: Date): string {
  const { y, mo, d, h, mi, s } = parts(at);
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

/** The instant a `datetime-local` value names on the bank's clock; null when it is no time at all. */
export function fromBankInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  // The zone's offset at that moment: a first guess, corrected once (enough across a DST change).
  const offsetAt = (at: number) => {
    const { y, mo, d, h, mi, s } = parts(new Date(at));
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - at;
  };
  let at = wall - offsetAt(wall);
  at = wall - offsetAt(at);
  return Number.isNaN(at) ? null : new Date(at);
}

/**
 * An instant as the bank's clock shows it: the one way every screen writes a time (tables, the
 * wallboard, reports, the pop), `2026-11-18 10:05` in both languages, `:ss` added where seconds matter.
 */
export function bankTime(at: string | Date, seconds = false): string {
  const { y, mo, d, h, mi, s } = parts(typeof at === 'string' ? new Date(at) : at);
  return `${y}-${mo}-${d} ${h}:${mi}${seconds ? `:${s}` : ''}`;
}

/** The bank's time of day only (`10:05`), where the day goes without saying (the wallboard's interval). */
export const bankClock = (at: string | Date, seconds = false) => bankTime(at, seconds).slice(11);
