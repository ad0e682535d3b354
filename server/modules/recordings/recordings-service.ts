import type { Knex } from 'knex';
import type { FastifyBaseLogger } from 'fastify';
import { appError } from '../../errors.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { recordAudit } from '../audit/audit-repository.js';
import {
  expiredCandidates, findRecording, insertRecording, interactionFacts, listRecordings, markDeleted, liveRecordingOfCall, liveRecordingOfInteraction,
  recordingsOfInteraction, setLegalHold, updateRecording, type RecordingRow,
} from './recordings-repository.js';

/** How the recordings module has Twilio act on a recording; telephony implements it (only it speaks Twilio). */
export interface RecordingLine {
  start(callSid: string): Promise<{ sid: string; channels: number }>;
  setStatus(callSid: string, recordingSid: string, status: 'paused' | 'in-progress' | 'stopped'): Promise<void>;
  remove(recordingSid: string): Promise<'deleted' | 'gone'>;
  media(recordingSid: string): Promise<{ type: string; length: number | null; body: ReadableStream<Uint8Array> } | null>;
}

export interface RecordingPolicy {
  enabled: boolean;
  /** Roles that may listen to a recording, and the (narrower) ones that may download its file. */
  playbackRoles: ReadonlySet<string>;
  downloadRoles: ReadonlySet<string>;
  /** Days a recording is kept, by the interaction's category (its queue skill); `*` for the rest. */
  retentionDays: ReadonlyMap<string, number>;
}

type Event = { type: string; data: Record<string, unknown>; at: Date };

export interface RecordingsDeps {
  db: Knex;
  now?: () => Date;
  line: () => RecordingLine;
  /** Appends to the interaction's timeline (the interactions module's table). */
  events: (trx: Knex, interactionId: string, events: Event[]) => Promise<void>;
  policy: RecordingPolicy;
  log: Pick<FastifyBaseLogger, 'warn' | 'info' | 'error'>;
}

/** RECORDING_RETENTION_DAYS: `*=365,wealth=1825`: days by category, `*` required. */
export function parseRetention(spec: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of spec.split(',')) {
    const [key = '', days = ''] = part.split('=');
    out.set(key, Number(days));
  }
  if (!out.has('*')) throw new Error('RECORDING_RETENTION_DAYS needs a * entry: the days of every category not named');
  return out;
}

const FINAL = new Set(['completed', 'absent', 'deleted']);
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export interface Viewer { user: TokenClaims; ip: string }

/**
 * Recorded calls: a call is recorded from the moment an agent joins it (dual channel: the caller on
 * one channel, the agent's side on the other); Twilio's status callbacks fill in the reference,
 * length and channels; the agent may pause and resume; supervisors listen through our server only,
 * each time audited; a sweep deletes what retention says is due, at Twilio and here.
 */
