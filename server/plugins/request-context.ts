import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { workContext } from '../lib/logger.js';

// Requests a screen polls many times a second, and probes: logged at debug, so a log at info
// says what people did, not that a page is open.
const QUIET = /^\/(twilio-sim\/|healthz|readyz|metrics|assets\/)/;

/**
 * Every request runs in a work context holding its id (X-Request-Id when the caller sent a sane
 * one, else a UUID), so everything it causes logs that id; the id goes back in X-Request-Id.
 * One line per finished request, its URL without query values. `pretty`: request lines at debug.
 */
export const requestContextPlugin = fp(
  async (app: FastifyInstance, opts: { pretty: boolean }) => {
    const enter = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      workContext.run({ reqId: request.id }, done);
    };
    app.addHook('onRequest', enter);
    // Body parsing runs on the socket's callbacks, outside the context: enter it again before the handler.
    app.addHook('preValidation', enter);
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
    app.addHook('onResponse', async (request, reply) => {
      const quiet = opts.pretty || QUIET.test(request.url);
      request.log[quiet ? 'debug' : 'info']({ req: request, res: reply, ms: Math.round(reply.elapsedTime) }, 'request completed');
    });
  },
  { name: 'request-context' },
);
