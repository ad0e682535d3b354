import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its body as a stream (a call-list upload): it gets HTTP_UPLOAD_TIMEOUT_MS instead of HTTP_REQUEST_TIMEOUT_MS. */
    upload?: boolean;
  }
}

/**
 * How long a client may take, at each stage, before its connection is closed: so half-sent
 * requests cannot pile up and hold sockets (slowloris), and every route answers in bounded time.
 *
 * - headers: Node's headersTimeout (checked every second, not every 30 s as by default);
 * - the whole request, body and handler: fastify's handlerTimeout (408 when the body had not
 *   arrived, 503 when we were slow), longer for streamed uploads, which Node's requestTimeout
 *   bounds as a backstop;
 * - a socket with no traffic either way: connectionTimeout; an idle keep-alive connection: keepAliveTimeout.
 */
export function serverTimeouts(config: Config): {
  http: ServerOptions; requestTimeout: number; handlerTimeout: number; connectionTimeout: number; keepAliveTimeout: number;
} {
  return {
    http: { headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
    requestTimeout: Math.max(config.HTTP_UPLOAD_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS),
    handlerTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.HTTP_IDLE_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEPALIVE_TIMEOUT_MS,
  };
}

/** Gives upload routes (config.upload) their longer deadline. */
export const timeoutsPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    app.addHook('onRoute', (route) => {
      if ((route.config as { upload?: boolean } | undefined)?.upload) route.handlerTimeout = opts.config.HTTP_UPLOAD_TIMEOUT_MS;
    });
  },
  { name: 'timeouts' },
);
