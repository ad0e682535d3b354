import { createAdapter } from '@socket.io/redis-adapter';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { SessionUser } from './auth.js';
import type { Role } from '../modules/users/users-schemas.js';
import { agentRoom, sessionRoom, supervisorRoom, claimsOf, type Notice, type SupervisorNotice } from '../lib/realtime-notices.js';

export interface Realtime {
  io: Server;
  /** The agents' namespace: one room per agent, `agent:<user id>`. */
  agents: Namespace;
  /** The supervisors' namespace (supervisor and admin): the live wallboard. */
  supervisors: Namespace;
  notify(notices: (Notice | SupervisorNotice)[]): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Realtime;
  }
}

/** Told to a socket just before the server closes it because its session may no longer act. */
export const SESSION_ENDED_EVENT = 'session:ended';

const refusal = (code: string) => Object.assign(new Error(code), { data: { code } });

/**
 * socket.io on the app's HTTP server. Every namespace authenticates at handshake with an access
 * token (`auth: { token }`): no token, a bad one, an ended session or the wrong role, and the
 * connection is refused. After that every message is checked against the session and user as
 * they are now (cached SESSION_CHECK_SECONDS at most), and a sweep closes the sockets of ended
 * sessions, disabled or deleted users and users whose new role may not use the namespace, even
 * when they send nothing; logout and reuse close their session's sockets at once, on every node.
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

    /** Closes a socket whose session may not act any more, telling it why first. */
    const cut = (socket: Socket, code: string) => {
      socket.emit(SESSION_ENDED_EVENT, { code });
      socket.disconnect(true);
    };

    const authenticate = (roles: readonly Role[]) => async (socket: Socket, next: (err?: Error) => void) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      let user: SessionUser;
      try {
        user = await app.sessionOf(typeof token === 'string' ? token : undefined);
      } catch (err) {
        if (!(err instanceof AppError)) app.log.warn({ err: (err as Error).message }, 'socket refused: its session could not be checked');
        return next(refusal(err instanceof AppError ? err.code : 'SB_ERR_DEPENDENCY_UNAVAILABLE'));
      }
      if (!roles.includes(user.role)) return next(refusal('SB_ERR_AUTH_FORBIDDEN'));
      socket.data.user = user;
      // Each message acts as the user is now: a message of an ended session is dropped and the socket closed.
      socket.use((_packet, go) => {
        app.sessions.current(user.sid).then((now) => {
          if (!now) return cut(socket, 'SB_ERR_AUTH_SESSION_REVOKED');
          if (!roles.includes(now.role)) return cut(socket, 'SB_ERR_AUTH_FORBIDDEN');
          socket.data.user = now;
          go();
        }, (err: Error) => {
          // Unchecked, it does not run: dropped (the sender's ack times out), never passed to
          // socket.io as an error (an 'error' event nobody listens to would throw).
          app.log.warn({ err: err.message }, 'socket message dropped: its session could not be checked');
        });
      });
      void socket.join(sessionRoom(user.sid));
      next();
    };

    // The root namespace serves nobody: a client must name /agent or /supervisor.
    io.of('/').use((_socket, next) => next(new Error('SB_ERR_ROUTE_NOT_FOUND')));
    const agents = io.of('/agent');
    const agentRoles: readonly Role[] = ['agent', 'rm'];
    agents.use(authenticate(agentRoles));
    const supervisors = io.of('/supervisor');
    const supervisorRoles: readonly Role[] = ['supervisor', 'admin'];
    supervisors.use(authenticate(supervisorRoles));

    // A session ended here (logout, a reused refresh token): its sockets close on every node now.
    app.sessions.onEnded((ended) => {
      for (const ns of [agents, supervisors]) {
        for (const s of ended) {
          ns.to(sessionRoom(s.id)).emit(SESSION_ENDED_EVENT, { code: 'SB_ERR_AUTH_SESSION_REVOKED' });
          ns.in(sessionRoom(s.id)).disconnectSockets(true);
        }
      }
    });

    // Sockets that send nothing are checked too, this node's own, every SESSION_CHECK_SECONDS:
    // a user disabled, deleted or demoted in the database (by any node, or by hand) is cut off.
    const sweepMs = Math.max(1, opts.config.SESSION_CHECK_SECONDS) * 1000;
    let sweeping = false;
    const sweep = setInterval(() => {
      if (sweeping) return;
      const local = [...agents.sockets.values(), ...supervisors.sockets.values()].filter((s) => s.data.user);
      if (!local.length) return;
      sweeping = true;
      app.sessions.check([...new Set(local.map((s) => claimsOf(s).sid))]).then((live) => {
        for (const s of local) {
          const now = live.get(claimsOf(s).sid);
          const roles = s.nsp === agents ? agentRoles : supervisorRoles;
          if (!now) cut(s, 'SB_ERR_AUTH_SESSION_REVOKED');
          else if (!roles.includes(now.role)) cut(s, 'SB_ERR_AUTH_FORBIDDEN');
          else s.data.user = now;
        }
      }).catch((err: Error) => app.log.warn({ err: err.message }, 'socket session sweep failed')).finally(() => { sweeping = false; });
    }, sweepMs);
    sweep.unref();
    app.addHook('preClose', async () => clearInterval(sweep));

    app.decorate('realtime', {
      io,
      agents,
      supervisors,
      notify(notices: (Notice | SupervisorNotice)[]) {
        for (const n of notices) {
          if ('agentId' in n) agents.to(agentRoom(n.agentId)).emit(n.event, n.payload);
          else supervisors.to(supervisorRoom(n.supervisorId)).emit(n.event, n.payload);
        }
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
