/* eslint-disable @typescript-eslint/no-explicit-any -- socket payloads are JSON the tests assert on field by field */
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { io, type Socket } from 'socket.io-client';
import { makeAgent } from './factories.js';

export interface Received { event: string; payload: any }

/** An agent console as the server sees it: a socket.io client on /agent that records everything it hears. */
export interface AgentClient {
  id: number;
  socket: Socket;
  received: Received[];
  /** The next (or an already received, not yet taken) event matching, within `timeoutMs`. */
  next(event: string, match?: (payload: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Sends a request and returns the ack's data; a coded error is thrown as `Error(code)`. */
  request(event: string, body?: unknown): Promise<any>;
  close(): void;
}

/** `heartbeatMs`: renew the presence lease as the console does, for tests that outlast AGENT_LEASE_SECONDS. */
export async function connectAgent(url: string, token: string, id: number, opts: { heartbeatMs?: number } = {}): Promise<AgentClient> {
  const socket = io(`${url}/agent`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const received: Received[] = [];
  const taken = new Set<Received>();
  const waiters: (() => void)[] = [];
  socket.onAny((event: string, payload: unknown) => {
    received.push({ event, payload });
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  const heartbeat = opts.heartbeatMs ? setInterval(() => socket.emit('heartbeat', {}), opts.heartbeatMs) : undefined;
  socket.on('disconnect', () => clearInterval(heartbeat));
  return {
    id,
    socket,
    received,
    async next(event, match = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find((r) => !taken.has(r) && r.event === event && match(r.payload));
        if (hit) {
          taken.add(hit);
          return hit.payload;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`agent ${id}: no ${event} within ${timeoutMs} ms; heard ${received.map((r) => r.event).join(', ')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    async request(event, body) {
      const reply = await socket.timeout(10_000).emitWithAck(event, body ?? {});
      if (!reply.ok) throw Object.assign(new Error(reply.error.code), { detail: reply.error.message });
      return reply.data;
    },
    close: () => { socket.disconnect(); },
  };
}

/** Makes `count` agent logins with these skills (no password: tokens are signed by the app). */
export async function makeAgents(app: FastifyInstance, db: Knex, prefix: string, count: number, skills: Record<string, number>, languages = ['zh', 'en']) {
  const out: { id: number; token: string }[] = [];
  for (let i = 0; i < count; i++) {
    const id = await makeAgent(db, { username: `${prefix}${i}`, skills, languages });
    out.push({ id, token: await signIn(app, id) });
  }
  return out;
}

/** A seeded user's id and a token for them. */
export async function tokenFor(app: FastifyInstance, db: Knex, username: string) {
  const u = await db('users').where({ username }).first('id', 'username', 'role', 'rm_id');
  return { id: u.id as number, token: await signIn(app, u.id as number) };
}

/** A session for this user without their password (as a login makes one): its access token. */
export async function signIn(app: FastifyInstance, userId: number): Promise<string> {
  const user = await app.db('users').where({ id: userId }).first('id', 'username', 'role', 'display_name', 'rm_id');
  const issued = await app.sessions.start(user, 'password', null);
  return app.accessToken({ sid: issued.sid, userId });
}

/**
 * An agent at work but busy on a call: the queue counts as staffed (callers may wait for them),
 * yet no offer goes out. For tests about what a waiting caller hears and does.
 */
export async function busyAgent(db: Knex, prefix: string, skills: Record<string, number>, languages = ['zh', 'en']) {
  return makeAgent(db, { username: `${prefix}-busy`, skills, languages, state: 'on_call' });
}
