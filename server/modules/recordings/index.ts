import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF_ROLES } from '../users/users-schemas.js';
import {
  InteractionParams, InteractionRecordings, LegalHold, LegalHoldBody, PlaybackQuery, Recording, RecordingList, RecordingParams, RecordingsQuery,
} from './recordings-schemas.js';
import type { RecordingsService } from './recordings-service.js';

export async function recordingsRoutes(fastify: FastifyInstance, opts: { recordings: RecordingsService }) {
  const { recordings } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['recordings'];
  const viewer = (request: { user: Parameters<RecordingsService['pause']>[0]['user']; ip: string }) => ({ user: request.user, ip: request.ip });

  app.post('/api/interactions/:id/recording/pause', {
    config: { roles: ['agent', 'rm', 'supervisor', 'admin'] },
    schema: { tags, summary: "Pauses the call's recording (the agent's own call; a timeline event)", params: InteractionParams, response: { 200: Recording } },
  }, async (request) => recordings.pause(viewer(request), request.params.id));

  app.post('/api/interactions/:id/recording/resume', {
    config: { roles: ['agent', 'rm', 'supervisor', 'admin'] },
    schema: { tags, summary: "Resumes the call's paused recording (a timeline event)", params: InteractionParams, response: { 200: Recording } },
  }, async (request) => recordings.resume(viewer(request), request.params.id));

  app.get('/api/interactions/:id/recordings', {
    config: { roles: STAFF_ROLES },
    schema: { tags, summary: "An interaction's recordings and legal hold (roles of RECORDING_PLAYBACK_ROLES)", params: InteractionParams, response: { 200: InteractionRecordings } },
  }, async (request) => recordings.ofInteraction(viewer(request), request.params.id));

  app.put('/api/interactions/:id/legal-hold', {
    config: { roles: ['supervisor', 'admin'] },
    schema: { tags, summary: 'Sets or releases a legal hold: the recordings are kept whatever retention says; audited', params: InteractionParams, body: LegalHoldBody, response: { 200: LegalHold } },
  }, async (request) => recordings.legalHold(viewer(request), request.params.id, request.body));

  app.get('/api/recordings', {
    config: { roles: STAFF_ROLES },
    schema: { tags, summary: 'Completed recordings, newest first (roles of RECORDING_PLAYBACK_ROLES)', querystring: RecordingsQuery, response: { 200: RecordingList } },
  }, async (request) => recordings.list(viewer(request), request.query));

  app.get('/api/recordings/:sid/audio', {
    config: { roles: STAFF_ROLES },
    schema: {
      tags, params: RecordingParams, querystring: PlaybackQuery,
      summary: "The recording's audio (WAV), streamed from Twilio through this server; every playback audited with its reason; download=true for RECORDING_DOWNLOAD_ROLES",
    },
  }, async (request, reply) => {
    const media = await recordings.playback(viewer(request), request.params.sid, request.query);
    reply.type(media.type).header('Cache-Control', 'no-store');
    reply.header('Content-Disposition', `${request.query.download ? 'attachment' : 'inline'}; filename="${media.filename}"`);
    if (media.length !== null) reply.header('Content-Length', String(media.length));
    return reply.send(Readable.fromWeb(media.body as NodeReadableStream<Uint8Array>));
  });
}
