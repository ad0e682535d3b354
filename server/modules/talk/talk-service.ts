import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import type { Notice, SupervisorNotice } from '../../lib/realtime-notices.js';
import type { Condition } from '../supervision/alerts-repository.js';
import { isSpeech, TalkMeter, type MeterEvent, type Side } from './talk-meter.js';
import { redact, rulesFor } from './assist.js';
import { noRecogniser, type Recogniser } from './recogniser.js';
import { deadAirNow, insertStream, notePrompt, setDeadAir, stopStream } from './talk-repository.js';

/** How the talk module has a call's audio forked to us, and its words transcribed, and both stopped; telephony implements it (only it speaks Twilio). */
export interface TalkLine {
  startStream(callSid: string, name: string): Promise<void>;
  stopStream(callSid: string, name: string): Promise<void>;
  /** Transcribed live, both sides, in the call's language; each final utterance comes back to telephony's webhook. */
  startTranscript(callSid: string, name: string, lang: 'zh' | 'en'): Promise<void>;
  stopTranscript(callSid: string, name: string): Promise<void>;
}

/** The audio of one stream, side by side, as telephony hands it over: 16-bit samples, timestamps in ms of the stream. */
export interface AudioSink {
  audio(side: Side, ms: number, pcm: Int16Array): void;
  /** The stream is over: `stop` from Twilio, the socket closed without one, or nothing heard for too long. */
  end(why: 'stop' | 'closed' | 'idle'): Promise<void>;
}

type Event = { type: string; data: Record<string, unknown>; at: Date };

/** `monitor:transcript`, to each supervisor monitoring the call: an utterance, secrets already cut out. */
export interface MonitorTranscript { entry_id: string; interaction_id: string; side: Side; text: string; at: string }

export interface TalkDeps {
  db: Knex;
  now?: () => Date;
  /**
   * Talk analytics over media streams (TALK_ANALYTICS); live transcripts with their prompts
   * (TALK_TRANSCRIPTS), from Twilio's transcription or from `recogniser` fed the media stream
   * (TALK_TRANSCRIPT_SOURCE).
   */
  enabled: { analytics: boolean; transcripts: boolean; transcriptSource: 'twilio' | 'stream' };
  recogniser?: Recogniser;
  /** Silence of both sides this long is dead air: the agent is nudged, supervisors alerted (TALK_DEAD_AIR_SECONDS). */
  deadAirSeconds: number;
  line: () => TalkLine;
  /** The agent call a stream or a transcript belongs to: its interaction and agent (routing's queue entry), or null when none is live. */
  agentCall: (db: Knex, callSid: string) => Promise<{ entryId: string; interactionId: string; agentUserId: number | null; lang: 'zh' | 'en' } | null>;
  /** The supervisors monitoring the call now (the supervision module's): the transcript is theirs too. */
  monitorsOf: (db: Knex, entryId: string) => Promise<number[]>;
  /** Appends to the interaction's timeline (the interactions module's table). */
  events: (trx: Knex, interactionId: string, events: Event[]) => Promise<void>;
  notify: (notices: (Notice | SupervisorNotice)[]) => void;
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>;
}

/** Streams older than this are not trusted to be live (a crashed node never stopped them): no alert holds on them. */
const STREAM_MAX_HOURS = 4;
const streamName = (interactionId: string) => `talk-${interactionId}`;
const transcriptName = (interactionId: string) => `words-${interactionId}`;

/**
 * The agent part of a call as data, from the agent's join to the caller leaving the room. Talk
 * analytics: the call's audio is forked to us and metered (talk, silence, over-talk); dead air
 * nudges the agent and raises a supervisors' alert while it lasts; the figures land on the
 * timeline. A stream's state lives with its socket on the node that took it; what others need is
 * in the table. Live transcript: each utterance, secrets cut out, to the timeline and the
 * agent's console, with the prompts its words raise.
 */
