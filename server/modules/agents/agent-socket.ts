import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../../errors.js';
import type { Realtime } from '../../plugins/realtime.js';
import { agentRoom, claimsOf } from '../../lib/realtime-notices.js';
import type { ConversationService, TransferTarget } from '../routing/conversation-service.js';
import type { RoutingService } from '../routing/routing-service.js';
import { EntryRef, HoldRequest, StateChange, TransferRequest, WrapupRequest } from './agents-schemas.js';
import type { AgentsService } from './agents-service.js';

type Ack = (reply: { ok: true; data?: unknown } | { ok: false; error: { code: string; message: string } }) => void;

/**
 * The agent console's socket: `/agent`, one room per agent, so every tab of the agent (on any
 * node) hears its offers. On connect the console gets the agent's state and any call in
 * progress: a reload or a network blip loses nothing. `heartbeat` renews the presence lease and
 * answers the server's digest of where the agent stands (state, since, call and its phase): a
 * console whose own view differs (a notice lost between nodes while Redis was down) asks
 * `agent:sync` for the whole state, so it converges on the server's truth within a heartbeat.
 */
export function registerAgentSocket(realtime: Realtime, deps: { agents: AgentsService; routing: RoutingService; conversation: ConversationService; log: FastifyBaseLogger }) {
  const { agents, conversation, routing } = deps;

  /** One request from the console: validated, run, answered through the ack with data or a coded error. */
  function handle<S extends TSchema>(socket: Socket, event: string, schema: S | null, run: (agentId: number, body: never) => Promise<unknown>) {
    socket.on(event, async (body: unknown, maybeAck?: unknown) => {
      const ack: Ack = typeof maybeAck === 'function' ? (maybeAck as Ack) : typeof body === 'function' ? (body as Ack) : () => undefined;
      const raw = typeof body === 'function' ? {} : body ?? {};
      // Defaults first (as fastify's validator does for REST), then the check.
      const input = schema ? Value.Default(schema, structuredClone(raw)) : raw;
      if (schema && !Value.Check(schema, input)) {
        const first = [...Value.Errors(schema, input)][0];
        return ack({ ok: false, error: { code: 'SB_ERR_REQUEST_INVALID', message: `${event}: ${first?.instancePath || '/'} ${first?.message ?? 'invalid'}` } });
      }
      try {
        ack({ ok: true, data: await run(Number(claimsOf(socket).sub), input as never) });
      } catch (err) {
        if (err instanceof AppError) return ack({ ok: false, error: { code: err.code, message: err.message } });
        deps.log.error({ err, event }, 'agent socket request failed');
        ack({ ok: false, error: { code: 'SB_ERR_SERVER_INTERNAL', message: 'Internal error' } });
      }
    });
  }

  realtime.agents.on('connection', (socket) => {
    const agentId = Number(claimsOf(socket).sub);
    // Handlers first, before anything awaits: a console sends its first requests the moment it connects.
    handle(socket, 'heartbeat', null, async (id) => {
      await agents.heartbeat(id);
      return conversation.digest(id);
    });
    // The console saw a digest unlike its own (a notice lost in a Redis outage, say): the whole truth again.
    handle(socket, 'agent:sync', null, (id) => conversation.current(id));
    handle(socket, 'state:set', StateChange, (id, body: StateChange) => agents.setState(id, body, claimsOf(socket)));
    handle(socket, 'call:accept', EntryRef, (id, body: { entry_id: string }) => conversation.accept(id, body.entry_id));
    handle(socket, 'call:reject', EntryRef, (id, body: { entry_id: string }) => routing.reject(id, body.entry_id));
    handle(socket, 'call:hold', HoldRequest, (id, body: { hold: boolean }) => conversation.hold(id, body.hold));
    handle(socket, 'call:transfer', TransferRequest, (id, body: TransferTarget) => conversation.transfer(id, body));
    handle(socket, 'call:transfer_complete', null, (id) => conversation.completeConsult(id));
    handle(socket, 'call:end', null, (id) => conversation.end(id));
    handle(socket, 'wrapup:complete', WrapupRequest, (id, body: WrapupRequest) => conversation.wrapup(id, body));

    void (async () => {
      await socket.join(agentRoom(agentId));
      await agents.heartbeat(agentId);
      socket.emit('agent:restore', await conversation.current(agentId));
    })().catch((err) => deps.log.error({ err, agent_id: agentId }, 'agent socket connect failed'));
  });
}

