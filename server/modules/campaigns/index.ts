import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { pipeline, type Readable } from 'node:stream';
import { byteLimit } from '../../lib/byte-limit.js';
import { appError } from '../../errors.js';
import { Type } from 'typebox';
import type { Role } from '../users/users-schemas.js';
import { Campaign, CampaignAction, CampaignId, CampaignInput, CampaignList, CampaignPatch, DncEntry, EntriesQuery, EntryList, ListResult, PreviewCustomer, PreviewReply, Progress, Segment } from './campaigns-schemas.js';
import type { CampaignsService } from './campaigns-service.js';

const MANAGERS: readonly Role[] = ['supervisor', 'admin'];
const AGENTS: readonly Role[] = ['agent', 'supervisor', 'admin'];
const tags = ['campaigns'];
/** An uploaded call list can be large: it is read as a stream, never whole. */
const CSV_LIMIT_BYTES = 512 * 1024 * 1024;

const AttemptParams = Type.Object({ attempt: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) });

export async function campaignsRoutes(fastify: FastifyInstance, opts: { campaigns: CampaignsService }) {
  const { campaigns } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The body stays a stream: the CSV importer reads it line by line.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  app.post('/api/campaigns', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'Define a campaign (draft): purpose, script and offer, dialing mode, calling window, retries', body: CampaignInput, response: { 201: Campaign } },
  }, async (request, reply) => reply.code(201).send(await campaigns.create(request.body, request.user)));

  app.get('/api/campaigns', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'Every campaign, newest first', response: { 200: CampaignList } },
  }, async () => ({ campaigns: await campaigns.list() }));

  app.get('/api/campaigns/:id', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'One campaign', params: CampaignId, response: { 200: Campaign } },
  }, async (request) => campaigns.get(request.params.id));

  app.patch('/api/campaigns/:id', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'Change a draft, scheduled or paused campaign', params: CampaignId, body: CampaignPatch, response: { 200: Campaign } },
  }, async (request) => campaigns.update(request.params.id, request.body, request.user));

  app.post('/api/campaigns/:id/:action', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'start | pause | resume | cancel (takes effect within a second; audited)', params: CampaignAction, response: { 200: Campaign } },
  }, async (request) => campaigns.act(request.params.id, request.params.action, request.user));

  app.post('/api/campaigns/:id/list/segment', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'Add a segment of customers to the call list, scrubbed (do-not-call, consent, recent contact) and deduplicated', params: CampaignId, body: Segment, response: { 200: ListResult } },
  }, async (request) => campaigns.addSegment(request.params.id, request.body, request.user));

  app.post('/api/campaigns/:id/list/csv', {
    config: { roles: MANAGERS, upload: true },
    // Only a text/csv body is the stream the importer reads: JSON (a CSV sent as nested arrays) or a form is refused before it is parsed.
    onRequest: async (request) => {
      if (!/^text\/csv\s*(;|$)/i.test(request.headers['content-type'] ?? '')) throw appError('SB_ERR_REQUEST_UNSUPPORTED_MEDIA', 'Send the list as text/csv (a header line naming customer_no or customer_id)');
    },
    schema: {
      tags, summary: 'Add an uploaded list (text/csv: header customer_no or customer_id, optional phone), streamed; bad lines reported by number, good ones kept',
      consumes: ['text/csv'], params: CampaignId, response: { 200: ListResult },
    },
  }, async (request) => {
    // A stream is past fastify's bodyLimit: the limit is kept here, on the declared and the real size.
    if (Number(request.headers['content-length'] ?? 0) > CSV_LIMIT_BYTES) throw appError('SB_ERR_REQUEST_TOO_LARGE');
    // pipeline, not pipe: an aborted upload fails the import too.
    return campaigns.addCsv(request.params.id, pipeline(request.body as Readable, byteLimit(CSV_LIMIT_BYTES), () => undefined), request.user);
  });

  app.get('/api/campaigns/:id/entries', {
    config: { roles: MANAGERS },
    schema: {
      tags, summary: 'The call list, a page at a time (phones masked)', params: CampaignId,
      querystring: EntriesQuery,
      response: { 200: EntryList },
    },
  }, async (request) => ({ entries: await campaigns.entries(request.params.id, request.query, request.user, request.ip) }));

  app.get('/api/campaigns/:id/progress', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'Dialled, connected, people, machines, abandon rate, conversions, remaining, ETA', params: CampaignId, response: { 200: Progress } },
  }, async (request) => campaigns.progress(request.params.id));

  app.post('/api/do-not-call', {
    config: { roles: MANAGERS },
    schema: { tags, summary: 'Put a number on the do-not-call register (every campaign stops dialling it at once)', body: DncEntry, response: { 200: Type.Object({ phone: Type.String(), on_register: Type.Literal(true) }) } },
  }, async (request) => campaigns.addDoNotCall(request.body.phone, request.user));

  app.post('/api/campaigns/preview/next', {
    config: { roles: AGENTS },
    schema: { tags, summary: 'Preview mode: the next customer to call, with the script and offer; the agent is reserved until they dial or skip', response: { 200: PreviewCustomer } },
  }, async (request) => campaigns.previewNext(Number(request.user.sub), request.user));

  app.post('/api/campaigns/preview/:attempt/dial', {
    config: { roles: AGENTS },
    schema: { tags, summary: 'Dial the previewed customer (after the compliance check)', params: AttemptParams, response: { 200: PreviewReply } },
  }, async (request) => campaigns.previewDial(Number(request.user.sub), request.params.attempt));

  app.post('/api/campaigns/preview/:attempt/skip', {
    config: { roles: AGENTS },
    schema: { tags, summary: 'Skip the previewed customer: they go back on the list', params: AttemptParams, response: { 200: PreviewReply } },
  }, async (request) => campaigns.previewSkip(Number(request.user.sub), request.params.attempt));
}
