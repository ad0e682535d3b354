import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { trustProxy, type Config } from './config.js';
import { createLogger, requestIdFrom } from './lib/logger.js';
import { requestContextPlugin } from './plugins/request-context.js';
import type { Db } from './db/knex.js';
import { authRoutes } from './modules/auth/index.js';
import { createLoginThrottle } from './modules/auth/login-throttle-repository.js';
import { customersRoutes } from './modules/customers/index.js';
import { createCustomersService } from './modules/customers/customers-service.js';
import { loadFlows } from '../ivr/flows.js';
import { createCallsService } from './modules/calls/calls-service.js';
import { purgeReplies } from './modules/calls/calls-repository.js';
import { healthRoutes } from './modules/health/index.js';
import { interactionsRoutes } from './modules/interactions/index.js';
import { createInteractionsService } from './modules/interactions/interactions-service.js';
import { telephonyRoutes } from './modules/telephony/index.js';
import { loadTierModel } from './modules/tiers/tier-model.js';
import { createTiersService } from './modules/tiers/tiers-service.js';
import { authPlugin } from './plugins/auth.js';
import { dbPlugin } from './plugins/db.js';
import { errorsPlugin } from './plugins/errors.js';
import { boundedDateFormats, inputGuardPlugin } from './plugins/input-guard.js';
import { serverTimeouts, timeoutsPlugin } from './plugins/timeouts.js';
import { openapiPlugin } from './plugins/openapi.js';
import { redisPlugin } from './plugins/redis.js';
import { telephonyPlugin } from './plugins/telephony.js';
import { realtimePlugin } from './plugins/realtime.js';
import { agentsRoutes } from './modules/agents/index.js';
import { registerAgentSocket } from './modules/agents/agent-socket.js';
import { createAgentsService } from './modules/agents/agents-service.js';
import { routingRoutes } from './modules/routing/index.js';
import { createConversationService } from './modules/routing/conversation-service.js';
import { createRoutingService, routingPolicy } from './modules/routing/routing-service.js';
import { dataOutRoutes } from './modules/data-out/index.js';
import { createDataOutService } from './modules/data-out/data-out-service.js';
import { createVoiceControl } from './modules/telephony/voice-control.js';
import { createSoftphone } from './modules/telephony/softphone.js';
import { uiPlugin } from './plugins/ui.js';
import { metricsPlugin } from './plugins/metrics.js';
import { metricsRoutes } from './modules/metrics/index.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { tracingPlugin } from './plugins/tracing.js';
import { inSpan, traceQueued } from './lib/tracing.js';
import { reportsRoutes } from './modules/reports/index.js';
import { createReportsService } from './modules/reports/reports-service.js';
import { supervisionRoutes } from './modules/supervision/index.js';
import { registerSupervisorSocket } from './modules/supervision/supervisor-socket.js';
import { createSupervisionService } from './modules/supervision/supervision-service.js';
import { jobsPlugin } from './plugins/jobs.js';
import { DIAL_JOB } from './modules/campaigns/attempts.js';
import { createDialer } from './modules/campaigns/dialer.js';
import { createCampaignsService } from './modules/campaigns/campaigns-service.js';
import { campaignsRoutes } from './modules/campaigns/index.js';
import { createOutboundLine } from './modules/telephony/voice-control.js';
import { createCallSettler, createStatusPath } from './modules/telephony/call-status.js';
import { appError } from './errors.js';
import { loadCalendars } from '../ivr/flows.js';
import { createCallbacksService, type CallbacksService } from './modules/callbacks/callbacks-service.js';
import { callbacksRoutes } from './modules/callbacks/index.js';
import { pinsRoutes } from './modules/pins/index.js';
import { feedsRoutes } from './modules/feeds/index.js';
import { createFeedsService, FEED_JOB, parseFeedSchedule, type ScheduledRun } from './modules/feeds/feeds-service.js';
import { createPinsService } from './modules/pins/pins-service.js';
import type { ForeignLimits } from './modules/pins/phone-pin-check.js';
import type { ConversationService } from './modules/routing/conversation-service.js';
import { createCasesService } from './modules/cases/cases-service.js';
import { parseCaseSla } from './modules/cases/case-sla.js';
import { casesRoutes } from './modules/cases/index.js';
import { rmRoutes } from './modules/rm/index.js';
import { createRmService } from './modules/rm/rm-service.js';
import { recordingsRoutes } from './modules/recordings/index.js';
import { createRecordingsService, parseRetention } from './modules/recordings/recordings-service.js';
import { createRecordingLine } from './modules/telephony/recording-line.js';
import { mediaStreamRoutes } from './modules/telephony/media-streams.js';
import { createTalkLine } from './modules/telephony/talk-line.js';
import { createTalkService } from './modules/talk/talk-service.js';
import type { Recogniser } from './modules/talk/recogniser.js';
import { liveEntryOfCall } from './modules/routing/routing-repository.js';
import { appendEvents } from './modules/interactions/interactions-repository.js';

