import { createAdapter } from '@socket.io/redis-adapter';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { Config } from '../config.js';
import type { TokenClaims } from './auth.js';
import type { Role } from '../modules/users/users-schemas.js';

/** Something to tell one agent's consoles (every tab, on whichever node it is connected). */
export interface Notice {
  agentId: number;
  event: string;
  payload: unknown;
}

export interface Realtime {
  io: Server;
  /** The agents' namespace: one room per agent, `agent:<user id>`. */
  agents: Namespace;
  /** The supervisors' namespace (supervisor and admin): the live wallboard. */
  supervisors: Namespace;
  notify(notices: Notice[]): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Realtime;
  }
}

export const agentRoom = (agentId: number) => `agent:${agentId}`;

/** Tells an agent's consoles their new state (`agent:state`). */
export const agentStateNotice = (agentId: number, state: string, reason: string | null, at: Date): Notice =>
  ({ agentId, event: 'agent:state', payload: { state, reason, since: at.toISOString() } });

/** The login token's claims of an authenticated socket. */
export const claimsOf = (socket: Socket) => socket.data.user as TokenClaims;

/**
 * socket.io on the app's HTTP server. Every namespace authenticates at handshake with the login
 * token (`auth: { token }`): no token, a bad one or the wrong role, and the connection is refused.
 * With REDIS_URL the Redis adapter carries emits between nodes, so a notice reaches an agent
 * whichever node their console is connected to.
 */
export const realtimePlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    const io = new Server(app.server, { serveClient: false, pingInterval: 10_000, pingTimeout: 5_000 });
    let pub: Redis | null = null;
    let sub: Redis | null = null;
    if (opts.config.REDIS_URL) {
      pub = new Redis(opts.config.REDIS_URL, { lazyConnect: true });
      sub = pub.duplicate();
      for (const r of [pub, sub]) r.on('error', (err) => app.log.warn({ err: err.message }, 'realtime redis error'));
      await Promise.all([pub.connect(), sub.connect()]).catch((err) => app.log.warn({ err: err.message }, 'realtime redis not reachable at boot'));
      io.adapter(createAdapter(pub, sub, { key: `${opts.config.REDIS_PREFIX}#socket.io` }));
    }

    const authenticate = (roles: readonly Role[]) => (socket: Socket, next: (err?: Error) => void) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || !token) return next(Object.assign(new Error('SB_ERR_AUTH_REQUIRED'), { data: { code: 'SB_ERR_AUTH_REQUIRED' } }));
      let user: TokenClaims;
      try {
        user = app.jwt.verify<TokenClaims>(token);
      } catch {
        return next(Object.assign(new Error('SB_ERR_AUTH_TOKEN_INVALID'), { data: { code: 'SB_ERR_AUTH_TOKEN_INVALID' } }));
      }
      if (!roles.includes(user.role)) return next(Object.assign(new Error('SB_ERR_AUTH_FORBIDDEN'), { data: { code: 'SB_ERR_AUTH_FORBIDDEN' } }));
      socket.data.user = user;
      next();
    };

    // The root namespace serves nobody: a client must name /agent or /supervisor.
    io.of('/').use((_socket, next) => next(new Error('SB_ERR_ROUTE_NOT_FOUND')));
    const agents = io.of('/agent');
    agents.use(authenticate(['agent', 'rm']));
    const supervisors = io.of('/supervisor');
    supervisors.use(authenticate(['supervisor', 'admin']));

    app.decorate('realtime', {
      io,
      agents,
      supervisors,
      notify(notices: Notice[]) {
        for (const n of notices) agents.to(agentRoom(n.agentId)).emit(n.event, n.payload);
      },
    });

    // Sockets must go before the HTTP server can close; the adapter's Redis links after.
    app.addHook('preClose', async () => {
      io.local.disconnectSockets(true);
      for (const ns of [agents, supervisors]) ns.local.disconnectSockets(true);
      io.engine.close();
    });
    app.addHook('onClose', async () => {
      pub?.disconnect();
      sub?.disconnect();
    });
  },
  { name: 'realtime', dependencies: ['auth'] },
);
