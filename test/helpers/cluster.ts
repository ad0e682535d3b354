import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { until } from './wait.js';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  proc: ChildProcess;
  /** What the process wrote (stdout and stderr), for a failure message. */
  output: () => string;
  /** Gone, one way or another. */
  exited: Promise<void>;
}

function track(proc: ChildProcess): Proc {
  let out = '';
  proc.stdout?.on('data', (d) => { out = (out + d).slice(-20_000); });
  proc.stderr?.on('data', (d) => { out = (out + d).slice(-20_000); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { proc, output: () => out, exited };
}

/** A Redis of the test's own (no persistence: a restart loses every key, as a failed-over empty Redis would). */
export async function startRedis(port: number): Promise<Proc> {
  const p = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await until(`redis on ${port}`, async () => canConnect(port), 10_000);
  return p;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** A web node as production runs it: `server/main.ts` in its own process. */
export async function startNode(port: number, env: Record<string, string>): Promise<Proc> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' };
  for (const k of ['VITEST', 'TEST', 'NODE_ENV']) delete childEnv[k];
  const p = track(spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
  await until(`the node on ${port} to be ready`, async () => {
    if (p.proc.exitCode !== null) throw new Error(`node on ${port} exited (${p.proc.exitCode}): ${p.output()}`);
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
    return res?.status === 200;
  }, 60_000);
  return p;
}

/** kill -9, and wait until it is gone. */
export async function kill9(p: Proc): Promise<void> {
  if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  await p.exited;
}

/**
 * A small load balancer: each TCP connection (HTTP keep-alive, a websocket) goes to the next
 * backend in turn, and to the one after if that one refuses the connection (a dead node).
 */
export async function startProxy(backends: number[]): Promise<{ url: string; close: () => Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const tryBackend = (left: number) => {
      if (left === 0) {
        client.destroy();
        return;
      }
      const port = backends[next++ % backends.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
      upstream.once('error', () => {
        if (!connected) tryBackend(left - 1);
      });
    };
    tryBackend(backends.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
