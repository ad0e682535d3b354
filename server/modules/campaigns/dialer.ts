import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import type { Notice } from '../../lib/realtime-notices.js';
import type { JobsPort } from '../../plugins/jobs.js';
import type { CallsService } from '../calls/calls-service.js';
import type { OutboundLine } from '../calls/outbound.js';
import type { CustomersService } from '../customers/customers-service.js';
import type { RoutingService } from '../routing/routing-service.js';
import { releasePreview } from './attempts.js';
import { createCampaignCalls } from './campaign-calls.js';
import { createDialJob } from './dial-job.js';
import { createPacer } from './pacer.js';

export interface DialerDeps {
  db: Knex;
  jobs: JobsPort;
  customers: Pick<CustomersService, 'dialFacts'>;
  calls: Pick<CallsService, 'openOutbound' | 'openOutboundCall'>;
  routing: Pick<RoutingService, 'assign'>;
  line: () => OutboundLine;
  notify: (notices: Notice[]) => void;
  log: FastifyBaseLogger;
  connectSeconds: number;
  maxDialsPerDay: number;
  lostAfterSeconds: number;
  bankName: { zh: string; en: string };
  now?: () => Date;
}

/**
 * The outbound dialer of a web node, in three parts: pacing (pacer.ts) plans attempts and sweeps,
 * each attempt's dial job (dial-job.ts) checks compliance and places the call, and the campaign's
 * calls (campaign-calls.ts) take Twilio's answers and statuses and the agent's disposition. A
 * worker process runs dial jobs only, and builds just that part.
 */
export function createDialer(deps: DialerDeps) {
  const calls = createCampaignCalls(deps);
  const { dial } = createDialJob(deps);
  const { pace } = createPacer({ ...deps, statusChanged: calls.statusChanged });
  return { ...calls, dial, pace, releasePreview };
}

export type Dialer = ReturnType<typeof createDialer>;
