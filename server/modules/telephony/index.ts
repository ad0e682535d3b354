import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { findReply, latestReply, lockCall, saveReply } from '../calls/calls-repository.js';
import type { CallsService, CallStatus, Turn } from '../calls/calls-service.js';
import { appendEvents } from '../interactions/interactions-repository.js';
import type { ConversationService } from '../routing/conversation-service.js';
import { findEntry, liveEntryOfCall, type EntryRow } from '../routing/routing-repository.js';
import type { RoutingService } from '../routing/routing-service.js';
import type { Notice, SupervisorNotice } from '../../lib/realtime-notices.js';
import {
  AmdWebhook, AnswerWebhook, CallWebhook, ConferenceWebhook, EntryQuery, EntryStepQuery, GatherQuery, GatherWebhook, OutboundQuery, QueueExitWebhook, QueueWaitWebhook, RecordingWebhook,
  RequeueQuery, StatusWebhook, StepQuery, TranscriptionWebhook,
} from './telephony-schemas.js';
import { acceptTwilioWebhooks, replayKey } from './twilio-webhooks.js';
import type { ApplyStatus } from './call-status.js';
import {
  renderCampaignWait, renderConnect, renderEmpty, renderHangup, renderLeave, renderNoCallback, renderSayHangup, renderTurn, renderWaiting, type WebhookUrls,
} from './twiml.js';
import type { OutboundOwner, OutboundPurpose } from '../calls/outbound.js';
import { conferenceName } from './voice-control.js';
import { inSpan } from '../../lib/tracing.js';
import type { RecordingsService } from '../recordings/recordings-service.js';
import type { TalkService } from '../talk/talk-service.js';

export interface TelephonyRoutesOptions {
  db: Knex;
  calls: CallsService;
  routing: RoutingService;
  conversation: ConversationService;
  /** Who each outbound call's reports go to, by the purpose it was placed with. */
  outbound: Record<OutboundPurpose, OutboundOwner>;
  notify: (notices: (Notice | SupervisorNotice)[]) => void;
  authToken: () => string;
  publicUrl: () => string;
  holdMusicUrl: string;
  /** Recognised words below this confidence (0–1) are not trusted: the menu asks again (IVR_SPEECH_MIN_CONFIDENCE). */
  speechMinConfidence?: number;
  /** How a call's status is applied (call-status.ts): the same for the status callbacks and the settle sweep. */
  applyStatus: ApplyStatus;
  /** Recorded calls: told when an agent joins a caller's conference, and of Twilio's recording callbacks. */
  recordings?: Pick<RecordingsService, 'agentJoined' | 'conferenceEnded' | 'statusCallback' | 'secureInput'>;
  /** Talk analytics: told the same, to stream the agent part of the call's audio. */
  talk?: Pick<TalkService, 'agentJoined' | 'conferenceEnded' | 'heard'>;
}

const xml = (reply: FastifyReply, body: string) => reply.type('text/xml; charset=utf-8').send(body);

/**
 * The voice webhooks Twilio calls. Each one is a single transaction with the call locked: the
 * reply is stored under the request's replay key, so a retry gets the same TwiML and changes
 * nothing, and a stale duplicate of an earlier turn gets the latest answer instead of a rerun.
 */
