import { Queue, Worker } from 'bullmq';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { currentRequestId, workContext } from '../lib/logger.js';

export interface JobOptions {
  /** Deduplicates: while a job with this id is waiting, delayed, retrying or running, adding it again is a no-op. */
  jobId?: string;
  delayMs?: number;
  /** Runs in total, first one included (default 3). */
  attempts?: number;
  /** Fixed wait between a failed run and the next one (default 1000). */
  backoffMs?: number;
}
export type JobHandler<T> = (data: T, info: { attempt: number; id: string }) => Promise<void>;
export interface JobsPort {
  /** Registers the handler for `name` (a queue). With `consume: false` this process only adds jobs. */
  define<T>(name: string, handler: JobHandler<T>, opts?: { concurrency?: number }): void;
  /** Adds a job; a jobId that is already waiting, delayed or running is not added twice. */
  add<T>(name: string, data: T, opts?: JobOptions): Promise<void>;
  /** Stops taking jobs, waits for the ones running, closes connections. */
  close(): Promise<void>;
  /** Jobs of each defined queue not yet finished, by state (the metrics' job queue depth). */
  depth(): Promise<{ queue: string; waiting: number; delayed: number; active: number }[]>;
  readonly driver: 'bullmq' | 'in-process';
}
export type JobsLog = Pick<FastifyBaseLogger, 'warn' | 'error'>;

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobsPort;
  }
}

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 1000;

// BullMQ rejects these; the in-process driver checks the same so embedded mode fails like production would.
function checkNames(name: string, jobId: string | undefined): void {
  if (!name || name.includes(':')) throw new Error(`job name must be non-empty without ':' (got '${name}')`);
  if (jobId !== undefined && (jobId.includes(':') || `${parseInt(jobId, 10)}` === jobId)) {
    throw new Error(`jobId must not be an integer nor contain ':' (got '${jobId}')`);
  }
}

// During an outage every connection reports each reconnect attempt: one line per source per minute is enough.
function throttledWarn(log: JobsLog, msg: string, fields: object): (err: Error) => void {
  let last = 0;
  return (err) => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    log.warn({ ...fields, err: err.message }, msg);
  };
}

function logFailure(log: JobsLog, name: string, id: string, attempt: number, attempts: number, err: unknown): void {
  if (attempt < attempts) log.warn({ err, job: name, id, attempt }, 'job failed, will retry');
  else log.error({ err, job: name, id, attempt }, 'job failed, giving up');
}

// A job carries the id of the request that added it, so its log lines name that request.
const REQ_ID_KEY = '__req_id';
function withRequestId<T>(data: T): T {
  const reqId = currentRequestId();
  return reqId && data && typeof data === 'object' && !Array.isArray(data) ? { ...data, [REQ_ID_KEY]: reqId } : data;
}
function runInJobContext<T>(data: T, fallbackId: string, run: (data: T) => Promise<void>): Promise<void> {
  let reqId = fallbackId;
  if (data && typeof data === 'object' && REQ_ID_KEY in data) {
    const { [REQ_ID_KEY]: carried, ...rest } = data as Record<string, unknown>;
    reqId = String(carried);
    data = rest as T;
  }
  return workContext.run({ reqId }, () => run(data));
}

