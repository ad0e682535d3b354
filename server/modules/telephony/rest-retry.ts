/**
 * Retries of Twilio REST requests on a call's path. A caller on hold must not be lost to one
 * failed request: a 5xx, a 429, a timeout or a dropped connection is tried again with backoff
 * until the budget runs out. What may be retried depends on whether a repeat could do the thing
 * twice: an update (redirect, hang up, hold, end a conference) is idempotent and is retried on
 * every such failure; a create (a call, a conference participant) only when Twilio surely did not
 * act on the first request (429, 503, or the connection was never made), since Twilio has no
 * idempotency key for these and a repeat after a lost answer would ring someone twice.
 */
export type RetryKind = 'update' | 'create';

export interface RetryPolicy {
  /** How long, in all, a request keeps being retried (0: never). */
  budgetMs: number;
  /** The first wait; doubled each time up to `maxDelayMs`, with jitter. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

// Connection never made: nothing reached Twilio.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// Made, then lost or timed out: Twilio may have acted.
const LOST = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ESOCKETTIMEDOUT']);

/** Whether `err` (from the Twilio SDK: a RestException with `status`, or a network error with `code`) is worth another try. */
export function retryable(err: unknown, kind: RetryKind): boolean {
  const { status, code } = (err ?? {}) as { status?: unknown; code?: unknown };
  if (typeof status === 'number') {
    if (status === 429 || status === 503) return true;
    return kind === 'update' && status >= 500;
  }
  if (typeof code !== 'string') return false;
  if (NOT_SENT.has(code)) return true;
  return kind === 'update' && LOST.has(code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `request`, retrying as `retryable` allows within the policy's budget; the last error is thrown. */
export async function withRetry<T>(policy: RetryPolicy, kind: RetryKind, request: () => Promise<T>, onRetry?: (err: unknown, attempt: number) => void): Promise<T> {
  const deadline = Date.now() + policy.budgetMs;
  const first = policy.firstDelayMs ?? 200;
  const max = policy.maxDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      const wait = Math.min(max, first * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (!retryable(err, kind) || Date.now() + wait > deadline) throw err;
      onRetry?.(err, attempt);
      await sleep(wait);
    }
  }
}
