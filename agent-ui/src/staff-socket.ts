import { io, type Socket } from 'socket.io-client';

const RECONNECT_MS = 1_000;

/**
 * A staff console's socket.io link (`/agent` or `/supervisor`), authenticated with the login token.
 * socket.io reconnects by itself, except when the server itself closed the socket (a node going
 * down for a restart or deploy): then come back after a moment, to another node behind a load
 * balancer. A refused token (expired, revoked, wrong role) ends the session instead.
 */
export function openStaffSocket(namespace: '/agent' | '/supervisor', token: string, on: {
  online: (online: boolean) => void;
  refused: (code: string) => void;
}): Socket {
  const socket: Socket = io(namespace, { auth: { token }, transports: ['websocket'] });
  socket.on('connect', () => on.online(true));
  socket.on('disconnect', (reason) => {
    on.online(false);
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), RECONNECT_MS);
  });
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    on.online(false);
    const code = err.data?.code;
    if (code?.startsWith('SB_ERR_AUTH')) on.refused(code);
  });
  return socket;
}
