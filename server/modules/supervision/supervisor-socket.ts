import type { FastifyBaseLogger } from 'fastify';
import type { Realtime } from '../../plugins/realtime.js';
import { claimsOf, supervisorRoom } from '../../lib/realtime-notices.js';
import type { SupervisionService } from './supervision-service.js';

/**
 * The wallboard's socket, `/supervisor` (supervisor and admin only: the namespace refuses anyone
 * else at handshake). A screen gets the board on connect, then `wallboard:update` diffs; one whose
 * board does not match an update's `since` (it missed one) asks again with `wallboard:get`.
 */
export function registerSupervisorSocket(realtime: Realtime, deps: { supervision: SupervisionService; log: FastifyBaseLogger }) {
  realtime.supervisors.on('connection', async (socket) => {
    // What is for this supervisor alone (the words of a call they monitor) reaches every screen of theirs.
    void socket.join(supervisorRoom(Number(claimsOf(socket).sub)));
    socket.on('wallboard:get', async (...args: unknown[]) => {
      const ack = args.find((a): a is (w: unknown) => void => typeof a === 'function');
      try {
        ack?.(await deps.supervision.snapshot());
      } catch (err) {
        deps.log.error({ err }, 'wallboard snapshot failed');
      }
    });
    try {
      socket.emit('wallboard:snapshot', await deps.supervision.snapshot());
    } catch (err) {
      deps.log.error({ err }, 'wallboard snapshot failed');
    }
  });
}