/** Jobs on Redis: survive restarts, shared by every node with the same prefix. Queue name = job name. */
/** `stalledMs`: a running job whose worker stopped renewing its lock this long ago (it died) is run again. */
export function createBullmqJobs(o: { redisUrl: string; prefix: string; log: JobsLog; consume: boolean; stalledMs?: number }): JobsPort {
  // Producer: fail fast while Redis is unreachable, so a request that adds a job errors instead of hanging.
  const producer = new Redis(o.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  producer.on('error', throttledWarn(o.log, 'jobs: redis error', {}));
  // Workers never use this client: BullMQ duplicates it (blocking reads need maxRetriesPerRequest: null),
  // so it stays lazy and never opens a socket of its own.
  const consumer = new Redis(o.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  const queues = new Map<string, Queue>();
  const workers = new Map<string, Worker>();
  const defined = new Set<string>();
  let closing: Promise<void> | undefined;

  const queueFor = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: producer, prefix: o.prefix });
      queue.on('error', throttledWarn(o.log, 'jobs: queue error', { job: name }));
      queues.set(name, queue);
    }
    return queue;
  };

  return {
    driver: 'bullmq',
    define<T>(name: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}) {
      checkNames(name, undefined);
      if (defined.has(name)) throw new Error(`job '${name}' already has a handler`);
      defined.add(name);
      if (!o.consume) return;
      const worker = new Worker(
        name,
        async (job) => runInJobContext(job.data as T, `job:${name}:${job.id ?? ''}`, (data) => handler(data, { attempt: job.attemptsMade + 1, id: job.id ?? '' })),
        {
          connection: consumer, prefix: o.prefix, concurrency: opts.concurrency ?? 1,
          ...(o.stalledMs ? { lockDuration: o.stalledMs, stalledInterval: o.stalledMs } : {}),
        },
      );
      worker.on('failed', (job, err) => {
        if (job) logFailure(o.log, name, job.id ?? '', job.attemptsMade, job.opts.attempts ?? 1, err);
      });
      // Connection errors: logged; BullMQ reconnects on its own.
      worker.on('error', throttledWarn(o.log, 'jobs: worker error', { job: name }));
      workers.set(name, worker);
    },
    async add<T>(name: string, data: T, opts: JobOptions = {}) {
      checkNames(name, opts.jobId);
      if (closing) throw new Error('jobs: closed');
      const queue = queueFor(name);
      if (opts.jobId !== undefined && (await queue.getJobState(opts.jobId)) === 'failed') {
        // Failed jobs are kept a day for inspection, but must not block the same jobId from being added again.
        await queue.remove(opts.jobId);
      }
      await queue.add(name, withRequestId(data), {
        jobId: opts.jobId,
        delay: opts.delayMs,
        attempts: opts.attempts ?? DEFAULT_ATTEMPTS,
        backoff: { type: 'fixed', delay: opts.backoffMs ?? DEFAULT_BACKOFF_MS },
        // Completed jobs go away so the same jobId can be added again later.
        removeOnComplete: true,
        removeOnFail: { age: 86_400 },
      });
    },
    async depth() {
      return Promise.all([...defined].map(async (name) => {
        const c = await queueFor(name).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
        return { queue: name, waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), delayed: c.delayed ?? 0, active: c.active ?? 0 };
      }));
    },
    close() {
      // Workers first: Worker.close() stops fetching and waits for the jobs it is running.
      closing ??= (async () => {
        await Promise.all([...workers.values()].map((w) => w.close()));
        await Promise.all([...queues.values()].map((q) => q.close()));
        producer.disconnect();
        consumer.disconnect();
      })();
      return closing;
    },
  };
}

interface PendingJob {
  name: string;
  id: string;
  data: unknown;
  attempt: number;
  attempts: number;
  backoffMs: number;
}
interface Lane {
  handler?: JobHandler<unknown>;
  concurrency: number;
  running: number;
  due: PendingJob[];
  /** Jobs waiting out their delay or a retry's backoff. */
  delayed: number;
  /** Ids of jobs waiting, delayed or running: the dedupe set. */
  ids: Set<string>;
}

/**
 * Jobs in this process's memory, for the embedded `npm start` without Redis: same semantics as BullMQ,
 * but pending jobs are lost when the process stops.
 */
