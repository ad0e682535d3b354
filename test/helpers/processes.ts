import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** Every line it wrote to stdout and stderr so far. */
  lines: string[];
  /** The first line (already written or still to come) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Runs one of the project's entry points (server/main.ts, server/worker.ts) as its own process, from
 * source through tsx, with only the environment given (and PATH): as a process manager would.
 */
export function startProcess(entry: string, env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
      for (const w of waiters.splice(0)) w();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { for (const w of waiters.splice(0)) w(); resolve(code); }));
  return {
    child,
    lines,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find((l) => pattern.test(l));
        if (hit) return hit;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`${entry}: no line matching ${pattern} (${child.exitCode !== null ? `exited ${child.exitCode}` : 'timed out'}); it wrote:\n${lines.slice(-30).join('\n')}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
