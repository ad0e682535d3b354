import type { Socket } from 'socket.io';
import type { SessionUser } from '../plugins/auth.js';

// The words modules use to address consoles. They live below the modules (not in the realtime
// plugin, which wires socket.io and imports modules) so that no module imports a plugin at run time.

/** Something to tell one agent's consoles (every tab, on whichever node it is connected). */
export interface Notice {
  agentId: number;
  event: string;
  payload: unknown;
}

/** Something to tell one supervisor's wallboards (every tab, on whichever node it is connected). */
export interface SupervisorNotice {
  supervisorId: number;
  event: string;
  payload: unknown;
}

export const agentRoom = (agentId: number) => `agent:${agentId}`;
export const supervisorRoom = (userId: number) => `supervisor:${userId}`;
/** Every socket of one session (sign-in), in each namespace: logout closes them all, on every node. */
export const sessionRoom = (sid: string) => `session:${sid}`;

/** Tells an agent's consoles their new state (`agent:state`). */
export const agentStateNotice = (agentId: number, state: string, reason: string | null, at: Date): Notice =>
  ({ agentId, event: 'agent:state', payload: { state, reason, since: at.toISOString() } });

/** The user of an authenticated socket as of its last message (their current role and RM id). */
export const claimsOf = (socket: Socket) => socket.data.user as SessionUser;
