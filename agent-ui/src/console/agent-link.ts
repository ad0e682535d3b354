import { ApiError } from '../api.js';
import { openStaffSocket } from '../staff-socket.js';
import type { AgentDigest, AgentServerEvents } from '../types.js';

/** The presence lease is 10 s by default: a heartbeat every 3 s survives two lost ones. */
const HEARTBEAT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;

type Listeners = { [E in keyof AgentServerEvents]: (payload: AgentServerEvents[E]) => void };
type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

export interface AgentLink {
  request<T = unknown>(event: string, body?: unknown): Promise<T>;
  /** Asks the server for the whole state again; it arrives as `agent:restore`. */
  sync(): void;
  close(): void;
}

/**
 * The console's socket to /agent. socket.io reconnects by itself; on every (re)connect the server
 * sends `agent:restore`, so the console never has to guess what it missed while offline. A notice
 * can also be lost with the socket up (Redis between the nodes down for a while): every heartbeat's
 * answer is the server's digest of the agent's state, handed to `digest`, which may call `sync`.
 */
export function connectAgentLink(on: Listeners & {
  online: (online: boolean) => void;
  /** The token was refused (expired, revoked): the agent must sign in again. */
  refused: (code: string) => void;
  /** The server's view, every heartbeat: compare it with the console's own. */
  digest: (d: AgentDigest | null) => void;
}): AgentLink {
  const socket = openStaffSocket('/agent', on);
  for (const [event, fn] of Object.entries(on)) {
    if (event !== 'online' && event !== 'refused' && event !== 'digest') socket.on(event, fn as (payload: unknown) => void);
  }
  const beat = setInterval(() => {
    if (!socket.connected) return;
    socket.timeout(HEARTBEAT_MS).emit('heartbeat', {}, (err: Error | null, reply?: Ack) => {
      if (!err && reply?.ok) on.digest(reply.data as AgentDigest | null);
    });
  }, HEARTBEAT_MS);

  return {
    async request<T>(event: string, body: unknown = {}) {
      if (!socket.connected) throw new ApiError('SB_ERR_OFFLINE', 'Not connected');
      const reply = (await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, body)) as Ack;
      if (!reply.ok) throw new ApiError(reply.error.code, reply.error.message);
      return reply.data as T;
    },
    sync() {
      if (!socket.connected) return;
      socket.timeout(REQUEST_TIMEOUT_MS).emit('agent:sync', {}, (err: Error | null, reply?: Ack) => {
        if (!err && reply?.ok) on['agent:restore'](reply.data as AgentServerEvents['agent:restore']);
      });
    },
    close() {
      clearInterval(beat);
      socket.disconnect();
    },
  };
}
