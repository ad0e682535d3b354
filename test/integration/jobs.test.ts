import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBullmqJobs, createInProcessJobs, type JobsLog, type JobsPort } from '../../server/plugins/jobs.js';

// CI's REDIS_URL, or the local default (as test/helpers/databases.ts does for PostgreSQL).
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// This file's own keyspace: parallel test files and earlier runs never see these jobs.
const PREFIX = `test-jobs-${randomUUID().slice(0, 8)}:bull`;

const drivers: { driver: JobsPort['driver']; make: (log: JobsLog) => JobsPort }[] = [
  { driver: 'bullmq', make: (log) => createBullmqJobs({ redisUrl: REDIS_URL, prefix: PREFIX, log, consume: true }) },
  { driver: 'in-process', make: (log) => createInProcessJobs({ log }) },
];

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Run = { id: string; attempt: number; data: { n: number; fail?: boolean } };
let queueSeq = 0;

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: `${PREFIX}:*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
});

describe.each(drivers)('jobs port, $driver driver', ({ driver, make }) => {
  let jobs: JobsPort;
  let log: { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> };
  let name: string;
  let runs: Run[];
  const recorder = (data: Run['data'], info: { id: string; attempt: number }) => {
    runs.push({ ...info, data });
    if (data.fail) throw new Error(`job ${data.n} fails`);
    return Promise.resolve();
  };

  beforeEach(() => {
    log = { warn: vi.fn(), error: vi.fn() };
    jobs = make(log as unknown as JobsLog);
    // A queue per test: a leftover retry of one test can never run in the next.
    name = `jobs-test-${++queueSeq}`;
    runs = [];
  });
  afterEach(() => jobs.close());

  it('runs a job with its data', async () => {
    expect(jobs.driver).toBe(driver);
    jobs.define(name, recorder);
    await jobs.add(name, { n: 1 }, { jobId: 'one' });
    await until(() => runs.length === 1, 'the job');
    expect(runs).toEqual([{ id: 'one', attempt: 1, data: { n: 1 } }]);
  });

  it('runs a jobId once while it is pending or running, and again once it completed', async () => {
    // Pending: added before any handler exists, so both adds find the first one waiting.
    await jobs.add(name, { n: 1 }, { jobId: 'dup' });
    await jobs.add(name, { n: 2 }, { jobId: 'dup' });
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    jobs.define<Run['data']>(name, async (data, info) => {
      runs.push({ ...info, data });
      if (data.n === 1) await gate;
    });
    await until(() => runs.length === 1, 'the first job to start');
    // Running: still the same job.
    await jobs.add(name, { n: 3 }, { jobId: 'dup' });
    release();
    // Concurrency 1 and FIFO: once this one has run, anything added before it has run too.
    await jobs.add(name, { n: 4 }, { jobId: 'after' });
    await until(() => runs.some((r) => r.id === 'after'), 'the later job');
    expect(runs.map((r) => r.data.n)).toEqual([1, 4]);

    await jobs.add(name, { n: 5 }, { jobId: 'dup' });
    await until(() => runs.length === 3, 'the re-added job');
    expect(runs[2]).toEqual({ id: 'dup', attempt: 1, data: { n: 5 } });
  });

  it('does not run a delayed job before its delay', async () => {
    jobs.define(name, recorder);
    const added = Date.now();
    await jobs.add(name, { n: 1 }, { delayMs: 800 });
    await until(() => runs.length === 1, 'the delayed job');
    // Generous margin: proves "not before the delay", says nothing about how soon after.
    expect(Date.now() - added).toBeGreaterThanOrEqual(750);
  });

  it('retries a failing job with increasing attempt numbers, then gives up after `attempts`', async () => {
    jobs.define(name, recorder);
    await jobs.add(name, { n: 1, fail: true }, { jobId: 'flaky', attempts: 3, backoffMs: 100 });
    await until(() => log.error.mock.calls.length === 1, 'the job to be given up');
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(log.warn.mock.calls.map(([fields]) => fields)).toEqual([
      expect.objectContaining({ job: name, id: 'flaky', attempt: 1 }),
      expect.objectContaining({ job: name, id: 'flaky', attempt: 2 }),
    ]);
    expect(log.error.mock.calls[0]?.[0]).toMatchObject({ job: name, id: 'flaky', attempt: 3 });

    // No fourth attempt, and the failed jobId can be added again: this run comes after any retry would.
    await jobs.add(name, { n: 2 }, { jobId: 'flaky' });
    await until(() => runs.length === 4, 'the re-added job');
    expect(runs.map((r) => [r.data.n, r.attempt])).toEqual([[1, 1], [1, 2], [1, 3], [2, 1]]);
  });

  it('close() waits for a running job to finish', async () => {
    let finished = false;
    jobs.define(name, async () => {
      runs.push({ id: '', attempt: 1, data: { n: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    await jobs.add(name, { n: 1 });
    await until(() => runs.length === 1, 'the job to start');
    await jobs.close();
    expect(finished).toBe(true);
  });
});
