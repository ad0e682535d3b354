import { applyUpdate } from '../../../server/modules/supervision/wallboard-diff.js';
import { openStaffSocket } from '../staff-socket.js';
import type { MonitorTranscript, Wallboard, WallboardUpdate } from '../types.js';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The wallboard's socket to /supervisor: a snapshot on (re)connect, then updates that carry only
 * what changed. An update that does not follow the board held here (one was missed) asks for the
 * board again rather than guessing.
 */
export function connectWallboard(on: { board: (w: Wallboard) => void; online: (online: boolean) => void; refused: (code: string) => void; heard: (u: MonitorTranscript) => void }) {
  const socket = openStaffSocket('/supervisor', on);
  let board: Wallboard | null = null;
  const show = (w: Wallboard) => {
    board = w;
    on.board(w);
  };
  const resync = () => {
    socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('wallboard:get').then(show, () => undefined);
  };
  socket.on('wallboard:snapshot', show);
  // The words of a call this supervisor monitors (live transcript on), as they are said.
  socket.on('monitor:transcript', on.heard);
  socket.on('wallboard:update', (u: WallboardUpdate) => {
    if (!board || u.since !== board.at) return resync();
    show(applyUpdate(board, u));
  });
  return { close: () => socket.disconnect() };
}
