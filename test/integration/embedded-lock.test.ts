import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { DataDirError } from '../../server/db/data-dir.js';
import { until } from '../helpers/wait.js';

// The embedded demo as a newcomer runs it: `npm start` and the CLIs as processes on one DATA_DIR.
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sb-lock-'));
  dirs.push(d);
  return d;
}

/** The environment of a bare laptop: no PostgreSQL, no Redis, a small bank. */
function envFor(dir: string, script: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, SEED_CUSTOMERS: '200', SEED_HISTORY_DAYS: '0', LOG_LEVEL: 'warn', npm_lifecycle_event: script };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'TELEPHONY', 'NODE_ENV', 'VITEST', 'TEST']) delete env[k];
  return env;
}

interface Run { code: number | null; out: string }
function run(script: string, file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => resolve({ code, out }));
  });
}

function startServer(dir: string, port: string): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...envFor(dir, 'start'), PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  return { proc, output: () => out };
}

const lockOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'switchboard.lock'), 'utf8')) as { pid: number; command: string; url?: string };

describe('embedded mode: one process holds DATA_DIR', () => {
  it('a second opener is refused naming the holder; npm run call reaches the demo on its own port; the data survives', async () => {
    const dir = dataDir();
    const server = startServer(dir, '0');
    const lock = await until('the demo to listen', async () => existsSync(path.join(dir, 'switchboard.lock')) && lockOf(dir).url ? lockOf(dir) : null, 90_000);
    expect(lock).toMatchObject({ pid: server.proc.pid, command: 'npm start' });

    const add = await run('user:add', 'server/cli/user-add.ts', ['--username', 'late.agent', '--password', 'a-long-password', '--role', 'agent'], envFor(dir, 'user:add'));
    expect(add.code).toBe(1);
    expect(add.out).toContain(`in use by npm start (pid ${server.proc.pid}, ${lock.url}`);
    expect(add.out).not.toContain('Created');

    // The demo listens on a port of its own choosing: the call finds it through the lock, not PORT.
    const call = await run('call', 'server/cli/call.ts', ['--from', '+8613800000003', '--press', '1'], envFor(dir, 'call'));
    expect(call.out).toContain('Call from +8613800000003');
    expect(call.code).toBe(0);

    server.proc.kill('SIGTERM');
    await until('the demo to stop', async () => server.proc.exitCode !== null, 20_000);
    expect(server.proc.exitCode).toBe(0);
    expect(existsSync(path.join(dir, 'switchboard.lock'))).toBe(false);

    // Stopped, the same command works, and the next start finds the bank (and the new user) intact.
    const again = await run('user:add', 'server/cli/user-add.ts', ['--username', 'late.agent', '--password', 'a-long-password', '--role', 'agent'], envFor(dir, 'user:add'));
    expect(again.out).toContain('Created agent late.agent');
    const restarted = startServer(dir, '0');
    const url = (await until('the demo to listen again', async () => existsSync(path.join(dir, 'switchboard.lock')) && lockOf(dir).url ? lockOf(dir) : null, 60_000)).url!;
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'late.agent', password: 'a-long-password' }) });
    expect(login.status).toBe(200);
    restarted.proc.kill('SIGTERM');
    await until('the demo to stop', async () => restarted.proc.exitCode !== null, 20_000);
    expect(restarted.output()).not.toMatch(/Aborted/);
  }, 240_000);

  it('a lock left by a process that died is taken over', async () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'switchboard.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, command: 'npm start', since: new Date().toISOString() }));
    const verify = await run('compliance:verify', 'server/cli/compliance-verify.ts', [], envFor(dir, 'compliance:verify'));
    // And a CLI on an empty data dir migrates first.
    expect(verify.out).toContain('compliance log intact: 0 rows');
    expect(verify.code).toBe(0);
  }, 60_000);

  it('a damaged data dir is named at start with the way out, and demo:reset takes it', async () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', SEED_CUSTOMERS: '0' });
    const first = await buildApp(config);
    await first.close();
    writeFileSync(path.join(dir, 'pglite', 'global', 'pg_control'), Buffer.alloc(512, 7));
    const err = await buildApp(config).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as Error).message).toMatch(/looks damaged[\s\S]*npm run demo:reset/);

    const reset = await run('demo:reset', 'server/cli/demo-reset.ts', [], envFor(dir, 'demo:reset'));
    expect(reset.code).toBe(0);
    expect(reset.out).toContain('Deleted the demo database');
    const fresh = await buildApp(config);
    expect(Number((await fresh.db('users').count('* as n').first())?.n)).toBe(0);
    await fresh.close();
  }, 60_000);
});
