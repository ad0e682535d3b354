import twilio from 'twilio';
import type { Exchange, FormParams } from './types.js';
import { encodeForm, isSecretUrl, newIdempotencyToken } from './util.js';

export interface WebhookResult { status: number; body: string; error?: string }

export interface WebhookSender {
  send(url: string, params: FormParams, opts?: { method?: string; callSid?: string }): Promise<WebhookResult>;
}

/** Twilio's budget for one webhook (connect + response); a stuck test server must not hang the call forever. */
const WEBHOOK_TIMEOUT_MS = 15_000;
const RETRY_PAUSE_MS = 500;

/**
 * Sends webhooks the way Twilio does: form POST (or GET with the parameters in the query string),
 * signed with X-Twilio-Signature over the exact URL requested, and retried once on a connection
 * failure with the same I-Twilio-Idempotency-Token, so receivers can de-duplicate.
 */
export function createWebhookSender(deps: { authToken: string; exchanges: Exchange[]; log: (line: string) => void; isClosed: () => boolean }): WebhookSender {
  async function attempt(method: string, url: string, params: FormParams, headers: Record<string, string>): Promise<WebhookResult> {
    const signedUrl = method === 'GET' ? appendQuery(url, params) : url;
    const signature = twilio.getExpectedTwilioSignature(deps.authToken, signedUrl, method === 'GET' ? {} : (params as Record<string, string>));
    const init: RequestInit = {
      method,
      headers: { ...headers, 'X-Twilio-Signature': signature },
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      ...(method === 'GET' ? {} : { body: encodeForm(params) }),
    };
    const response = await fetch(signedUrl, init);
    return { status: response.status, body: await response.text() };
  }

  return {
    async send(rawUrl, params, opts = {}) {
      const method = (opts.method ?? 'POST').toUpperCase() === 'GET' ? 'GET' : 'POST';
      // Twilio's per-URL overrides (#rc=2 …) ride in the fragment, which is never sent.
      const url = rawUrl.replace(/#.*$/, '');
      const headers: Record<string, string> = {
        'I-Twilio-Idempotency-Token': newIdempotencyToken(),
        'User-Agent': 'TwilioProxy/1.1',
        Accept: '*/*',
        ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
      };
      let result: WebhookResult | undefined;
      for (let tries = 0; tries < 2 && !result && !deps.isClosed(); tries++) {
        // The retry waits a moment, as a new request would: a pooled keep-alive connection to a node
        // that just died is gone by then, so the retry finds a live one behind the balancer.
        if (tries > 0) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
        try {
          result = await attempt(method, url, params, headers);
        } catch (err) {
          deps.log(`webhook ${method} ${url} failed (${(err as Error).message})${tries === 0 ? ', retrying once' : ''}`);
          if (tries === 1) result = { status: 0, body: '', error: (err as Error).message };
        }
      }
      result ??= { status: 0, body: '', error: 'simulator closed' };
      // The keys of a secret gather (a PIN) are sent, never kept.
      const { Digits: _secret, ...rest } = params;
      const secret = isSecretUrl(url) && _secret !== undefined;
      deps.exchanges.push({
        kind: 'webhook', method, url, params: secret ? rest : params, headers, status: result.status, body: result.body,
        ...(opts.callSid ? { callSid: opts.callSid } : {}), ...(secret ? { redacted: ['Digits'] } : {}),
      });
      deps.log(`webhook ${method} ${url} -> ${result.status}`);
      return result;
    },
  };
}

function appendQuery(url: string, params: FormParams): string {
  const query = encodeForm(params);
  if (!query) return url;
  return url + (url.includes('?') ? '&' : '?') + query;
}
