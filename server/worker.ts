// Entry point of a job worker: `npm run worker`. Runs the campaign dialer's jobs and the scheduled
// feeds from BullMQ beside the web nodes (which then set RUN_WORKERS=false). Needs the same
// DATABASE_URL, REDIS_URL, REDIS_PREFIX and Twilio account as they do, PUBLIC_URL: the web nodes'
// address, which Twilio calls back about every call placed here, and FEED_INBOX_DIR where the
// scheduled feeds' files are (the web nodes decide when a feed is due).
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDb } from './db/knex.js';
import { createLogger } from './lib/logger.js';
import { createBullmqJobs } from './plugins/jobs.js';
import { DIAL_JOB } from './modules/campaigns/attempts.js';
import { createDialJob } from './modules/campaigns/dial-job.js';
import { createCustomersService } from './modules/customers/customers-service.js';
import { loadTierModel } from './modules/tiers/tier-model.js';
import { createTiersService } from './modules/tiers/tiers-service.js';
import { createFeedsService, FEED_JOB, type ScheduledRun } from './modules/feeds/feeds-service.js';
import { createPinsService } from './modules/pins/pins-service.js';
import { createTwilioRest, restPolicy } from './modules/telephony/twilio-rest.js';
import { createOutboundLine } from './modules/telephony/voice-control.js';

let config: Config;
try {
  config = loadConfig(process.env, {}, { telephony: false });
  if (config.TELEPHONY === 'simulator') throw new ConfigError('Invalid configuration:\n  TELEPHONY=simulator: the embedded demo runs its jobs in its own process; a worker dials through Twilio (TELEPHONY=twilio)');
  if (!config.REDIS_URL || !config.DATABASE_URL || !config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN || !config.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  a worker needs DATABASE_URL, REDIS_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and PUBLIC_URL (the web nodes\' URL); without Redis, `npm start` runs the jobs itself');
  }
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

// The same logger setup as the web nodes: PII scrubbed, the job's request id on its lines.
const log = createLogger(config, { name: 'worker' });
const db = createDb(config);
const jobs = createBullmqJobs({ redisUrl: config.REDIS_URL!, prefix: `${config.REDIS_PREFIX}:bull`, log, consume: true, stalledMs: config.JOBS_STALLED_MS });
const rest = createTwilioRest({ accountSid: config.TWILIO_ACCOUNT_SID!, authToken: config.TWILIO_AUTH_TOKEN!, apiBase: config.TWILIO_API_BASE, ...restPolicy(config, log) });
const publicUrl = config.PUBLIC_URL!.replace(/\/$/, '');
// A worker only dials: pacing and Twilio's webhooks about the calls are the web nodes' (who also tell the agents).
const tiers = createTiersService(loadTierModel(config.TIER_MODEL_FILE));
const dialJob = createDialJob({
  db, log, customers: createCustomersService({ db, tiers }),
  notify: () => undefined,
  line: () => createOutboundLine({ rest: () => rest, voiceUrl: () => `${publicUrl}/twilio/voice` }),
  maxDialsPerDay: config.CAMPAIGN_MAX_DIALS_PER_DAY,
});
jobs.define<{ attempt_id: string }>(DIAL_JOB, (job) => dialJob.dial(job.attempt_id), { concurrency: 4 });
const feeds = createFeedsService({ db, tiers, pins: createPinsService({ db }), inboxDir: config.FEED_INBOX_DIR });
jobs.define<ScheduledRun>(FEED_JOB, async (run) => { await feeds.runScheduled(run); }, { concurrency: 1 });
log.info('worker: taking campaign dial and scheduled feed jobs');

closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: { error: (m: unknown) => log.error(m) } }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'closing after an uncaught error');
  else log.info(`${signal ?? 'exit'}: closing`);
  await jobs.close();
  await db.destroy();
});
