import { ApiError } from '../api.js';
import { openStaffSocket } from '../staff-socket.js';
import type { AgentServerEvents } from '../types.js';

/** The presence lease is 10 s by default: a heartbeat every 3 s survives two lost ones. */
const HEARTBEAT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;

type Listeners = { [E in keyof AgentServerEvents]: (payload: AgentServerEvents[E]) => void };
type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

export interface AgentLink {
  request<T = unknown>(event: string, body?: unknown): Promise<T>;
  close(): void;
}

/**
 * The console's socket to /agent. socket.io reconnects by itself; on every (re)connect the server
 * sends `agent:restore`, so the console never has to guess what it missed while offline.
 */
export function connectAgentLink(on: Listeners & {
  online: (online: boolean) => void;
  /** The token was refused (expired, revoked): the agent must sign in again. */
  refused: (code: string) => void;
}): AgentLink {
  const socket = openStaffSocket('/agent', on);
  for (const [event, fn] of Object.entries(on)) {
    if (event !== 'online' && event !== 'refused') socket.on(event, fn as (payload: unknown) => void);
  }
  const beat = setInterval(() => { if (socket.connected) socket.emit('heartbeat', {}); }, HEARTBEAT_MS);

  return {
    async request<T>(event: string, body: unknown = {}) {
      if (!socket.connected) throw new ApiError('SB_ERR_OFFLINE', 'Not connected');
      const reply = (await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, body)) as Ack;
      if (!reply.ok) throw new ApiError(reply.error.code, reply.error.message);
      return reply.data as T;
    },
    close() {
      clearInterval(beat);
      socket.disconnect();
    },
  };
}
