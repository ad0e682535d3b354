import { io, type Socket } from 'socket.io-client';
import { refresh, session } from './api.js';

const RECONNECT_MS = 1_000;

/**
 * A staff console's socket.io link (`/agent` or `/supervisor`), authenticated with the access
 * token current at each (re)connect. socket.io reconnects by itself, except when the server itself
 * closed the socket (a node going down for a restart or deploy): then come back after a moment,
 * to another node behind a load balancer. An expired token is renewed and the link tried again;
 * an ended session (signed out elsewhere, the user disabled, the role changed) ends the sign-in.
 */
export function openStaffSocket(namespace: '/agent' | '/supervisor', on: {
  online: (online: boolean) => void;
  refused: (code: string) => void;
}): Socket {
  const socket: Socket = io(namespace, { auth: (cb) => cb({ token: session.token() }), transports: ['websocket'] });
  let ended = false;
  const end = (code: string) => {
    if (ended) return;
    ended = true;
    socket.disconnect();
    on.refused(code);
  };
  socket.on('connect', () => on.online(true));
  socket.on('session:ended', (e: { code?: string }) => end(e.code ?? 'SB_ERR_AUTH_SESSION_REVOKED'));
  socket.on('disconnect', (reason) => {
    on.online(false);
    if (reason === 'io server disconnect' && !ended) setTimeout(() => { if (!ended) socket.connect(); }, RECONNECT_MS);
  });
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    on.online(false);
    const code = err.data?.code;
    if (code === 'SB_ERR_AUTH_TOKEN_INVALID' || code === 'SB_ERR_AUTH_REQUIRED') {
      // The access token expired while the link was down: renew it, then connect again.
      void refresh().then((r) => {
        if (r === 'ok') socket.connect();
        else if (r === 'ended') end(code);
        else setTimeout(() => socket.connect(), RECONNECT_MS);
      });
    } else if (code?.startsWith('SB_ERR_AUTH')) end(code);
    // Refused for a reason of the server's (its database unreachable): socket.io will not retry a refusal by itself.
    else if (code) setTimeout(() => { if (!ended) socket.connect(); }, RECONNECT_MS * 3);
  });
  return socket;
}
