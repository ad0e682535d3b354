import { context, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { startServerSpan, startTracing } from '../lib/tracing.js';

const spans = new WeakMap<FastifyRequest, { span: Span; context: ReturnType<typeof context.active> }>();

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT: a server span for every request but probes and static assets,
 * named by route template (never the URL with its ids), active while the request's work runs so
 * what it calls joins its trace. Flushed when the app closes.
 */
export const tracingPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    const endpoint = opts.config.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (!endpoint) return;
    const stop = startTracing({ endpoint, serviceName: opts.config.OTEL_SERVICE_NAME });
    app.addHook('onClose', async () => stop());

    const SKIP = /^\/(healthz|readyz|metrics|assets\/|twilio-sim\/)/;
    app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (SKIP.test(request.url)) return done();
      const route = request.routeOptions.url ?? 'unmatched';
      const started = startServerSpan(`${request.method} ${route}`, request.headers, {
        'http.request.method': request.method, 'http.route': route, 'switchboard.request_id': request.id,
      });
      spans.set(request, started);
      context.with(started.context, done);
    });
    // Body parsing runs outside the request's context: enter it again before the handler.
    app.addHook('preValidation', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const started = spans.get(request);
      if (!started) return done();
      context.with(started.context, done);
    });
    app.addHook('onResponse', async (request, reply) => {
      const started = spans.get(request);
      if (!started) return;
      started.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) started.span.setStatus({ code: SpanStatusCode.ERROR });
      started.span.end();
    });
  },
  { name: 'tracing' },
);