export function createTalkService(deps: TalkDeps) {
  const now = deps.now ?? (() => new Date());
  const deadAirMs = deps.deadAirSeconds * 1000;

  const { transcripts, transcriptSource } = deps.enabled;
  const twilioWords = transcripts && transcriptSource === 'twilio';
  const ownWords = transcripts && transcriptSource === 'stream';
  // A stream runs for analytics, or to feed the bank's own recogniser; either way it is metered.
  const analytics = deps.enabled.analytics || ownWords;
  const recogniser = deps.recogniser ?? noRecogniser;
  /** The REST requests for the agent part of a call, one after the other: streaming, then transcribing. */
  const both = (jobs: (false | (() => Promise<void>))[]) => {
    const todo = jobs.filter((j): j is () => Promise<void> => j !== false);
    return todo.length ? { after: async () => { for (const job of todo) await job(); } } : {};
  };

  /**
   * A final utterance of the call's live transcript (from telephony's webhook on the call's lock,
   * or from the bank's recogniser): secrets are cut out before anything is kept or sent; the words go on the timeline and to the
   * agent's console and the monitor of any supervisor listening in; a rule they match raises its
   * prompt, once a call. Returns what to tell them.
   */
  async function heard(trx: Knex, u: { callSid: string; side: Side; text: string }): Promise<(Notice | SupervisorNotice)[]> {
    const call = await deps.agentCall(trx, u.callSid);
    const text = redact(u.text).replace(/\s+/g, ' ').trim().slice(0, 2000);
    if (!call || !text) return [];
    const at = now();
    await deps.events(trx, call.interactionId, [{ type: 'utterance', data: { side: u.side, text }, at }]);
    const notices: (Notice | SupervisorNotice)[] = [];
    const tell = (n: { event: string; payload: Record<string, unknown> }) => { if (call.agentUserId !== null) notices.push({ agentId: call.agentUserId, event: n.event, payload: { interaction_id: call.interactionId, ...n.payload } }); };
    tell({ event: 'call:transcript', payload: { side: u.side, text, at: at.toISOString() } });
    for (const supervisorId of await deps.monitorsOf(trx, call.entryId)) {
      const payload: MonitorTranscript = { entry_id: call.entryId, interaction_id: call.interactionId, side: u.side, text, at: at.toISOString() };
      notices.push({ supervisorId, event: 'monitor:transcript', payload });
    }
    for (const rule of rulesFor(text)) {
      if (!(await notePrompt(trx, call.interactionId, rule.id, at))) continue;
      await deps.events(trx, call.interactionId, [{ type: 'assist_prompt', data: { rule: rule.id, kind: rule.kind }, at }]);
      tell({ event: 'call:prompt', payload: { rule: rule.id, kind: rule.kind } });
    }
    return notices;
  }

  return {
    heard,

    /** The agent joined the caller's conference (webhook transaction): once committed, the call's audio is streamed and its words transcribed. */
    agentJoined(c: { interactionId: string; callSid: string; lang: 'zh' | 'en' }): { after?: () => Promise<void> } {
      return both([
        analytics && (() => deps.line().startStream(c.callSid, streamName(c.interactionId))),
        twilioWords && (() => deps.line().startTranscript(c.callSid, transcriptName(c.interactionId), c.lang)),
      ]);
    },

    /** The caller left the conference: streaming and transcribing stop (the survey that may follow is not the agent's talk). */
    conferenceEnded(c: { interactionId: string; callSid: string }): { after?: () => Promise<void> } {
      return both([
        analytics && (() => deps.line().stopStream(c.callSid, streamName(c.interactionId))),
        twilioWords && (() => deps.line().stopTranscript(c.callSid, transcriptName(c.interactionId))),
      ]);
    },

    /** A stream started: the meter for its call, or null when the call has no agent part live (the socket is then closed). */
    async open(s: { callSid: string; streamSid: string; sides: Side[] }): Promise<AudioSink | null> {
      // Analytics off: no stream was asked for, so whoever opened this one is refused.
      const call = analytics ? await deps.agentCall(deps.db, s.callSid) : null;
      if (!call) return null;
      const started = now();
      if (!(await insertStream(deps.db, { stream_sid: s.streamSid, call_sid: s.callSid, interaction_id: call.interactionId, agent_user_id: call.agentUserId, started_at: started }))) return null;
      const meter = new TalkMeter(deadAirMs, s.sides);
      // The bank's own recogniser, when it transcribes: what it hears takes the path Twilio's words do.
      const words = ownWords ? recogniser.open({ callSid: s.callSid, lang: call.lang }, (u) => {
        later('utterance', async () => deps.notify(await deps.db.transaction((trx) => heard(trx, { callSid: s.callSid, side: u.side, text: u.text }))));
      }) : null;
      // What the meter says is written in order, one write at a time, off the frame path.
      let writes = Promise.resolve();
      const later = (what: string, job: () => Promise<void>) => {
        writes = writes.then(job).catch((err) => deps.log.warn({ err, stream_sid: s.streamSid }, `talk analytics: ${what} not recorded`));
      };
      const tell = (events: MeterEvent[]) => {
        for (const e of events) {
          const at = now();
          if (e.kind === 'dead_air_started') {
            later('dead air', async () => {
              await deps.db.transaction(async (trx) => {
                await setDeadAir(trx, s.streamSid, new Date(at.getTime() - e.seconds * 1000));
                await deps.events(trx, call.interactionId, [{ type: 'dead_air', data: { at_s: e.at_s, seconds: e.seconds, stream_sid: s.streamSid }, at }]);
              });
              if (call.agentUserId !== null) {
                deps.notify([{ agentId: call.agentUserId, event: 'call:nudge', payload: { kind: 'dead_air', interaction_id: call.interactionId, seconds: e.seconds } }]);
              }
            });
          } else {
            later('end of dead air', async () => {
              await deps.db.transaction(async (trx) => {
                await setDeadAir(trx, s.streamSid, null);
                await deps.events(trx, call.interactionId, [{ type: 'dead_air_ended', data: { at_s: e.at_s, seconds: e.seconds, stream_sid: s.streamSid }, at }]);
              });
            });
          }
        }
      };
      return {
        audio(side, ms, pcm) {
          tell(meter.frame(side, ms, isSpeech(pcm)));
          words?.audio(side, ms, pcm);
        },
        async end(why) {
          words?.close();
          const { summary, events } = meter.finish();
          tell(events);
          later('summary', () => deps.db.transaction(async (trx) => {
            if (await stopStream(trx, s.streamSid, { at: now(), why, summary })) {
              await deps.events(trx, call.interactionId, [{ type: 'talk_analytics', data: { ...summary, stream_sid: s.streamSid, ended: why }, at: now() }]);
            }
          }));
          await writes;
        },
      };
    },

    /** Dead air on calls now (the wallboard's alert conditions). */
    async deadAirConditions(): Promise<Condition[]> {
      if (!analytics) return [];
      const at = now();
      const rows = await deadAirNow(deps.db, new Date(at.getTime() - STREAM_MAX_HOURS * 3_600_000));
      return rows.map((r) => ({
        kind: 'dead_air' as const, subject: `interaction:${r.interaction_id}`, severity: 'warning' as const,
        message: `Dead air on ${r.agent_name ?? 'an agent'}'s call: silent for over ${deps.deadAirSeconds} s`,
        data: { interaction_id: r.interaction_id, agent_id: r.agent_user_id, name: r.agent_name, since: new Date(r.dead_air_since).toISOString(), threshold_s: deps.deadAirSeconds },
      }));
    },
  };
}

export type TalkService = ReturnType<typeof createTalkService>;