export function createRecordingsService(deps: RecordingsDeps) {
  const { db, policy } = deps;
  const now = deps.now ?? (() => new Date());

  /** A recording row from whichever comes first: our REST call's answer, or Twilio's callback. */
  async function noteStarted(trx: Knex, r: { sid: string; interactionId: string; callSid: string; channels: number | null; at: Date }): Promise<void> {
    const inserted = await insertRecording(trx, { sid: r.sid, interaction_id: r.interactionId, call_sid: r.callSid, status: 'in-progress', channels: r.channels, started_at: r.at });
    if (inserted) await deps.events(trx, r.interactionId, [{ type: 'recording_started', data: { recording_sid: r.sid, channels: r.channels }, at: r.at }]);
  }

  async function playable(sid: string): Promise<RecordingRow> {
    const row = await findRecording(db, sid);
    if (!row) throw appError('SB_ERR_RECORDING_NOT_FOUND');
    if (row.status === 'deleted') throw appError('SB_ERR_RECORDING_DELETED');
    if (row.status !== 'completed') throw appError('SB_ERR_RECORDING_NOT_READY');
    return row;
  }

  const toView = (r: RecordingRow) => ({
    sid: r.sid, interaction_id: r.interaction_id, status: r.status, channels: r.channels, duration_s: r.duration_s,
    started_at: iso(r.started_at)!, completed_at: iso(r.completed_at), deleted_at: iso(r.deleted_at),
  });

  async function changeState(viewer: Viewer, interactionId: string, status: 'paused' | 'in-progress', why: 'agent' | 'secure_input'): Promise<ReturnType<typeof toView>> {
    const facts = await interactionFacts(db, interactionId);
    if (!facts) throw appError('SB_ERR_INTERACTION_NOT_FOUND');
    // An agent pauses their own call only; a supervisor may pause any.
    if (viewer.user.role === 'agent' && facts.agent_user_id !== Number(viewer.user.sub)) throw appError('SB_ERR_AUTH_FORBIDDEN', 'Only the agent on the call may pause or resume its recording');
    const live = await liveRecordingOfInteraction(db, interactionId);
    if (!live) throw appError('SB_ERR_RECORDING_NONE');
    if (live.status === status) throw appError('SB_ERR_RECORDING_STATE', status === 'paused' ? 'The recording is already paused' : 'The recording is not paused');
    // Paused for the caller's PIN or card number: only the end of that entry resumes it.
    if (live.paused_why === 'secure_input') throw appError('SB_ERR_RECORDING_STATE', 'The recording is paused while the caller keys a secret');
    await deps.line().setStatus(live.call_sid, live.sid, status);
    const at = now();
    await db.transaction(async (trx) => {
      await updateRecording(trx, live.sid, { status, paused_why: status === 'paused' ? 'agent' : null });
      await deps.events(trx, interactionId, [{ type: status === 'paused' ? 'recording_paused' : 'recording_resumed', data: { recording_sid: live.sid, why, by_user_id: Number(viewer.user.sub) }, at }]);
    });
    return toView({ ...live, status });
  }

  return {
    /**
     * An agent joined the caller's conference (webhook transaction): once committed, the caller's
     * call is recorded, unless it already is (a transfer to a second agent keeps the one recording).
     */
    async agentJoined(trx: Knex, c: { interactionId: string; callSid: string }): Promise<{ after?: () => Promise<void> }> {
      if (!policy.enabled || (await liveRecordingOfInteraction(trx, c.interactionId))) return {};
      return {
        after: async () => {
          const started = await deps.line().start(c.callSid);
          await db.transaction((t2) => noteStarted(t2, { sid: started.sid, interactionId: c.interactionId, callSid: c.callSid, channels: started.channels, at: now() }));
        },
      };
    },

    /**
     * The caller's conference ended (the agent part of the call is over; the survey may follow):
     * the recording stops, and Twilio's `completed` callback follows. A transfer's next agent
     * starts the call's next recording.
     */
    async conferenceEnded(trx: Knex, c: { interactionId: string; callSid: string }): Promise<{ after?: () => Promise<void> }> {
      const live = await liveRecordingOfInteraction(trx, c.interactionId);
      if (!live) return {};
      return {
        // A caller who hung up ended the recording with their call: Twilio refuses the stop (400/404), which is fine.
        after: () => deps.line().setStatus(c.callSid, live.sid, 'stopped').catch((err: { status?: number }) => {
          if (err.status !== 400 && err.status !== 404) throw err;
        }),
      };
    },

    /**
     * Twilio's recording status callback, on the call's lock. Replays are answered from the reply
     * store; out of order, a late `in-progress` after `completed` changes nothing, and nothing
     * comes back from deleted.
     */
    async statusCallback(trx: Knex, cb: { interactionId: string; callSid: string; sid: string; status: string; duration: number | null; channels: number | null }): Promise<void> {
      const at = now();
      await noteStarted(trx, { sid: cb.sid, interactionId: cb.interactionId, callSid: cb.callSid, channels: cb.channels, at });
      const row = (await findRecording(trx, cb.sid, { lock: true }))!;
      if (FINAL.has(row.status) || (cb.status !== 'completed' && cb.status !== 'absent')) return;
      await updateRecording(trx, cb.sid, { status: cb.status, duration_s: cb.duration, channels: cb.channels ?? row.channels, completed_at: at });
      await deps.events(trx, cb.interactionId, [{
        type: cb.status === 'completed' ? 'recording_completed' : 'recording_absent', data: { recording_sid: cb.sid, duration_s: cb.duration, channels: cb.channels ?? row.channels }, at,
      }]);
    },

    pause: (viewer: Viewer, interactionId: string) => changeState(viewer, interactionId, 'paused', 'agent'),
    resume: (viewer: Viewer, interactionId: string) => changeState(viewer, interactionId, 'in-progress', 'agent'),

    /**
     * The caller is about to key a secret (a PIN, a card number) on a call being recorded: the
     * recording pauses for it before the prompt is played, and resumes with the next turn that asks
     * no secret. Nothing to do on a call not recorded.
     */
    async secureInput(callSid: string, on: boolean): Promise<void> {
      const live = await liveRecordingOfCall(db, callSid);
      if (!live) return;
      // An agent's own pause is left as it is; only a pause of ours is lifted.
      if (on ? live.status !== 'in-progress' : live.status !== 'paused' || live.paused_why !== 'secure_input') return;
      const want = on ? 'paused' : 'in-progress';
      await deps.line().setStatus(live.call_sid, live.sid, want);
      await db.transaction(async (trx) => {
        await updateRecording(trx, live.sid, { status: want, paused_why: on ? 'secure_input' : null });
        await deps.events(trx, live.interaction_id, [{ type: on ? 'recording_paused' : 'recording_resumed', data: { recording_sid: live.sid, why: 'secure_input' }, at: now() }]);
      });
    },

    async ofInteraction(viewer: Viewer, interactionId: string) {
      if (!policy.playbackRoles.has(viewer.user.role)) throw appError('SB_ERR_RECORDING_PLAYBACK_FORBIDDEN');
      const facts = await interactionFacts(db, interactionId);
      if (!facts) throw appError('SB_ERR_INTERACTION_NOT_FOUND');
      return { interaction_id: interactionId, legal_hold: facts.legal_hold, recordings: (await recordingsOfInteraction(db, interactionId)).map(toView) };
    },

    async list(viewer: Viewer, q: { customer_id?: number; limit: number }) {
      if (!policy.playbackRoles.has(viewer.user.role)) throw appError('SB_ERR_RECORDING_PLAYBACK_FORBIDDEN');
      const rows = await listRecordings(db, q);
      return {
        recordings: rows.map((r) => ({
          sid: r.sid as string, interaction_id: r.interaction_id as string, channels: r.channels as number | null, duration_s: r.duration_s as number | null,
          started_at: iso(r.started_at)!, customer_id: (r.customer_id as number | null) ?? null, agent_user_id: (r.agent_user_id as number | null) ?? null,
          category: (r.queue_skill as string | null) ?? null, legal_hold: Boolean(r.legal_hold),
        })),
      };
    },

    /**
     * The recording's audio, streamed from Twilio through us: the role is checked, the listening
     * audited (who, which interaction, why) before a byte goes out.
     */
    async playback(viewer: Viewer, sid: string, q: { why: string; download: boolean }) {
      if (!policy.playbackRoles.has(viewer.user.role)) throw appError('SB_ERR_RECORDING_PLAYBACK_FORBIDDEN');
      if (q.download && !policy.downloadRoles.has(viewer.user.role)) throw appError('SB_ERR_RECORDING_DOWNLOAD_FORBIDDEN');
      const row = await playable(sid);
      const facts = await interactionFacts(db, row.interaction_id);
      await recordAudit(db, {
        actor: viewer.user, action: q.download ? 'recording.download' : 'recording.play', customer_id: facts?.customer_id ?? null, purpose: 'review',
        call_sid: row.call_sid, ip: viewer.ip, details: { interaction_id: row.interaction_id, recording_sid: sid, why: q.why },
      });
      const media = await deps.line().media(sid);
      if (!media) throw appError('SB_ERR_RECORDING_NOT_FOUND', 'Twilio no longer has this recording');
      return { ...media, filename: `${row.interaction_id}.wav` };
    },

    /** Legal hold: the interaction's recordings are kept, whatever retention says, until released. */
    async legalHold(viewer: Viewer, interactionId: string, b: { hold: boolean; reason?: string }) {
      const facts = await interactionFacts(db, interactionId);
      if (!facts) throw appError('SB_ERR_INTERACTION_NOT_FOUND');
      if (b.hold && !b.reason?.trim()) throw appError('SB_ERR_LEGAL_HOLD_REASON_REQUIRED');
      await db.transaction(async (trx) => {
        await setLegalHold(trx, interactionId, b.hold, b.reason?.trim() ?? null);
        await deps.events(trx, interactionId, [{ type: b.hold ? 'legal_hold_set' : 'legal_hold_released', data: { by_user_id: Number(viewer.user.sub), reason: b.reason?.trim() ?? null }, at: now() }]);
        await recordAudit(trx, { actor: viewer.user, action: b.hold ? 'recording.legal_hold' : 'recording.legal_hold_release', customer_id: facts.customer_id, purpose: 'review', call_sid: facts.call_sid, ip: viewer.ip, details: { interaction_id: interactionId, reason: b.reason ?? null } });
      });
      return { interaction_id: interactionId, legal_hold: b.hold };
    },

    /**
     * The retention job: each category's recordings older than its days, not under legal hold, are
     * deleted at Twilio, then marked deleted here with an event. One Twilio no longer has counts as
     * deleted. Returns how many went.
     */
    async sweepRetention(): Promise<number> {
      const at = now();
      const named = [...policy.retentionDays.keys()].filter((k) => k !== '*');
      let deleted = 0;
      for (const [category, days] of policy.retentionDays) {
        const before = new Date(at.getTime() - days * 86_400_000);
        const due = await expiredCandidates(db, { before, ...(category === '*' ? { exceptCategories: named } : { category }) }, 200);
        for (const r of due) {
          const outcome = await deps.line().remove(r.sid);
          await db.transaction(async (trx) => {
            // Every node runs the sweep: the one that marks it first writes the event.
            if (!(await markDeleted(trx, r.sid, at, 'retention'))) return;
            await deps.events(trx, r.interaction_id, [{ type: 'recording_deleted', data: { recording_sid: r.sid, why: 'retention', days, at_twilio: outcome }, at }]);
            deleted++;
          });
        }
      }
      if (deleted) deps.log.info({ recordings: deleted }, 'recordings deleted by retention');
      return deleted;
    },
  };
}

export type RecordingsService = ReturnType<typeof createRecordingsService>;
