import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
// Only the type: the simulator itself is loaded on demand, in simulator mode (server/demo).
import type { Simulator } from '../../simulator/simulator.js';
import type { Config } from '../config.js';
import { createTwilioRest, restPolicy, type TwilioRest } from '../modules/telephony/twilio-rest.js';

export interface Telephony {
  rest: TwilioRest;
  accountSid: string;
  authToken: string;
  /** The URL Twilio reaches us at: PUBLIC_URL, or this process's own address. */
  publicUrl: () => string;
  /** DNIS -> IVR flow id. */
  hotlines: ReadonlyMap<string, string>;
  /** The built-in Twilio simulator, present in simulator mode (the demo) only. */
  simulator: Simulator | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    telephony: Telephony;
  }
}

export function parseHotlines(spec: string): Map<string, string> {
  return new Map(spec.split(',').map((pair) => pair.split('=') as [string, string]));
}

/**
 * Twilio, or the built-in simulator in its place, as TELEPHONY says. With `twilio` the REST client
 * talks to Twilio (or TWILIO_API_BASE); with `simulator` the simulator is mounted on this server,
 * plays Twilio for the hotline numbers, and the same REST client and webhooks run against it.
 */
export const telephonyPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    const { config } = opts;
    const publicUrl = () => {
      if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/$/, '');
      const address = app.server.address() as AddressInfo | null;
      const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
      return `http://${host}:${address?.port ?? config.PORT}`;
    };
    const hotlines = parseHotlines(config.HOTLINE_NUMBERS);

    let simulator: Simulator | null = null;
    let creds: { accountSid: string; authToken: string; apiBase?: string | (() => string) };
    if (config.TELEPHONY === 'twilio') {
      if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN) throw new Error('TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
      creds = { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, apiBase: config.TWILIO_API_BASE };
    } else {
      if (config.TELEPHONY !== 'simulator') throw new Error('TELEPHONY must be set (loadConfig sets it)');
      const { mountEmbeddedSimulator } = await import('../demo/embedded-simulator.js');
      const embedded = await mountEmbeddedSimulator(app, { hotlines, publicUrl });
      simulator = embedded.simulator;
      creds = embedded;
    }
    const rest = createTwilioRest({ ...creds, ...restPolicy(config, app.log) });
    app.decorate('telephony', { rest, accountSid: creds.accountSid, authToken: creds.authToken, publicUrl, hotlines, simulator });
  },
  { name: 'telephony' },
);
