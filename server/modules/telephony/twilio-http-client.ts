import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * The SDK's own RequestClient with one change: requests for any *.twilio.com host go to `baseUrl`
 * (path and query kept). Form encoding, Basic auth and response parsing stay the SDK's, so code
 * that runs against the simulator is the code that runs against Twilio.
 */
export class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: () => string, opts?: RequestClient.RequestClientOptions) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    const target = /(^|\.)twilio\.com$/.test(uri.hostname) ? `${this.baseUrl().replace(/\/$/, '')}${uri.pathname}${uri.search}` : opts.uri;
    return super.request<TData>({ ...opts, uri: target });
  }
}

/** Pass as `twilio(accountSid, authToken, { httpClient })`; `baseUrl` may be a function when the port is known later. */
export function createRedirectingHttpClient(baseUrl: string | (() => string), opts?: RequestClient.RequestClientOptions): RedirectingRequestClient {
  return new RedirectingRequestClient(typeof baseUrl === 'string' ? () => baseUrl : baseUrl, opts);
}
