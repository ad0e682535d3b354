import Fastify from 'fastify';
import type { LiveCall, OutboundOptions, SimContext } from './context.js';
import { createRestRoutes, setFault } from './rest-api.js';
import { CallPlayer } from './twiml-player.js';
import type { Exchange, NumberConfig, PeerBehaviour, SimCall, Simulator, SimulatorOptions } from './types.js';
import { BoundedLog, sleep } from './util.js';
import { createWebhookSender } from './webhooks.js';

export type {
  FaultRequest, CallDirection, CallState, CallStatus, Exchange, FormParams, NumberConfig, PeerBehaviour, SimCall, Simulator, SimulatorOptions, StatusEvent, TranscriptEntry,
} from './types.js';

/** How long close() lets live calls wind down before giving up on them. */
const CLOSE_GRACE_MS = 2_000;

/**
 * A Twilio stand-in: answers Twilio's REST API (mount `routes`, or `listen()`) and plays calls
 * against the app's webhooks exactly as Twilio would, signed with the account's auth token.
 */
export function createSimulator(opts: SimulatorOptions): Simulator {
  const exchanges: Exchange[] = BoundedLog.withCapacity<Exchange>(opts.keepExchanges ?? 1000);
  const log = opts.log ?? (() => undefined);
  const ctx: SimContext = {
    accountSid: opts.accountSid,
    authToken: opts.authToken,
    timeScale: opts.timeScale ?? 1,
    numbers: new Map(Object.entries(opts.numbers)),
    peers: new Map<string, PeerBehaviour>(),
    calls: new Map<string, LiveCall>(),
    queues: new Map(),
    conferences: new Map(),
    recordings: new Map(),
    streams: new Map(),
    transcriptions: new Map(),
    exchanges,
    webhooks: createWebhookSender({ authToken: opts.authToken, exchanges, log, isClosed: () => ctx.closed }),
    log,
    closed: false,
    fault: null,
    startOutbound(o: OutboundOptions) {
      const call = new CallPlayer(ctx, o.from, o.to, o.direction, 'queued');
      ctx.calls.set(call.sid, call);
      call.startOutbound(o);
      return call;
    },
  };

  const routes = createRestRoutes(ctx);
  let server: ReturnType<typeof Fastify> | undefined;

  return {
    routes,
    exchanges,

    async listen() {
      server = Fastify({ logger: false });
      await server.register(routes);
      await server.listen({ host: '127.0.0.1', port: 0 });
      const address = server.server.address();
      if (!address || typeof address === 'string') throw new Error('simulator: no TCP address');
      return `http://127.0.0.1:${address.port}`;
    },

    async close() {
      ctx.closed = true;
      const live = [...ctx.calls.values()].filter((c) => c.state !== 'ended');
      for (const c of live) c.interrupt({ kind: 'shutdown' });
      await Promise.race([Promise.all(live.map((c) => c.done)), sleep(CLOSE_GRACE_MS)]);
      await server?.close();
      server = undefined;
    },

    dial({ from, to }): SimCall {
      const cfg = ctx.numbers.get(to);
      if (!cfg) throw new Error(`simulator: ${to} is not one of the simulated numbers (${[...ctx.numbers.keys()].join(', ') || 'none'})`);
      if (ctx.closed) throw new Error('simulator: closed');
      const call = new CallPlayer(ctx, from, to, 'inbound', 'ringing');
      ctx.calls.set(call.sid, call);
      call.startInbound(cfg);
      return call;
    },

    call: (sid) => ctx.calls.get(sid),
    calls: () => [...ctx.calls.values()],
    setNumber: (e164: string, cfg: NumberConfig) => { ctx.numbers.set(e164, cfg); },
    setPeer: (e164OrClient: string, behaviour: PeerBehaviour) => { ctx.peers.set(e164OrClient, behaviour); },
    fail: (f) => setFault(ctx, f),
    recover: () => { ctx.fault = null; },
  };
}
