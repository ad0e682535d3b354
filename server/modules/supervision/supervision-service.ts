import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { bankNumber } from '../calls/calls-repository.js';
import type { Realtime } from '../../plugins/realtime.js';
import { agentRoom } from '../../lib/realtime-notices.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { recordAudit } from '../audit/audit-repository.js';
import { appendEvents } from '../interactions/interactions-repository.js';
import { findEntry, updateEntry } from '../routing/routing-repository.js';
import type { ServiceLevels } from '../routing/service-levels.js';
import type { Progress } from '../campaigns/campaigns-schemas.js';
import type { CallbackBacklog } from '../callbacks/callbacks-schemas.js';
import type { MonitorMode, VoiceControl } from '../telephony/voice-control.js';
import { alertConditions, LOGIN_ALERT_MINUTES, loginAlertConditions, VIEW_ALERT_MINUTES, viewAlertConditions, type AlertThresholds, type LoginBurst, type ViewAnomaly } from './alerts.js';
import { listAlerts, openAlerts, syncAlerts, type Condition } from './alerts-repository.js';
import { liveMonitors } from './monitors-repository.js';
import type { Broadcast, Wallboard } from './supervision-schemas.js';
import { buildWallboard } from './wallboard.js';
import { diffWallboard } from './wallboard-diff.js';

export interface SupervisionDeps {
  db: Knex;
  levels: ServiceLevels;
  thresholds: AlertThresholds;
  realtime: Pick<Realtime, 'agents' | 'supervisors'>;
  voice: VoiceControl;
  /** Routing has new work: a call moved ahead or to another skill. */
  kick: () => void;
  /** Progress of every scheduled, running or paused campaign (the campaigns module's), shown on the board. */
  campaignProgress: () => Promise<Progress[]>;
  /** The callbacks still owed, per skill and tier (the callbacks module's). */
  callbackBacklog: () => Promise<CallbackBacklog[]>;
  /** Users whose customer-profile reads since then looked like a harvest (the customers module's), and how many refused purposes make an alert. */
  viewAnomalies?: (since: Date) => Promise<ViewAnomaly[]>;
  profileRefusals?: number;
  /** Usernames and addresses with a burst of failed logins since then (the auth module's throttle). */
  loginBursts?: (since: Date) => Promise<LoginBurst[]>;
  /** Other modules' alert conditions, each read once a tick: cases escalated at risk of their SLA, calls in dead air. */
  conditions?: (() => Promise<Condition[]>)[];
  log: FastifyBaseLogger;
  now?: () => Date;
}

/**
 * What supervisors see and do. Each node builds the wallboard once a tick from PostgreSQL (so it
 * is right whichever node holds the calls), keeps its alerts in step with it, and sends the rows
 * that changed to the supervisors connected to this node: one build and one encoded message a
 * tick, however many supervisors watch. Every action on a call or an agent is audited.
 */
