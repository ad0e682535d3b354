/** The bank's wall clock: days and intervals begin at local midnight, not UTC's. */
export const BANK_TIME_ZONE = 'Asia/Shanghai';

/** Milliseconds the zone is ahead of UTC at `at`. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** Local midnight of the day `at` falls in. */
export function startOfLocalDay(at: Date, timeZone = BANK_TIME_ZONE): Date {
  const offset = zoneOffsetMs(at, timeZone);
  const local = at.getTime() + offset;
  const midnight = local - (((local % 86_400_000) + 86_400_000) % 86_400_000);
  return new Date(midnight - zoneOffsetMs(new Date(midnight - offset), timeZone));
}

/** Start of the `minutes`-long interval `at` falls in, counted from local midnight. */
export function startOfInterval(at: Date, minutes: number, timeZone = BANK_TIME_ZONE): Date {
  const day = startOfLocalDay(at, timeZone).getTime();
  const size = minutes * 60_000;
  return new Date(day + Math.floor((at.getTime() - day) / size) * size);
}

/** Whether Intl knows the IANA zone (customer data and request parameters can name any). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (YYYY-MM-DD) of `at` in `timeZone`. */
export function localDate(at: Date, timeZone = BANK_TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);
}

/** The wall-clock minute of the day (0..1439) at `at` in `timeZone`. */
export function localMinuteOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return n('hour') * 60 + n('minute');
}
