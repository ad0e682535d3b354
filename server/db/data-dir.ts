import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Who holds an embedded data directory: written into its lock file. */
export interface DataDirHolder {
  pid: number;
  /** What is running: `npm start`, `npm run user:add`, … */
  command: string;
  since: string;
  /** The holder's address, once it listens (so `npm run call` finds it on any port). */
  url?: string;
}

/** The embedded data directory cannot be used: held by another process, or damaged. */
export class DataDirError extends Error {}

const LOCK_FILE = 'switchboard.lock';
const held = new Map<string, DataDirHolder>();

export const lockPath = (dataDir: string) => path.join(path.resolve(dataDir), LOCK_FILE);

/** The command this process is, as a person typed it. */
export function thisCommand(): string {
  const script = process.env.npm_lifecycle_event;
  if (script) return script === 'start' ? 'npm start' : `npm run ${script}`;
  return `node ${path.basename(process.argv[1] ?? 'node')}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of `dataDir`, if any (a lock left by a process that died is no holder). */
export function readHolder(dataDir: string): DataDirHolder | null {
  let holder: DataDirHolder;
  try {
    holder = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as DataDirHolder;
  } catch {
    return null;
  }
  if (!Number.isInteger(holder.pid) || !alive(holder.pid)) return null;
  if (holder.pid === process.pid && !held.has(path.resolve(dataDir))) return null;
  return holder;
}

export const describeHolder = (h: DataDirHolder) => `${h.command} (pid ${h.pid}${h.url ? `, ${h.url}` : ''}, since ${h.since})`;

/**
 * Takes the embedded data directory for this process, or throws a DataDirError naming the process
 * that has it. PGlite is one PostgreSQL in one process: a second process opening the same files
 * corrupts them, so exactly one may (single writer). A lock whose process is gone is taken over.
 */
export function lockDataDir(dataDir: string, command = thisCommand()): { release(): void } {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = lockPath(dir);
  const mine: DataDirHolder = { pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    if (held.has(dir)) throw new DataDirError(`The embedded database in ${dir} is already open in this process (${describeHolder(held.get(dir)!)})`);
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      const holder = readHolder(dir);
      if (holder) {
        throw new DataDirError(
          `The embedded database in ${dir} is in use by ${describeHolder(holder)}.\n`
          + 'Only one process may open it at a time (embedded PostgreSQL is single-writer): stop that one first (Ctrl-C), '
          + 'or give this command another DATA_DIR.',
        );
      }
      rmSync(file, { force: true }); // left by a process that died: take it over
    }
  }
  held.set(dir, mine);
  const release = () => {
    if (held.get(dir) !== mine) return;
    held.delete(dir);
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as DataDirHolder).pid === process.pid) rmSync(file, { force: true });
    } catch { /* already gone */ }
  };
  process.once('exit', release);
  return { release };
}

/** Records this process's address in the locks it holds, for other commands to find it. */
export function announceUrl(url: string): void {
  for (const [dir, holder] of held) {
    holder.url = url;
    writeFileSync(lockPath(dir), JSON.stringify(holder));
  }
}

/** The message for an embedded database that PGlite cannot open. */
export function damagedMessage(dataDir: string, err: unknown): string {
  return `The embedded database in ${path.resolve(dataDir, 'pglite')} cannot be opened (${err instanceof Error ? err.message : String(err)}).\n`
    + 'It looks damaged (two processes writing it at once, or a disk that filled up). '
    + 'npm run demo:reset deletes it; the next npm start seeds a fresh demo bank.';
}