/** How many wrong PINs strangers may try on the account-number path (see modules/pins). */
const pinLimits = (config: Config): ForeignLimits => ({
  perNumber: config.PIN_FOREIGN_MAX_FAILURES, perCustomer: config.PIN_FOREIGN_CUSTOMER_MAX, windowMinutes: config.PIN_FOREIGN_WINDOW_MINUTES,
});

export interface AppDeps {
  db?: Db;
  /** The one clock every service reads; tests set it to a moment of the bank's week. */
  now?: () => Date;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: NodeJS.WritableStream;
  /** The bank's own speech recogniser, fed the media streams (TALK_TRANSCRIPT_SOURCE=stream); none by default. */
  recogniser?: Recogniser;
}

/**
 * Builds the whole app without listening: infrastructure plugins, then domain services, then
 * routes. Tests call this with a real database; main.ts adds listen() and shutdown.
 */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // One logger setup for every process (server/lib/logger.ts): request ids, PII scrubbed, JSON or pretty.
    loggerInstance: createLogger(config, { destination: deps.logStream }) as FastifyBaseLogger,
    // Our own request lines (plugins/request-context.ts): URLs without query values, quiet at debug.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'req_id' }),
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // A hop count works at runtime though fastify's types leave numbers out.
    trustProxy: trustProxy(config.TRUST_PROXY) as string | boolean,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // The database plugin migrates at boot: an upgrade's migrations (or PGlite's first start on a
    // busy machine) may take longer than fastify's default 10 s per plugin.
    pluginTimeout: 300_000,
    ...serverTimeouts(config),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false }, onCreate: boundedDateFormats },
  });

  // A keep-alive connection whose request was still running when close() began would hold the
  // server open until its idle timeout (72 s): once closing, each finished response ends its socket.
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onResponse', async (request) => { if (closing) request.raw.socket?.end(); });

  // 1. infrastructure
  await app.register(requestContextPlugin, { pretty: config.LOG_FORMAT === 'pretty' });
  await app.register(tracingPlugin, { config });
  await app.register(metricsPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(errorsPlugin);
  await app.register(inputGuardPlugin);
  await app.register(timeoutsPlugin, { config });
  await app.register(openapiPlugin);
  await app.register(dbPlugin, { config, db: deps.db });
  await app.register(redisPlugin, { config });
  await app.register(authPlugin, { config });
  await app.register(rateLimitPlugin, { config });
  await app.register(telephonyPlugin, { config });
  await app.register(realtimePlugin, { config });
  await app.register(jobsPlugin, { config, consume: config.RUN_WORKERS });

  // 2. domain services
  const tiers = createTiersService(loadTierModel(config.TIER_MODEL_FILE));
  const customers = createCustomersService({
    db: app.db, tiers, views: { perMinute: config.PROFILE_VIEWS_PER_MINUTE, perHour: config.PROFILE_VIEWS_PER_HOUR, purposeMinutes: config.PROFILE_PURPOSE_MINUTES },
  });
  const flows = loadFlows();
  for (const [number, flow] of app.telephony.hotlines) {
    if (!flows.has(flow)) throw new Error(`HOTLINE_NUMBERS: ${number} enters flow "${flow}", which is not in ivr/flows (${[...flows.keys()].join(', ')})`);
  }
  const policy = routingPolicy(config, loadCalendars());
  const { hours, timing: { levels } } = policy;
  const { telephony, realtime } = app;
  const notify = realtime.notify;
  const voiceUrl = () => `${telephony.publicUrl()}/twilio/voice`;
  const voice = createVoiceControl({ rest: () => telephony.rest, voiceUrl, holdMusicUrl: config.HOLD_MUSIC_URL });
  const line = () => createOutboundLine({ rest: () => telephony.rest, voiceUrl });
  // Routing, calls, callbacks and conversations call one another: each is handed the others lazily.
  // Every service reads one clock (deps.now: in tests, a moment of the bank's week), never the database's.
  const late = {} as { callbacks: CallbacksService; conversation: ConversationService };
  const routing = createRoutingService({
    db: app.db, customers, notify, log: app.log, now: deps.now,
    policy,
    callbacks: () => ({ customerFirst: config.CALLBACK_MODE === 'customer_first', dial: (id) => late.callbacks.dial(id) }),
    unservable: async (e) => {
      const call = e.call_sid ? await calls.findCall(app.db, e.call_sid) : undefined;
      if (call) await voice.closeQueue(call.sid, String(e.id), call.step);
    },
  });
  const calls = createCallsService({
    flows, hotlines: telephony.hotlines, defaultFlow: 'hotline', now: deps.now,
    queue: {
      // A caller queued from the IVR: the offer routing makes for the entry joins this trace.
      enqueue: (trx, c) => inSpan('routing.enqueue', { 'switchboard.skill': c.skill, 'switchboard.tier': c.tier ?? 'STANDARD' }, async () => {
        // A caller with an active case may be meant for its owner or the complaints skill (CASE_CALLER_ROUTING).
        const id = await routing.enqueue(trx, await cases.routeCaller(trx, c));
        traceQueued(id);
        return id;
      }),
      callerLeft: routing.callerLeft, callerDone: (trx, sid, reason) => late.conversation.callerDone(trx, sid, reason) },
    ivr: {
      queueStatus: (trx, q, at) => routing.availability(trx, q, at),
      requestCallback: (trx, r, at) => late.callbacks.request(trx, r, at),
      greetFullTiers: new Set(config.IVR_FULL_NAME_TIERS.split(',').filter(Boolean)),
      pinLimits: pinLimits(config),
    },
  });
  const callbacks = createCallbacksService({
    db: app.db, calls, routing, hours, line, notify, log: app.log, now: deps.now, bankName: { zh: config.BANK_NAME_ZH, en: config.BANK_NAME_EN },
    defaultFrom: [...telephony.hotlines.keys()][0]!,
    policy: {
      mode: config.CALLBACK_MODE, attempts: config.CALLBACK_ATTEMPTS, retrySeconds: config.CALLBACK_RETRY_SECONDS, ringSeconds: config.CALLBACK_RING_SECONDS,
      window: { start: config.CALLBACK_WINDOW.slice(0, 5), end: config.CALLBACK_WINDOW.slice(6) },
    },
  });
  const dialer = createDialer({
    db: app.db, now: deps.now, jobs: app.jobs, customers, calls, routing, notify, log: app.log, connectSeconds: config.ROUTING_CONNECT_SECONDS, maxDialsPerDay: config.CAMPAIGN_MAX_DIALS_PER_DAY, lostAfterSeconds: config.DIALER_LOST_SECONDS,
    bankName: { zh: config.BANK_NAME_ZH, en: config.BANK_NAME_EN }, line,
  });
  late.callbacks = callbacks;
  app.jobs.define<{ attempt_id: string }>(DIAL_JOB, (job) => dialer.dial(job.attempt_id), { concurrency: 4 });
  const cases = createCasesService({
    db: app.db, now: deps.now, log: app.log, taskHours: config.CASE_TASK_HOURS,
    sla: parseCaseSla(config.CASE_SLA, loadCalendars(), config.CASE_SLA_CALENDAR, config.CASE_AT_RISK_PERCENT),
    changed: (customerId) => { late.conversation.profileChanged(customerId).catch((err) => app.log.error({ err, customer_id: customerId }, 'profile refresh failed')); },
    callerRouting: config.CASE_CALLER_ROUTING, caseSkill: config.CASE_SKILL, rmSkill: config.RM_SKILL,
    placeCall: (trx, c, actor, ip) => callbacks.createIn(trx, c, actor, ip),
  });
  const rm = createRmService({
    db: app.db, now: deps.now, notify, log: app.log, remindMinutes: config.RM_REMIND_MINUTES,
    slotMinutes: { callback: config.RM_CALLBACK_MINUTES, visit: config.RM_VISIT_MINUTES },
  });
  const conversation = createConversationService({
    db: app.db, now: deps.now, connectSeconds: config.ROUTING_CONNECT_SECONDS, connectFailures: config.ROUTING_CONNECT_FAILURES, customers, routing, voice, notify, log: app.log,
    dialOut: (entryId) => callbacks.dial(entryId),
    // A wrap-up's disposition: a campaign call's lands on its list; on any other call "call back" books a callback,
    // "complaint logged" needs the complaint opened on the call, "follow up" makes the agent a follow-up task.
    onWrapup: async (trx, entry, w, agent) => {
      const campaignCall = await dialer.disposition(trx, entry, w, Number(agent.sub));
      // The customer's RM hears of the call (after the commit), whatever it was.
      await rm.clientCalled(trx, entry, w, agent);
      if (campaignCall) return;
      if (w.disposition === 'callback') {
        if (!w.callback_at) throw appError('SB_ERR_CALLBACK_TIME_INVALID', 'A callback needs callback_at');
        await callbacks.book(trx, { entry, agent, at: new Date(w.callback_at), toMe: Boolean(w.callback_to_me), reason: w.reason_codes[0] ?? 'agent_booked' });
      }
      if (w.disposition === 'complaint_logged') await cases.requireComplaint(trx, entry);
      if (w.disposition === 'follow_up') await cases.followUp(trx, entry, agent, w);
    },
  });
  late.conversation = conversation;
  const campaigns = createCampaignsService({ db: app.db, now: deps.now, dialer, jobs: app.jobs, customers, notify, recentContactDays: config.CAMPAIGN_RECENT_CONTACT_DAYS });
  customers.onChange((customerId) => {
    conversation.profileChanged(customerId).catch((err) => app.log.error({ err, customer_id: customerId }, 'profile refresh failed'));
  });
  const agents = createAgentsService({ db: app.db, now: deps.now, leaseSeconds: config.AGENT_LEASE_SECONDS, notify, onAvailable: () => void routing.kick() });
  const interactions = createInteractionsService({ db: app.db, customers });
  const throttle = createLoginThrottle(app.db, {
    maxFailures: config.LOGIN_MAX_FAILURES, windowSeconds: config.LOGIN_WINDOW_SECONDS, backoffAfter: config.LOGIN_BACKOFF_AFTER, backoffSeconds: config.LOGIN_BACKOFF_SECONDS,
  });
  registerAgentSocket(realtime, { agents, routing, conversation, log: app.log });
  const talk = createTalkService({
    db: app.db, now: deps.now, enabled: { analytics: config.TALK_ANALYTICS, transcripts: config.TALK_TRANSCRIPTS, transcriptSource: config.TALK_TRANSCRIPT_SOURCE }, recogniser: deps.recogniser, deadAirSeconds: config.TALK_DEAD_AIR_SECONDS, events: appendEvents, notify, log: app.log,
    line: () => createTalkLine({ rest: () => telephony.rest, publicUrl: telephony.publicUrl }),
    agentCall: async (db, callSid) => {
      const e = await liveEntryOfCall(db, callSid);
      return e && e.state === 'connected' ? { entryId: String(e.id), interactionId: e.interaction_id, agentUserId: e.agent_id, lang: e.language === 'en' ? 'en' : 'zh' } : null;
    },
    monitorsOf: (db, entryId) => supervision.monitorsOf(db, entryId),
  });
  const supervision = createSupervisionService({
    db: app.db, now: deps.now, levels, realtime, voice, kick: () => void routing.kick(), log: app.log,
    campaignProgress: () => campaigns.liveProgress(),
    callbackBacklog: () => callbacks.backlog(),
    viewAnomalies: customers.viewAnomalies, profileRefusals: config.ALERT_PROFILE_REFUSALS, conditions: [() => cases.riskConditions(), () => talk.deadAirConditions()],
    loginBursts: (since) => throttle.bursts(since, config.ALERT_LOGIN_FAILURES),
    thresholds: { privateWaitSeconds: config.ALERT_PRIVATE_WAIT_SECONDS, abandonRate: config.ALERT_ABANDON_PERCENT / 100, awaySeconds: config.ALERT_AWAY_SECONDS, minCalls: config.ALERT_MIN_CALLS },
  });
  registerSupervisorSocket(realtime, { supervision, log: app.log });
  const outbound = { campaign: dialer.owner, callback: callbacks.owner };
  const applyStatus = createStatusPath({ calls, outbound });
  const settleCalls = createCallSettler({ db: app.db, rest: () => telephony.rest, applyStatus, notify, kick: () => void routing.kick(), log: app.log, afterSeconds: config.CALL_SETTLE_SECONDS });
  startSweeper(app, 'routing', [
    conversation.sweepConnects, () => callbacks.sweep(), routing.sweep, everyMinute(() => purgeReplies(app.db, new Date(Date.now() - REPLY_KEEP_MS))),
    // Calls whose final status never came: looked up in Twilio's call resource (a few times per CALL_SETTLE_SECONDS, at most once a minute).
    every(Math.min(60_000, config.CALL_SETTLE_SECONDS * 250), settleCalls),
  ], config.ROUTING_SWEEP_MS);
  startSweeper(app, 'wallboard', [supervision.tick], config.WALLBOARD_TICK_MS);
  startSweeper(app, 'dialer', [dialer.pace], config.DIALER_TICK_MS);
  startSweeper(app, 'cases', [() => cases.sweep(), () => rm.sweep()], config.CASE_SWEEP_MS);
  app.addHook('preClose', async () => routing.stop());
  startSweeper(app, 'profile views', [customers.purgeViewCounts], 600_000);
  const recordings = createRecordingsService({
    db: app.db, now: deps.now, log: app.log, events: appendEvents,
    line: () => createRecordingLine({ rest: () => telephony.rest, voiceUrl }),
    policy: {
      enabled: config.RECORDING_ENABLED,
      playbackRoles: new Set(config.RECORDING_PLAYBACK_ROLES.split(',').filter(Boolean)),
      downloadRoles: new Set(config.RECORDING_DOWNLOAD_ROLES.split(',').filter(Boolean)),
      retentionDays: parseRetention(config.RECORDING_RETENTION_DAYS),
    },
  });
  startSweeper(app, 'recording retention', [async () => { await recordings.sweepRetention(); }], config.RECORDING_RETENTION_SWEEP_MS);
  const pins = createPinsService({ db: app.db, now: deps.now });
  startSweeper(app, 'pin failures', [() => pins.purgeForeignFailures(config.PIN_FOREIGN_WINDOW_MINUTES)], 600_000);
  startSweeper(app, 'sessions', [app.sessions.purge, throttle.purge], 600_000);
  // Feeds the bank sends every day: claimed once a day across the nodes, each run a job.
  const feeds = createFeedsService({ db: app.db, tiers, pins, inboxDir: config.FEED_INBOX_DIR, now: deps.now });
  const feedSchedule = parseFeedSchedule(config.FEED_SCHEDULE);
  app.jobs.define<ScheduledRun>(FEED_JOB, async (run) => { await feeds.runScheduled(run); }, { concurrency: 1 });
  if (feedSchedule.length > 0) {
    startSweeper(app, 'feed schedule', [async () => {
      await feeds.claimDue(feedSchedule, (r) => app.jobs.add(FEED_JOB, r, { jobId: `${r.kind}-${r.day}`, attempts: 3, backoffMs: 60_000 }));
    }], config.FEED_SCHEDULE_SWEEP_MS);
  }
  const dataOut = createDataOutService({
    db: app.db, log: app.log, now: deps.now, exportDir: config.DATA_OUT_EXPORT_DIR,
    policy: {
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, retrySeconds: config.WEBHOOK_RETRY_SECONDS, timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowedHosts: config.WEBHOOK_ALLOWED_HOSTS ? new Set(config.WEBHOOK_ALLOWED_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)) : null,
    },
  });
  startSweeper(app, 'data out', [async () => { await dataOut.fanOut(); }, async () => { await dataOut.deliver(); }], config.DATA_OUT_SWEEP_MS);
  // Its own timer: a long export never holds up the webhooks.
  if (config.DATA_OUT_EXPORT_DIR) startSweeper(app, 'daily export', [async () => { await dataOut.exportDaily(); }], 60_000);

  // 3. routes
  await app.register(healthRoutes);
  await app.register(authRoutes, { config, throttle });
  await app.register(customersRoutes, { customers });
  await app.register(pinsRoutes, { pins });
  await app.register(feedsRoutes, { feeds, schedule: feedSchedule });
  await app.register(interactionsRoutes, { interactions });
  const softphone = createSoftphone({
    accountSid: telephony.accountSid, simulated: telephony.simulator !== null,
    apiKey: config.TWILIO_API_KEY_SID && config.TWILIO_API_KEY_SECRET ? { sid: config.TWILIO_API_KEY_SID, secret: config.TWILIO_API_KEY_SECRET } : undefined,
  });
  await app.register(agentsRoutes, { agents, softphone });
  await app.register(routingRoutes, { routing });
  await app.register(supervisionRoutes, { supervision, softphone });
  await app.register(reportsRoutes, { reports: createReportsService({ db: app.db, levels }) });
  await app.register(campaignsRoutes, { campaigns });
  await app.register(callbacksRoutes, { callbacks });
  await app.register(casesRoutes, { cases });
  await app.register(rmRoutes, { rm });
  await app.register(recordingsRoutes, { recordings });
  await app.register(dataOutRoutes, { dataOut });
  await app.register(metricsRoutes, { token: config.METRICS_TOKEN, callbacks });
  await app.register(telephonyRoutes, {
    db: app.db, calls, routing, conversation, outbound, applyStatus, notify, authToken: () => telephony.authToken, publicUrl: telephony.publicUrl, holdMusicUrl: config.HOLD_MUSIC_URL, speechMinConfidence: config.IVR_SPEECH_MIN_CONFIDENCE, recordings, talk,
  });
  await app.register(mediaStreamRoutes, { authToken: () => telephony.authToken, publicUrl: telephony.publicUrl, open: talk.open, idleMs: config.MEDIA_STREAM_IDLE_SECONDS * 1000 });
  await app.register(uiPlugin);
  return app;
}

/** How long after a call ends its stored webhook replies are kept: well past Twilio's retries. */
const REPLY_KEEP_MS = 10 * 60_000;

/** Runs `task` on at most one sweep every `ms`. */
function every(ms: number, task: () => Promise<unknown>): () => Promise<void> {
  let last = 0;
  return async () => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    await task();
  };
}
const everyMinute = (task: () => Promise<unknown>) => every(60_000, task);

/**
 * Runs `tasks` in order on a timer, one run at a time, on every node. Routing's sweep expires
 * stale offers and lapsed leases and re-runs the matcher: the backstop that re-routes whatever a
 * crashed node (or a lost notice) left behind. The wallboard's keeps boards and alerts current.
 */
function startSweeper(app: FastifyInstance, name: string, tasks: (() => Promise<void>)[], everyMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      if (running) return;
      running = (async () => { for (const task of tasks) await task(); })()
        .catch((err) => app.log.error({ err }, `${name} sweep failed`)).finally(() => { running = null; });
    }, everyMs);
    timer.unref();
  });
  // A sweep in flight finishes before the database pool goes away.
  app.addHook('preClose', async () => {
    clearInterval(timer);
    await running;
  });
}
