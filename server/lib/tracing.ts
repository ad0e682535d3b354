import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry traces, sent over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set. One call's
 * path is one trace: the webhook's request span (plugins/tracing.ts), the IVR turn it runs, the
 * enqueue it makes, and the offer routing makes for that entry, even when the offer comes later in
 * another routing pass on this node. Without an endpoint nothing is registered and every span here
 * is the API's no-op. Attributes never carry a phone number or a name: sids, ids, skills, tiers.
 */

const tracer = trace.getTracer('switchboard');
let enabled = false;

export const tracingEnabled = () => enabled;

/** Registers the process's tracer provider; the returned function flushes and unregisters it. */
export function startTracing(settings: { endpoint: string; serviceName: string }): () => Promise<void> {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/$/, '')}/v1/traces` }), { scheduledDelayMillis: 500 })],
  });
  // The AsyncLocalStorage context manager and the W3C traceparent propagator.
  provider.register();
  enabled = true;
  return async () => {
    enabled = false;
    queued.clear();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  };
}

/** Runs `fn` in a child span of the active one; an error marks the span failed and goes on. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** A request's server span, its parent taken from the caller's traceparent header (a proxy's, say). */
export function startServerSpan(name: string, headers: Record<string, unknown>, attributes: Attributes): { span: Span; context: Context } {
  const parent = propagation.extract(context.active(), headers);
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

// The trace each waiting entry was queued in, until routing offers it. Bounded: an entry offered on
// another node (or never) is forgotten once newer ones push it out.
const QUEUED_MAX = 10_000;
const queued = new Map<string, Context>();

/** Remembers the active trace as the one `entryId` was queued in. */
export function traceQueued(entryId: string | number): void {
  if (!enabled) return;
  queued.set(String(entryId), context.active());
  if (queued.size > QUEUED_MAX) queued.delete(queued.keys().next().value!);
}

/**
 * Runs one routing decision for `entryId`; when it claims the entry (an offer, or a customer-first
 * callback's dial), a `routing.offer` span spanning the decision joins the trace the entry was queued in.
 */
export async function traceOffer<T extends { agentId: number }>(id: string | number, attributes: Attributes, decide: () => Promise<T | null>): Promise<T | null> {
  const entryId = String(id);
  const parent = enabled ? queued.get(entryId) : undefined;
  if (!parent) return decide();
  const startTime = Date.now();
  const claim = await decide();
  if (claim) {
    queued.delete(entryId);
    tracer.startSpan('routing.offer', { startTime, attributes: { ...attributes, 'switchboard.entry_id': entryId, 'switchboard.agent_id': claim.agentId } }, parent).end();
  }
  return claim;
}
