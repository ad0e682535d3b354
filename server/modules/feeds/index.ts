import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { pipeline, type Readable } from 'node:stream';
import { Type } from 'typebox';
import { appError } from '../../errors.js';
import { byteLimit } from '../../lib/byte-limit.js';
import { FeedRun, FeedRunList, FeedSchedule, RunIdParams, RunParams, RunQuery } from './feeds-schemas.js';
import type { FeedsService, ScheduledFeed } from './feeds-service.js';

const tags = ['feeds'];
/** A feed file can be large: it is read as a stream, never whole. */
const FEED_LIMIT_BYTES = 2 * 1024 * 1024 * 1024;
const MEDIA = { csv: /^text\/csv\s*(;|$)/i, jsonl: /^application\/(x-ndjson|jsonl|x-jsonlines)\s*(;|$)/i };

export async function feedsRoutes(fastify: FastifyInstance, opts: { feeds: FeedsService; schedule: readonly ScheduledFeed[] }) {
  const { feeds } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The body stays a stream: the feed reader reads it a record at a time.
  app.addContentTypeParser(['text/csv', 'application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'], (_request, payload, done) => done(null, payload));

  app.post('/api/feeds/:kind/runs', {
    config: { roles: ['admin'], upload: true },
    schema: {
      tags, summary: 'Run a feed: the file as the body (text/csv or application/x-ndjson), or ?path= a file in the inbox; bad rows reported by line, good ones kept',
      consumes: ['text/csv', 'application/x-ndjson'], params: RunParams, querystring: RunQuery, response: { 200: FeedRun },
    },
  }, async (request) => {
    const type = request.headers['content-type'] ?? '';
    const startedBy = Number(request.user.sub);
    if (request.query.path !== undefined) {
      const format = request.query.format ?? (request.query.path.endsWith('.jsonl') ? 'jsonl' : 'csv');
      return feeds.run(request.params.kind, await feeds.openInbox(request.query.path), { format, source: `inbox:${request.query.path}`, startedBy });
    }
    const format = MEDIA.csv.test(type) ? 'csv' : MEDIA.jsonl.test(type) ? 'jsonl' : null;
    if (!format) throw appError('SB_ERR_REQUEST_UNSUPPORTED_MEDIA', 'Send the feed as text/csv or application/x-ndjson, or name a file in the inbox with ?path=');
    if (Number(request.headers['content-length'] ?? 0) > FEED_LIMIT_BYTES) throw appError('SB_ERR_REQUEST_TOO_LARGE');
    // pipeline, not pipe: an aborted upload fails the run too.
    return feeds.run(request.params.kind, pipeline(request.body as Readable, byteLimit(FEED_LIMIT_BYTES), () => undefined), { format, source: 'api', startedBy });
  });

  app.get('/api/feeds/runs', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Feed runs, newest first, with their counts', querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }), response: { 200: FeedRunList } },
  }, async (request) => ({ runs: await feeds.list(request.query.limit) }));

  app.get('/api/feeds/schedule', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'The feeds run every day (FEED_SCHEDULE) and their runs of the last days, newest first', response: { 200: FeedSchedule } },
  }, async () => ({ feeds: [...opts.schedule], runs: await feeds.scheduled() }));

  app.get('/api/feeds/runs/:id', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'One feed run, with its first 100 refused rows', params: RunIdParams, response: { 200: FeedRun } },
  }, async (request) => feeds.get(request.params.id));

  app.get('/api/feeds/runs/:id/errors', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Every refused row of a run, as CSV (line, code, message)', params: RunIdParams, produces: ['text/csv'] },
  }, async (request, reply) => {
    const csv = await feeds.errorsCsv(request.params.id);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="feed-run-${request.params.id}-errors.csv"`).send(csv);
  });
}
