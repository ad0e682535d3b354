/** Polls `probe` until it returns something truthy (and returns that), or fails naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An IANA zone whose local hour is `hour` right now (Etc/GMT+N is UTC-N): calling windows that hold whenever a test runs. */
export function zoneAtLocalHour(hour: number): string {
  let n = new Date().getUTCHours() - hour;
  if (n > 11) n -= 24;
  if (n < -12) n += 24;
  return n === 0 ? 'Etc/GMT' : n > 0 ? `Etc/GMT+${n}` : `Etc/GMT-${-n}`;
}

/** The app's clock for a test: real time running from a chosen moment, which the test may move on. */
export function clockFrom(iso: string) {
  let shift = new Date(iso).getTime() - Date.now();
  return { now: () => new Date(Date.now() + shift), advance: (seconds: number) => { shift += seconds * 1000; } };
}