export async function telephonyRoutes(fastify: FastifyInstance, opts: TelephonyRoutesOptions) {
  const { db, calls } = opts;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const applyStatus = opts.applyStatus;
  acceptTwilioWebhooks(fastify, opts);

  const base = () => `${opts.publicUrl()}/twilio/voice`;
  const urls: WebhookUrls = {
    gather: (step, secret) => `${base()}/gather?step=${step}${secret ? '&secret=1' : ''}`,
    get queueWait() { return `${base()}/queue-wait`; },
    queueExit: (step) => `${base()}/queue-exit?step=${step}`,
    get queueKey() { return `${base()}/queue-key`; },
    conferenceExit: (entry, step) => `${base()}/conference-exit?entry=${entry}&step=${step}`,
    conferenceStatus: (entry) => `${base()}/conference-status?entry=${entry}`,
  };

  type Outcome = Turn | 'ended' | 'silent' | null | { twiml: string };
  /** What a handler may leave for after its commit: notices for agents, Twilio REST calls. */
  interface Effects { notices: Notice[]; after: (() => Promise<void>)[] }

  async function once(request: FastifyRequest, sid: string, handle: (trx: Knex, effects: Effects) => Promise<Outcome>, o: { routing?: boolean } = {}): Promise<string> {
    const key = replayKey(request, opts.authToken());
    const effects: Effects = { notices: [], after: [] };
    let turn = null as Turn | null; // set inside the transaction below
    const body = await db.transaction(async (trx) => {
      await lockCall(trx, sid);
      const prior = await findReply(trx, key);
      if (prior !== undefined) return prior;
      const outcome = await handle(trx, effects);
      turn = outcome !== null && typeof outcome === 'object' && 'actions' in outcome ? outcome : null;
      // A turn that asks a secret (a PIN, a card number) pauses the call's recording, if any, before
      // Twilio has the prompt; the next turn that asks none resumes it.
      const secureInput = turn?.secureInput;
      if (opts.recordings && secureInput !== undefined) {
        const recordings = opts.recordings;
        effects.after.push(() => recordings.secureInput(sid, secureInput));
      }
      // A fixed answer (a callback's empty document, <Leave/>) is never replayed as an IVR turn.
      const fixed = outcome === 'silent' || (outcome !== null && typeof outcome === 'object' && 'twiml' in outcome);
      const reply = outcome === 'silent' ? renderEmpty()
        : fixed ? (outcome as { twiml: string }).twiml
          : outcome === 'ended' ? renderHangup()
            : outcome === null ? (await latestReply(trx, sid)) ?? renderHangup()
              : renderTurn(outcome.actions, outcome.step, urls);
      await saveReply(trx, key, sid, reply, !fixed);
      return reply;
    });
    // Only what committed is told to agents or done on the line; routing may now have work.
    opts.notify(effects.notices);
    for (const act of effects.after) await act().catch((err) => request.log.warn({ err, call_sid: sid }, 'after-commit Twilio request failed'));
    // An IVR turn that queued nobody and freed nobody leaves routing nothing new (most turns of a busy
    // hotline), and neither does a request that only records (`routing: false`, the transcript's words).
    if (o.routing !== false && (!turn || turn.routing)) void opts.routing.kick();
    return body;
  }

  const form = { tags: ['twilio'], consumes: ['application/x-www-form-urlencoded'] };

  app.post('/twilio/voice/incoming', { schema: { ...form, body: CallWebhook, summary: 'Voice URL of every hotline number: a call arrives' } }, async (request, reply) => {
    const p = request.body;
    return xml(reply, await once(request, p.CallSid, (trx) => inSpan('ivr.start', { 'switchboard.call_sid': p.CallSid }, () => calls.start(trx, { sid: p.CallSid, from: p.From, to: p.To, direction: p.Direction ?? 'inbound' }))));
  });

  app.post('/twilio/voice/gather', { schema: { ...form, body: GatherWebhook, querystring: GatherQuery, summary: 'Gather result: the keys a caller pressed, or none (timeout)' } }, async (request, reply) => {
    const p = request.body;
    // Keys win over words: a caller who pressed a key meant it. Twilio sends SpeechResult only for a gather that listened.
    const speech = !p.Digits && p.SpeechResult?.trim() && request.query.secret === undefined
      ? { kind: 'speech' as const, text: p.SpeechResult, confidence: Number(p.Confidence ?? 0) || 0, minConfidence: opts.speechMinConfidence ?? 0.5 }
      : null;
    const input = p.Digits ? { kind: 'digits' as const, digits: p.Digits } : speech ?? { kind: 'timeout' as const };
    return xml(reply, await once(request, p.CallSid, (trx) => inSpan('ivr.input', { 'switchboard.call_sid': p.CallSid, 'switchboard.ivr.step': request.query.step }, () => calls.input(trx, p.CallSid, request.query.step, input))));
  });

  app.post('/twilio/voice/queue-wait', { schema: { ...form, body: QueueWaitWebhook, summary: 'Enqueue waitUrl: what a waiting caller hears, looped' } }, async (request, reply) => {
    const p = request.body;
    // Position and wait from our own queue (priority order, live handle times), not Twilio's FIFO.
    const standing = await opts.routing.standing(p.CallSid);
    const position = standing?.position ?? p.QueuePosition ?? 1;
    const lang = await calls.waiting(db, p.CallSid, p.QueueSid);
    const call = await calls.findCall(db, p.CallSid);
    return xml(reply, renderWaiting(lang, position, standing?.seconds ?? null, urls, opts.holdMusicUrl, call ? calls.canCallBack(call) : false));
  });

  app.post('/twilio/voice/queue-key', { schema: { ...form, body: GatherWebhook, summary: 'A key pressed while waiting (1: call me back, keeping my place)' } }, async (request, reply) => {
    const p = request.body;
    return xml(reply, await once(request, p.CallSid, async (trx) => {
      const key = await calls.waitingKey(trx, p.CallSid, p.Digits ?? '');
      if (key === 'leave') return { twiml: renderLeave() };
      if (key === 'withheld') return { twiml: renderNoCallback((await calls.findCall(trx, p.CallSid))?.ivr_session.lang ?? 'zh') };
      return { twiml: renderEmpty() };
    }));
  });

  app.post('/twilio/voice/queue-closed', { schema: { ...form, body: CallWebhook, querystring: EntryStepQuery, summary: 'Nobody can serve the queue the caller waits in any more: their flow\'s fallback runs' } }, async (request, reply) => {
    const p = request.body;
    const { entry, step } = request.query;
    return xml(reply, await once(request, p.CallSid, (trx, fx) => calls.queueClosed(trx, p.CallSid, entry, step, fx.notices)));
  });

  app.post('/twilio/voice/queue-exit', { schema: { ...form, body: QueueExitWebhook, querystring: StepQuery, summary: 'Enqueue action: the caller left the queue (bridged, hung up, left…)' } }, async (request, reply) => {
    const p = request.body;
    return xml(reply, await once(request, p.CallSid, async (trx, fx) => {
      if (p.QueueResult === 'error' || p.QueueResult === 'system-error') {
        // The wait music's request failed (the node taking it died, say): not the caller's doing.
        // Back into the queue they go, in the place routing kept for them.
        const e = await liveEntryOfCall(trx, p.CallSid);
        const call = await calls.findCall(trx, p.CallSid);
        if (e && call && !call.ended_at && (e.state === 'waiting' || e.state === 'offered')) {
          await appendEvents(trx, call.interaction_id, [{ type: 'queue_rejoined', data: { entry_id: e.id, result: p.QueueResult } }]);
          return { twiml: requeueTwiml(call.ivr_session.lang, e, call.step, 'line_error') };
        }
      }
      return calls.queueExit(trx, p.CallSid, request.query.step, p.QueueResult, p.QueueTime ?? 0, fx.notices);
    }));
  });

  app.post('/twilio/voice/connect', { schema: { ...form, body: CallWebhook, querystring: EntryQuery, summary: 'An agent accepted: the caller is redirected here, into the call\'s conference' } }, async (request, reply) => {
    const p = request.body;
    const entry = request.query.entry;
    return xml(reply, await once(request, p.CallSid, async (trx) => {
      const e = await findEntry(trx, entry);
      const call = await calls.findCall(trx, p.CallSid);
      if (e && call && e.call_sid === p.CallSid && e.state === 'failed') {
        // The redirect went through after all, late, after the accept had given up on it and put
        // the caller back in line: back into the queue they go, in the place routing kept.
        const back = await liveEntryOfCall(trx, p.CallSid);
        if (back?.state === 'waiting' || back?.state === 'offered') return { twiml: requeueTwiml(call.ivr_session.lang, back, call.step, 'agent_unreachable') };
      }
      if (!e || !call || e.call_sid !== p.CallSid || (e.state !== 'connecting' && e.state !== 'connected')) return 'ended';
      return { twiml: renderConnect(call.ivr_session.lang, conferenceName(e.id), { exit: urls.conferenceExit(e.id, call.step), status: urls.conferenceStatus(e.id) }, opts.holdMusicUrl) };
    }));
  });

  app.post('/twilio/voice/conference-status', { schema: { ...form, body: ConferenceWebhook, querystring: EntryQuery, summary: 'Conference status callback: who joined or left the call\'s conference' } }, async (request, reply) => {
    const p = request.body;
    const e = await findEntry(db, request.query.entry);
    if (!e?.call_sid || !p.CallSid) return xml(reply, renderEmpty());
    const participant = p.CallSid;
    await once(request, e.call_sid, async (trx, fx) => {
      const r = await opts.conversation.conferenceEvent(trx, e.id, { event: p.StatusCallbackEvent, callSid: participant, conferenceSid: p.ConferenceSid });
      fx.notices.push(...r.notices);
      if (r.after) fx.after.push(r.after);
      // The agent's leg is in the room with the caller: the caller's call is recorded, and its audio metered, from now on.
      if (p.StatusCallbackEvent === 'participant-join' && participant !== e.call_sid && (opts.recordings || opts.talk)) {
        const joined = await findEntry(trx, e.id);
        if (joined?.state === 'connected' && joined.agent_call_sid === participant) {
          const call = { interactionId: e.interaction_id, callSid: e.call_sid!, lang: e.language === 'en' ? 'en' as const : 'zh' as const };
          const rec = opts.recordings ? await opts.recordings.agentJoined(trx, call) : {};
          if (rec.after) fx.after.push(rec.after);
          const talk = opts.talk?.agentJoined(call);
          if (talk?.after) fx.after.push(talk.after);
        }
      }
      // The caller left the room (the agent part is over, or a transfer moves them on): the recording and the stream stop.
      if (p.StatusCallbackEvent === 'participant-leave' && participant === e.call_sid) {
        const call = { interactionId: e.interaction_id, callSid: e.call_sid! };
        const rec = opts.recordings ? await opts.recordings.conferenceEnded(trx, call) : {};
        if (rec.after) fx.after.push(rec.after);
        const talk = opts.talk?.conferenceEnded(call);
        if (talk?.after) fx.after.push(talk.after);
      }
      return { twiml: renderEmpty() };
    });
    return xml(reply, renderEmpty());
  });

  app.post('/twilio/voice/conference-exit', { schema: { ...form, body: CallWebhook, querystring: EntryStepQuery, summary: 'The caller\'s conference <Dial> returned: the agent part is over, the IVR goes on' } }, async (request, reply) => {
    const p = request.body;
    const { entry, step } = request.query;
    return xml(reply, await once(request, p.CallSid, async (trx, fx) => {
      const e = await findEntry(trx, entry);
      // A transferred (or re-queued) caller was redirected out of the conference: a queue has them now.
      if (!e || e.call_sid !== p.CallSid || e.state === 'transferred' || e.state === 'failed') return 'silent';
      return calls.afterAgent(trx, p.CallSid, step, fx.notices);
    }));
  });

  const REQUEUED = {
    transfer: { zh: '正在为您转接，请稍候。', en: 'Transferring you now, please hold.' },
    agent_unreachable: { zh: '对不起，客服代表暂时无法接听。我们会保留您的排队位置，请稍候。', en: 'Sorry, the agent could not take your call. You keep your place in line; please hold.' },
    line_error: { zh: '请继续稍候，您的排队位置不变。', en: 'Please continue to hold; you keep your place in line.' },
  } as const;

  /** Back into a queue: why, then the entry's queue with its place. */
  function requeueTwiml(lang: 'zh' | 'en', e: EntryRow, step: number, why: keyof typeof REQUEUED): string {
    return renderTurn([{ type: 'say', lang, text: REQUEUED[why][lang] }, { type: 'enqueue', skill: e.skill, tier: e.tier, priority: e.priority, lang, customerId: e.customer_id }], step, urls);
  }

  app.post('/twilio/voice/requeue', { schema: { ...form, body: CallWebhook, querystring: RequeueQuery, summary: 'The caller goes back to a queue: a blind transfer, or the agent could not be reached (keeping their place)' } }, async (request, reply) => {
    const p = request.body;
    const { entry, step, why } = request.query;
    return xml(reply, await once(request, p.CallSid, async (trx) => {
      const e = await findEntry(trx, entry);
      const call = await calls.findCall(trx, p.CallSid);
      // Routing may have offered the caller's new place already (another node matched it the moment
      // it committed, before Twilio fetched this): it is still theirs, so into the queue they go,
      // where the accept will find them. Hanging up here lost a caller under a node's crash.
      if (!e || !call || e.call_sid !== p.CallSid || (e.state !== 'waiting' && e.state !== 'offered')) return 'ended';
      return { twiml: requeueTwiml(call.ivr_session.lang, e, step, why) };
    }));
  });

  // The agent's leg of a call: its own progress, and for a phone whether a person or a voicemail answered.
  // Both change the caller's entry under its call's lock, once per request (Twilio retries).
  async function agentLeg(request: FastifyRequest, reply: FastifyReply, entryId: string, apply: (trx: Knex, entryId: string) => Promise<{ notices: Notice[]; after?: () => Promise<void> }>) {
    const e = await findEntry(db, entryId);
    if (!e?.call_sid) return xml(reply, renderEmpty());
    await once(request, e.call_sid, async (trx, fx) => {
      const r = await apply(trx, e.id);
      fx.notices.push(...r.notices);
      if (r.after) fx.after.push(r.after);
      return { twiml: renderEmpty() };
    });
    return xml(reply, renderEmpty());
  }
  app.post('/twilio/voice/agent-leg/status', { schema: { ...form, body: StatusWebhook, querystring: EntryQuery, summary: "Status callback of an agent's leg: busy, not answered or failed puts the caller back in line at once" } },
    (request, reply) => agentLeg(request, reply, request.query.entry, (trx, id) => opts.conversation.legEnded(trx, id, { callSid: request.body.CallSid, status: request.body.CallStatus })));
  app.post('/twilio/voice/agent-leg/amd', { schema: { ...form, body: AmdWebhook, querystring: EntryQuery, summary: "Answering-machine verdict on an agent's phone leg: a voicemail is hung up and the caller goes back in line" } },
    (request, reply) => agentLeg(request, reply, request.query.entry, (trx, id) => opts.conversation.legAnsweredBy(trx, id, { callSid: request.body.CallSid, answeredBy: request.body.AnsweredBy })));

  app.post('/twilio/voice/status', { schema: { ...form, body: StatusWebhook, summary: 'Call status callback (retried and reordered by Twilio)' } }, async (request, reply) => {
    const p = request.body;
    const seq = p.SequenceNumber ?? -1;
    await once(request, p.CallSid, async (trx, fx) => {
      const applied = await applyStatus(trx, { sid: p.CallSid, from: p.From, to: p.To, direction: p.Direction ?? 'inbound', status: p.CallStatus as CallStatus, seq, duration: p.CallDuration }, fx.notices);
      request.log.debug({ call_sid: p.CallSid, status: p.CallStatus, seq, applied }, 'status callback');
      return { twiml: renderEmpty() };
    });
    return xml(reply, renderEmpty());
  });

  // ---- outbound calls: campaign dials and callbacks, one path -------------------------------------

  const outboundUrl = (what: 'answer' | 'after', q: { purpose: OutboundPurpose; ref: string }) => `${base()}/outbound/${what}?purpose=${q.purpose}&ref=${q.ref}`;

  app.post('/twilio/voice/outbound/answer', { schema: { ...form, body: AnswerWebhook, querystring: OutboundQuery, summary: "An outbound call was answered: the owner (campaign, callback) says what the person hears — an agent, a place in line, a message" } }, async (request, reply) => {
    const p = request.body;
    const q = request.query;
    return xml(reply, await once(request, p.CallSid, async (trx, fx) => {
      const action = await opts.outbound[q.purpose].answered(trx, q.ref, { callSid: p.CallSid, answeredBy: p.AnsweredBy, waited: q.wait }, fx.notices);
      switch (action.kind) {
        case 'connect':
          return { twiml: renderConnect(action.lang, conferenceName(action.entryId), { exit: outboundUrl('after', q), status: urls.conferenceStatus(action.entryId) }, opts.holdMusicUrl, action.say) };
        case 'enqueue': {
          const e = (await findEntry(trx, action.entryId))!;
          return { twiml: renderTurn([{ type: 'say', lang: action.lang, text: action.say }, { type: 'enqueue', skill: action.skill, tier: e.tier, priority: e.priority, lang: action.lang, customerId: e.customer_id }], 0, urls) };
        }
        case 'wait': return { twiml: renderCampaignWait(`${outboundUrl('answer', q)}&wait=${action.next}`) };
        case 'message': return { twiml: renderSayHangup(action.lang, action.text) };
        default: return { twiml: renderHangup() };
      }
    }));
  });

  app.post('/twilio/voice/outbound/after', { schema: { ...form, body: CallWebhook, querystring: OutboundQuery, summary: "An outbound call's conference ended: the customer's call ends too" } }, async (request, reply) => {
    const p = request.body;
    return xml(reply, await once(request, p.CallSid, async (trx, fx) => {
      fx.notices.push(...(await opts.conversation.callerDone(trx, p.CallSid, 'conference_ended')));
      return { twiml: renderHangup() };
    }));
  });

  app.post('/twilio/voice/outbound/status', { schema: { ...form, body: StatusWebhook, querystring: OutboundQuery, summary: 'Status callback of an outbound call: applied in order, then its owner hears the outcome' } }, async (request, reply) => {
    const p = request.body;
    const q = request.query;
    await once(request, p.CallSid, async (trx, fx) => {
      await applyStatus(trx, { sid: p.CallSid, from: p.From, to: p.To, direction: p.Direction ?? 'outbound-api', status: p.CallStatus as CallStatus, seq: p.SequenceNumber ?? -1, duration: p.CallDuration }, fx.notices, { purpose: q.purpose, ref: q.ref });
      return { twiml: renderEmpty() };
    });
    return xml(reply, renderEmpty());
  });

  app.post('/twilio/voice/transcription', { schema: { ...form, body: TranscriptionWebhook, summary: "Real-time transcription callback: an utterance of the agent part of a call (the caller's track or the agent's side)" } }, async (request, reply) => {
    const p = request.body;
    const side = p.Track === 'inbound_track' ? 'caller' as const : p.Track === 'outbound_track' ? 'agent' as const : null;
    // Only final utterances are kept: a partial result is a guess the next callback replaces.
    if (p.TranscriptionEvent !== 'transcription-content' || p.Final === 'false' || !side || !opts.talk) return xml(reply, renderEmpty());
    let text = '';
    try {
      const data = JSON.parse(p.TranscriptionData ?? '{}') as { transcript?: unknown };
      text = typeof data.transcript === 'string' ? data.transcript : '';
    } catch {
      request.log.warn({ call_sid: p.CallSid }, 'transcription callback with unreadable TranscriptionData');
    }
    const talk = opts.talk;
    if (text.trim()) {
      // Told after the commit, and only by the request that stored the words (a retry tells nobody again).
      let told: (Notice | SupervisorNotice)[] = [];
      await once(request, p.CallSid, async (trx) => {
        told = await talk.heard(trx, { callSid: p.CallSid, side, text });
        return { twiml: renderEmpty() };
      }, { routing: false });
      opts.notify(told);
    }
    return xml(reply, renderEmpty());
  });

  app.post('/twilio/voice/recording', { schema: { ...form, body: RecordingWebhook, summary: 'Recording status callback: the recording reference, length and channels join the interaction' } }, async (request, reply) => {
    const p = request.body;
    await once(request, p.CallSid, async (trx) => {
      const call = await calls.findCall(trx, p.CallSid);
      // Twilio's media URL never goes into the timeline: playback goes through our own server.
      if (call && opts.recordings) {
        await opts.recordings.statusCallback(trx, {
          interactionId: call.interaction_id, callSid: p.CallSid, sid: p.RecordingSid, status: p.RecordingStatus ?? 'completed',
          duration: p.RecordingDuration ?? null, channels: p.RecordingChannels ?? null,
        });
      }
      return { twiml: renderEmpty() };
    });
    return xml(reply, renderEmpty());
  });
}
