import { io, type Socket } from 'socket.io-client';
import { applyUpdate } from '../../../server/modules/supervision/wallboard-diff.js';
import type { Wallboard, WallboardUpdate } from '../types.js';

const RECONNECT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The wallboard's socket to /supervisor: a snapshot on (re)connect, then updates that carry only
 * what changed. An update that does not follow the board held here (one was missed) asks for the
 * board again rather than guessing.
 */
export function connectWallboard(token: string, on: { board: (w: Wallboard) => void; online: (online: boolean) => void; refused: (code: string) => void }) {
  const socket: Socket = io('/supervisor', { auth: { token }, transports: ['websocket'] });
  let board: Wallboard | null = null;
  const show = (w: Wallboard) => {
    board = w;
    on.board(w);
  };
  const resync = () => {
    socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('wallboard:get').then(show, () => undefined);
  };
  socket.on('wallboard:snapshot', show);
  socket.on('wallboard:update', (u: WallboardUpdate) => {
    if (!board || u.since !== board.at) return resync();
    show(applyUpdate(board, u));
  });
  socket.on('connect', () => on.online(true));
  socket.on('disconnect', (reason) => {
    on.online(false);
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), RECONNECT_MS);
  });
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    on.online(false);
    if (err.data?.code?.startsWith('SB_ERR_AUTH')) on.refused(err.data.code);
  });
  return { close: () => socket.disconnect() };
}
