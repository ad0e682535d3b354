import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { findReply, latestReply, lockCall, saveReply } from '../calls/calls-repository.js';
import type { CallsService, CallStatus, Turn } from '../calls/calls-service.js';
import { appendEvents } from '../interactions/interactions-repository.js';
import {
  CallWebhook, GatherWebhook, QueueExitWebhook, QueueWaitWebhook, RecordingWebhook, StatusWebhook, StepQuery,
} from './telephony-schemas.js';
import { acceptTwilioWebhooks, replayKey } from './twilio-webhooks.js';
import { renderEmpty, renderHangup, renderLeave, renderTurn, renderWaiting, type WebhookUrls } from './twiml.js';

export interface TelephonyRoutesOptions {
  db: Knex;
  calls: CallsService;
  authToken: () => string;
  publicUrl: () => string;
  holdMusicUrl: string;
}

/** When Twilio gives no average yet: a minute a caller ahead, until routing knows better. */
const DEFAULT_SECONDS_PER_CALLER = 60;

const xml = (reply: FastifyReply, body: string) => reply.type('text/xml; charset=utf-8').send(body);

/**
 * The voice webhooks Twilio calls. Each one is a single transaction with the call locked: the
 * reply is stored under the request's replay key, so a retry gets the same TwiML and changes
 * nothing, and a stale duplicate of an earlier turn gets the latest answer instead of a rerun.
 */
export async function telephonyRoutes(fastify: FastifyInstance, opts: TelephonyRoutesOptions) {
  const { db, calls } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  acceptTwilioWebhooks(fastify, opts);

  const base = () => `${opts.publicUrl()}/twilio/voice`;
  const urls: WebhookUrls = {
    gather: (step) => `${base()}/gather?step=${step}`,
    get queueWait() { return `${base()}/queue-wait`; },
    queueExit: (step) => `${base()}/queue-exit?step=${step}`,
    get queueKey() { return `${base()}/queue-key`; },
  };

  async function once(request: FastifyRequest, sid: string, handle: (trx: Knex) => Promise<Turn | 'ended' | null | { twiml: string }>): Promise<string> {
    const key = replayKey(request, opts.authToken());
    return db.transaction(async (trx) => {
      await lockCall(trx, sid);
      const prior = await findReply(trx, key);
      if (prior !== undefined) return prior;
      const outcome = await handle(trx);
      // A fixed answer (a callback's empty document, <Leave/>) is never replayed as an IVR turn.
      const fixed = outcome !== null && typeof outcome === 'object' && 'twiml' in outcome;
      const body = fixed ? outcome.twiml
        : outcome === 'ended' ? renderHangup()
          : outcome === null ? (await latestReply(trx, sid)) ?? renderHangup()
            : renderTurn(outcome.actions, outcome.step, urls);
      await saveReply(trx, key, sid, body, !fixed);
      return body;
    });
  }

  const form = { tags: ['twilio'], consumes: ['application/x-www-form-urlencoded'] };

  app.post('/twilio/voice/incoming', { schema: { ...form, body: CallWebhook, summary: 'Voice URL of every hotline number: a call arrives' } }, async (request, reply) => {
    const p = request.body;
    return xml(reply, await once(request, p.CallSid, (trx) => calls.start(trx, { sid: p.CallSid, from: p.From, to: p.To, direction: p.Direction ?? 'inbound' })));
  });

  app.post('/twilio/voice/gather', { schema: { ...form, body: GatherWebhook, querystring: StepQuery, summary: 'Gather result: the keys a caller pressed, or none (timeout)' } }, async (request, reply) => {
    const p = request.body;
    const input = p.Digits ? { kind: 'digits' as const, digits: p.Digits } : { kind: 'timeout' as const };
    return xml(reply, await once(request, p.CallSid, (trx) => calls.input(trx, p.CallSid, request.query.step, input)));
  });

  app.post('/twilio/voice/queue-wait', { schema: { ...form, body: QueueWaitWebhook, summary: 'Enqueue waitUrl: what a waiting caller hears, looped' } }, async (request, reply) => {
    const p = request.body;
    const position = p.QueuePosition ?? 1;
    const estimate = p.AvgQueueTime && p.AvgQueueTime > 0 ? p.AvgQueueTime * position : DEFAULT_SECONDS_PER_CALLER * position;
    return xml(reply, renderWaiting(await calls.waiting(db, p.CallSid, p.QueueSid), position, estimate, urls, opts.holdMusicUrl));
  });

  app.post('/twilio/voice/queue-key', { schema: { ...form, body: GatherWebhook, summary: 'A key pressed while waiting (1: call me back, keeping my place)' } }, async (request, reply) => {
    const p = request.body;
    return xml(reply, await once(request, p.CallSid, async (trx) => ((await calls.waitingKey(trx, p.CallSid, p.Digits ?? '')) === 'leave' ? { twiml: renderLeave() } : { twiml: renderEmpty() })));
  });

  app.post('/twilio/voice/queue-exit', { schema: { ...form, body: QueueExitWebhook, querystring: StepQuery, summary: 'Enqueue action: the caller left the queue (bridged, hung up, left…)' } }, async (request, reply) => {
    const p = request.body;
    return xml(reply, await once(request, p.CallSid, (trx) => calls.queueExit(trx, p.CallSid, request.query.step, p.QueueResult, p.QueueTime ?? 0)));
  });

  app.post('/twilio/voice/status', { schema: { ...form, body: StatusWebhook, summary: 'Call status callback (retried and reordered by Twilio)' } }, async (request, reply) => {
    const p = request.body;
    const seq = p.SequenceNumber ?? -1;
    await once(request, p.CallSid, async (trx) => {
      const applied = await calls.status(trx, { sid: p.CallSid, from: p.From, to: p.To, direction: p.Direction ?? 'inbound', status: p.CallStatus as CallStatus, seq, duration: p.CallDuration });
      request.log.debug({ call_sid: p.CallSid, status: p.CallStatus, seq, applied }, 'status callback');
      return { twiml: renderEmpty() };
    });
    return xml(reply, renderEmpty());
  });

  app.post('/twilio/voice/recording', { schema: { ...form, body: RecordingWebhook, summary: 'Recording status callback: the recording reference joins the timeline' } }, async (request, reply) => {
    const p = request.body;
    await once(request, p.CallSid, async (trx) => {
      const call = await calls.findCall(trx, p.CallSid);
      if (call) await appendEvents(trx, call.interaction_id, [{ type: 'recording', data: { recording_sid: p.RecordingSid, url: p.RecordingUrl, status: p.RecordingStatus ?? null, duration_s: p.RecordingDuration ?? null } }]);
      return { twiml: renderEmpty() };
    });
    return xml(reply, renderEmpty());
  });
}
