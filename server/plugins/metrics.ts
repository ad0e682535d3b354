import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { metrics } from '../lib/metrics.js';

/**
 * Times every request into the latency histograms: Twilio's webhooks into their own, the rest by
 * route. The label is the route's template (`/api/customers/:id`), never the URL, so no customer
 * id or phone number becomes a series.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      const status_code = String(reply.statusCode);
      if (route.startsWith('/twilio/')) metrics.webhooks.observe({ route, status_code }, seconds);
      else metrics.http.observe({ method: request.method, route, status_code }, seconds);
    });
  },
  { name: 'metrics' },
);
