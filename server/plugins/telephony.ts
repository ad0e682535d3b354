import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import type { Config } from '../config.js';
import { demoPhoneRoutes } from '../modules/telephony/demo-phone.js';
import { createTwilioRest, type TwilioRest } from '../modules/telephony/twilio-rest.js';

/** Where the built-in simulator's REST API is mounted when no Twilio account is configured. */
export const EMBEDDED_SIMULATOR_PREFIX = '/twilio-sim';
// A well-formed but unassigned account SID: the embedded simulator's, never a real account's.
const EMBEDDED_ACCOUNT_SID = `AC${'5b'.repeat(16)}`;

export interface Telephony {
  rest: TwilioRest;
  accountSid: string;
  authToken: string;
  /** The URL Twilio reaches us at: PUBLIC_URL, or this process's own address. */
  publicUrl: () => string;
  /** DNIS -> IVR flow id. */
  hotlines: ReadonlyMap<string, string>;
  /** The built-in Twilio simulator, present when no Twilio account is configured. */
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
 * Twilio, or the built-in simulator in its place. With TWILIO_ACCOUNT_SID the REST client talks to
 * Twilio (or TWILIO_API_BASE); without it, the simulator is mounted on this server, plays Twilio
 * for the hotline numbers, and the same REST client and webhooks run against it.
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
    if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN) {
      creds = { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, apiBase: config.TWILIO_API_BASE };
    } else {
      creds = { accountSid: EMBEDDED_ACCOUNT_SID, authToken: randomBytes(16).toString('hex'), apiBase: () => `${publicUrl()}${EMBEDDED_SIMULATOR_PREFIX}` };
      // No log hook: the simulator's lines include the keys a caller pressed, PINs among them.
      simulator = createSimulator({ accountSid: creds.accountSid, authToken: creds.authToken, numbers: {} });
      await app.register(simulator.routes, { prefix: EMBEDDED_SIMULATOR_PREFIX });
      const sim = simulator;
      await app.register(demoPhoneRoutes, { prefix: `${EMBEDDED_SIMULATOR_PREFIX}/phone`, sim, hotlines });
      // The hotline numbers point at this server, whose address is known once it listens.
      app.addHook('onListen', async () => {
        for (const number of hotlines.keys()) {
          sim.setNumber(number, { voiceUrl: `${publicUrl()}/twilio/voice/incoming`, statusCallback: `${publicUrl()}/twilio/voice/status` });
        }
      });
      app.addHook('onClose', async () => sim.close());
    }
    const rest = createTwilioRest(creds);
    app.decorate('telephony', { rest, accountSid: creds.accountSid, authToken: creds.authToken, publicUrl, hotlines, simulator });
  },
  { name: 'telephony' },
);