export function createInProcessJobs(o: { log: JobsLog }): JobsPort {
  const lanes = new Map<string, Lane>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let seq = 0;
  let closed = false;

  const laneFor = (name: string): Lane => {
    let lane = lanes.get(name);
    if (!lane) {
      lane = { concurrency: 1, running: 0, due: [], delayed: 0, ids: new Set() };
      lanes.set(name, lane);
    }
    return lane;
  };

  const schedule = (job: PendingJob, delayMs: number): void => {
    if (delayMs <= 0) {
      laneFor(job.name).due.push(job);
      pump(job.name);
      return;
    }
    laneFor(job.name).delayed++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      laneFor(job.name).delayed--;
      laneFor(job.name).due.push(job);
      pump(job.name);
    }, delayMs);
    // A delayed job must not keep the process alive (BullMQ's would wait in Redis).
    timer.unref();
    timers.add(timer);
  };

  const run = async (lane: Lane, handler: JobHandler<unknown>, job: PendingJob): Promise<void> => {
    try {
      await runInJobContext(job.data, `job:${job.name}:${job.id}`, (data) => handler(data, { attempt: job.attempt, id: job.id }));
      lane.ids.delete(job.id);
    } catch (err) {
      logFailure(o.log, job.name, job.id, job.attempt, job.attempts, err);
      // After close() a retry would never run: drop it like the other pending jobs.
      if (job.attempt < job.attempts && !closed) schedule({ ...job, attempt: job.attempt + 1 }, job.backoffMs);
      else lane.ids.delete(job.id);
    }
  };

  function pump(name: string): void {
    const lane = laneFor(name);
    while (!closed && lane.handler && lane.running < lane.concurrency && lane.due.length > 0) {
      const job = lane.due.shift() as PendingJob;
      lane.running++;
      const p: Promise<void> = run(lane, lane.handler, job).finally(() => {
        lane.running--;
        running.delete(p);
        pump(name);
      });
      running.add(p);
    }
  }

  return {
    driver: 'in-process',
    define<T>(name: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}) {
      checkNames(name, undefined);
      const lane = laneFor(name);
      if (lane.handler) throw new Error(`job '${name}' already has a handler`);
      lane.handler = handler as JobHandler<unknown>;
      lane.concurrency = opts.concurrency ?? 1;
      pump(name); // jobs added before the handler existed
    },
    async add<T>(name: string, data: T, opts: JobOptions = {}) {
      checkNames(name, opts.jobId);
      if (closed) throw new Error('jobs: closed');
      const lane = laneFor(name);
      // Integer ids like BullMQ's own; a custom jobId may not be an integer, so the two never collide.
      const id = opts.jobId ?? `${++seq}`;
      if (lane.ids.has(id)) return;
      lane.ids.add(id);
      const attempts = opts.attempts ?? DEFAULT_ATTEMPTS;
      schedule({ name, id, data: withRequestId(data), attempt: 1, attempts, backoffMs: opts.backoffMs ?? DEFAULT_BACKOFF_MS }, opts.delayMs ?? 0);
    },
    async depth() {
      return [...lanes].filter(([, lane]) => lane.handler).map(([queue, lane]) => ({ queue, waiting: lane.due.length, delayed: lane.delayed, active: lane.running }));
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // run() never rejects; a second close() simply waits for the same running jobs.
      await Promise.all([...running]);
    },
  };
}

/**
 * app.jobs: BullMQ when REDIS_URL is set, in-process otherwise (the embedded `npm start`).
 * `consume: false` (BullMQ only) makes a node that adds jobs but leaves running them to the workers.
 */
export const jobsPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config; consume?: boolean }) => {
    const { REDIS_URL, REDIS_PREFIX, JOBS_STALLED_MS } = opts.config;
    const port = REDIS_URL
      ? createBullmqJobs({ redisUrl: REDIS_URL, prefix: `${REDIS_PREFIX}:bull`, log: app.log, consume: opts.consume ?? true, stalledMs: JOBS_STALLED_MS })
      : createInProcessJobs({ log: app.log });
    app.decorate('jobs', port);
    app.addHook('onClose', async () => port.close());
  },
  { name: 'jobs' },
);
