/** The p-th percentile of an ascending list (nearest rank). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Config for the built-in simulator on a bench's PostgreSQL database (asked for by the database's name). */
export const simulatorOn = (databaseUrl: string) => ({ TELEPHONY: 'simulator', SIMULATOR_DATABASE: new URL(databaseUrl).pathname.slice(1) });
