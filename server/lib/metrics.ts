import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

/**
 * The process's Prometheus instruments, recorded by the modules with one-line hooks
 * (`metrics.offers.inc()`). Counters and histograms count what this process did; the gauges that
 * read shared state (calls waiting, agents by state, backlogs) are read at scrape time by the
 * metrics plugin (server/plugins/metrics.ts), which also serves them at /metrics.
 */

// Process figures (RSS, heap, event-loop lag, GC) once per process, however many apps it builds.
let defaults = false;
export function collectProcessMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ register });
}

// Webhooks and API calls: most answer within tens of milliseconds; Twilio gives up at 15 s.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

export const metrics = {
  http: new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'API and page requests by route template (never the raw URL), method and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
  }),
  webhooks: new Histogram({
    name: 'switchboard_webhook_duration_seconds',
    help: "Twilio's webhooks (/twilio/...) by route and status: Twilio waits at most 15 s for an answer",
    labelNames: ['route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
  }),
  offers: new Counter({
    name: 'switchboard_offers_total',
    help: 'Routing claims made by this node: a call offered to an agent (offer), or a customer-first callback dialled for a free agent (callback_dial)',
    labelNames: ['kind'] as const,
  }),
  accepts: new Counter({ name: 'switchboard_offer_accepts_total', help: 'Offers accepted by agents on this node' }),
  expiries: new Counter({ name: 'switchboard_offer_expiries_total', help: 'Offers that expired unanswered, swept by this node' }),
  routingDecision: new Histogram({
    name: 'switchboard_routing_decision_seconds',
    help: 'Time to decide one waiting call in a matching pass (lock it, choose among the candidate agents, record the offer), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  }),
  dialAttempts: new Counter({
    name: 'switchboard_dial_attempts_total',
    help: 'Outbound dials settled on this node (their final status arrived here), by purpose (campaign, callback) and outcome (human, machine, busy, no_answer, failed, abandoned, ...)',
    labelNames: ['purpose', 'outcome'] as const,
  }),
};
