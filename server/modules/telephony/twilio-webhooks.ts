import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { appError } from '../../errors.js';

// The simulator parses Twilio's forms the same way: one parser, repeated keys as arrays.
import { parseForm, type FormParams } from '../../lib/form.js';

/**
 * Accepts Twilio's form-encoded webhooks on this (encapsulated) plugin only, and refuses any whose
 * X-Twilio-Signature does not match. The check runs before schema validation, on the parameters
 * exactly as Twilio sent them, against the public URL Twilio called (not the socket's address,
 * which behind a proxy or TLS terminator is another URL).
 */
export function acceptTwilioWebhooks(app: FastifyInstance, opts: { authToken: () => string; publicUrl: () => string }): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(body as string)));
  // Twilio posts forms: any other body (JSON, a CSV) is refused before it is parsed or signature-checked.
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const type = request.headers['content-type'];
    if (type !== undefined && !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) throw appError('SB_ERR_REQUEST_UNSUPPORTED_MEDIA', 'Twilio webhooks are form-encoded (application/x-www-form-urlencoded)');
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const signature = request.headers['x-twilio-signature'];
    const url = opts.publicUrl() + request.url;
    const params = (request.body ?? {}) as FormParams;
    if (typeof signature !== 'string' || !twilio.validateRequest(opts.authToken(), signature, url, params)) {
      request.log.warn({ url: request.url, call_sid: typeof params.CallSid === 'string' ? params.CallSid : undefined }, 'Twilio webhook refused: bad or missing signature');
      throw appError('SB_ERR_TWILIO_SIGNATURE_INVALID');
    }
  });
}

/**
 * The key under which a webhook's reply is kept: an HMAC of the URL and parameters, which are what
 * Twilio signs, so a retry (same URL, same parameters) finds it and nobody can mint a fresh key
 * for a signed request. Twilio's I-Twilio-Idempotency-Token is not signed, so it is not used. An
 * HMAC, not a plain hash, because the parameters can hold a PIN and six digits are easily tried.
 */
export function replayKey(request: FastifyRequest, secret: string): string {
  const params = (request.body ?? {}) as FormParams;
  const canonical = Object.keys(params).sort().map((k) => `${k}=${String(params[k])}`).join('&');
  return `mac:${createHmac('sha256', secret).update(`${request.url}\n${canonical}`).digest('base64url')}`;
}