export function createSupervisionService(deps: SupervisionDeps) {
  const { db, realtime } = deps;
  const clock = deps.now ?? (() => new Date());
  /** The board this node's supervisors have: updates are diffs against it. */
  let shown: Wallboard | null = null;

  async function board(): Promise<Wallboard> {
    return buildWallboard(db, clock(), deps.levels, deps.campaignProgress, deps.callbackBacklog);
  }

  /** Raises and clears alerts for this board; returns the board with the alerts as they now stand. */
  async function withAlerts(w: Wallboard): Promise<Wallboard> {
    const at = new Date(w.at);
    const anomalies = deps.viewAnomalies ? await deps.viewAnomalies(new Date(at.getTime() - VIEW_ALERT_MINUTES * 60_000)) : [];
    const bursts = deps.loginBursts ? await deps.loginBursts(new Date(at.getTime() - LOGIN_ALERT_MINUTES * 60_000)) : [];
    const others: Condition[] = [];
    for (const source of deps.conditions ?? []) others.push(...(await source()));
    const holding = [...alertConditions(w, deps.thresholds), ...viewAlertConditions(anomalies, deps.profileRefusals ?? 5), ...loginAlertConditions(bursts), ...others];
    const { raised, cleared } = await syncAlerts(db, holding, at);
    for (const a of raised) deps.log.warn({ alert: { id: a.id, kind: a.kind, subject: a.subject, severity: a.severity } }, `alert raised: ${a.message}`);
    for (const a of cleared) deps.log.info({ alert: { id: a.id, kind: a.kind, subject: a.subject } }, `alert cleared: ${a.message}`);
    return raised.length + cleared.length > 0 ? { ...w, alerts: await openAlerts(db) } : w;
  }

  function publish(next: Wallboard): void {
    if (realtime.supervisors.sockets.size === 0) {
      shown = null; // nobody to keep in step: the next supervisor gets a fresh snapshot
      return;
    }
    const update = shown ? diffWallboard(shown, next) : null;
    if (shown && !update) return; // nothing changed: the screens keep the board they have
    shown = next;
    if (update) realtime.supervisors.local.emit('wallboard:update', update);
  }

  return {
    board,

    /** One tick of this node: build the board, keep alerts in step, send the changes. */
    async tick(): Promise<void> {
      publish(await withAlerts(await board()));
    },

    /** The board a supervisor starts from (or resyncs to): the one this node's updates are diffs against. */
    async snapshot(): Promise<Wallboard> {
      if (!shown) shown = await board();
      return shown;
    },

    alerts: (q: { open?: boolean; limit: number }) => listAlerts(db, q),

    /** Credits a waiting call with extra seconds of waiting, so it moves ahead (audited, on its timeline). */
    async raisePriority(entryId: string, boostSeconds: number, actor: TokenClaims, ip?: string) {
      const now = clock();
      const out = await db.transaction(async (trx) => {
        const e = await waitingEntry(trx, entryId);
        const priorityAt = new Date(new Date(e.priority_at).getTime() - boostSeconds * 1000);
        await updateEntry(trx, e.id, { priority_at: priorityAt });
        await appendEvents(trx, e.interaction_id, [{ type: 'priority_raised', data: { entry_id: e.id, boost_s: boostSeconds, by: actor.username }, at: now }]);
        await recordAudit(trx, { actor, action: 'supervisor.queue_priority', customer_id: e.customer_id, call_sid: e.call_sid, ip, details: { entry_id: e.id, boost_s: boostSeconds } });
        return { entry_id: String(e.id), skill: e.skill, priority_at: priorityAt.toISOString() };
      });
      deps.kick();
      return out;
    },

    /** Moves a waiting call to another skill's queue, keeping its place in line (audited, on its timeline). */
    async moveSkill(entryId: string, skill: string, actor: TokenClaims, ip?: string) {
      const now = clock();
      const out = await db.transaction(async (trx) => {
        const e = await waitingEntry(trx, entryId);
        await updateEntry(trx, e.id, { skill });
        await appendEvents(trx, e.interaction_id, [{ type: 'skill_changed', data: { entry_id: e.id, from: e.skill, to: skill, by: actor.username }, at: now }]);
        await recordAudit(trx, { actor, action: 'supervisor.queue_skill', customer_id: e.customer_id, call_sid: e.call_sid, ip, details: { entry_id: e.id, from: e.skill, to: skill } });
        return { entry_id: String(e.id), skill, priority_at: new Date(e.priority_at).toISOString() };
      });
      deps.kick();
      return out;
    },

    /** A message on the consoles of every agent, or of the agents with one skill (audited). */
    async broadcast(message: string, skill: string | undefined, actor: TokenClaims, ip?: string) {
      const sent: Broadcast = { id: randomUUID(), message, from: actor.username, sent_at: clock().toISOString() };
      const q = db('agents').select('user_id');
      if (skill) q.whereRaw('jsonb_exists(skills, ?)', [skill]);
      const rooms = ((await q) as { user_id: number }[]).map((a) => agentRoom(a.user_id));
      await recordAudit(db, { actor, action: 'supervisor.broadcast', ip, details: { id: sent.id, skill: skill ?? null, agents: rooms.length, length: message.length } });
      if (rooms.length > 0) realtime.agents.to(rooms).emit('supervisor:broadcast', sent);
      return { id: sent.id, sent_at: sent.sent_at };
    },

    /** Who monitors a call now: the words of its live transcript go to them too. */
    monitorsOf: (trx: Knex, entryId: string) => liveMonitors(trx, entryId),

    /**
     * Joins the supervisor to a connected call's conference: listen (muted), whisper (heard by the
     * agent only) or barge. A second request switches the mode of the leg already there. Audited.
     */
    async monitor(entryId: string, mode: MonitorMode, actor: TokenClaims, ip?: string) {
      const supervisorId = Number(actor.sub);
      const e = await findEntry(db, entryId);
      if (!e) throw appError('SB_ERR_ENTRY_NOT_FOUND', `No queued call ${entryId}`);
      if (e.state !== 'connected' || !e.conference_sid || !e.agent_call_sid) throw appError('SB_ERR_CALL_NOT_CONNECTED');
      const leg = await db('monitor_legs').where({ entry_id: e.id, supervisor_id: supervisorId }).whereNull('ended_at').first();
      let callSid: string;
      if (leg) {
        callSid = leg.call_sid;
        await deps.voice.setMonitor({ conferenceSid: e.conference_sid, callSid, mode, agentCallSid: e.agent_call_sid });
        await db('monitor_legs').where({ id: leg.id }).update({ mode });
      } else {
        const call = await db('calls').where({ sid: e.call_sid }).first('direction', 'from_number', 'to_number');
        callSid = await deps.voice.addMonitor({ conferenceSid: e.conference_sid, from: call ? bankNumber(call) : '', to: { kind: 'supervisor', userId: supervisorId }, mode, agentCallSid: e.agent_call_sid });
        await db('monitor_legs').insert({ entry_id: e.id, supervisor_id: supervisorId, call_sid: callSid, mode });
      }
      await recordAudit(db, { actor, action: 'supervisor.monitor', customer_id: e.customer_id, call_sid: e.call_sid, ip, details: { entry_id: e.id, mode, leg: callSid } });
      return { entry_id: String(e.id), mode, call_sid: callSid };
    },

    /** The supervisor leaves the call's conference. */
    async stopMonitor(entryId: string, actor: TokenClaims, ip?: string) {
      const e = await findEntry(db, entryId);
      if (!e) throw appError('SB_ERR_ENTRY_NOT_FOUND', `No queued call ${entryId}`);
      const leg = await db('monitor_legs').where({ entry_id: e.id, supervisor_id: Number(actor.sub) }).whereNull('ended_at').first();
      if (!leg) throw appError('SB_ERR_CALL_NOT_CONNECTED', 'You are not on this call');
      // The conference may have ended with the call already, taking the leg with it.
      if (e.conference_sid && e.state === 'connected') await deps.voice.dropLeg(e.conference_sid, leg.call_sid);
      await db('monitor_legs').where({ id: leg.id }).update({ ended_at: clock() });
      await recordAudit(db, { actor, action: 'supervisor.monitor', customer_id: e.customer_id, call_sid: e.call_sid, ip, details: { entry_id: e.id, mode: 'left', leg: leg.call_sid } });
      return { entry_id: String(e.id), mode: 'left', call_sid: leg.call_sid };
    },
  };
}

async function waitingEntry(trx: Knex, entryId: string) {
  const e = await findEntry(trx, entryId, { lock: 'wait' });
  if (!e) throw appError('SB_ERR_ENTRY_NOT_FOUND', `No queued call ${entryId}`);
  if (e.state !== 'waiting') throw appError('SB_ERR_ENTRY_NOT_WAITING', `The call is ${e.state}`);
  return e;
}

export type SupervisionService = ReturnType<typeof createSupervisionService>;
