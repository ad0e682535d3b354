import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type, type Static } from 'typebox';
import { formatTranscript, runScript } from '../../simulator/script.js';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import type { Config } from '../config.js';
import { appError } from '../errors.js';
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

const PhoneScript = Type.Object({
  from: Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' }),
  to: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })),
  presses: Type.Array(Type.String({ pattern: '^[0-9*#]{1,32}$' }), { maxItems: 50 }),
});

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
      // The demo phone: `npm run call` asks a running demo server to place a scripted call. It
      // exists only with the simulator (no Twilio account), where every call is make-believe.
      app.post(`${EMBEDDED_SIMULATOR_PREFIX}/phone/script`, {
        schema: {
          tags: ['simulator'], summary: 'Demo only: place a scripted call on the simulator and return its transcript', body: PhoneScript,
        },
      }, async (request) => {
        // It needs no login, so only a caller on this machine (npm run call) may use it.
        if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.ip)) throw appError('SB_ERR_AUTH_FORBIDDEN', 'The demo phone answers only on this machine');
        const body = request.body as Static<typeof PhoneScript>;
        const to = body.to ?? [...hotlines.keys()][0]!;
        if (!hotlines.has(to)) throw appError('SB_ERR_REQUEST_INVALID', `${to} is not a hotline number (${[...hotlines.keys()].join(', ')})`);
        const entries = await runScript(sim, { from: body.from, to, presses: body.presses, maxCallMs: 60_000 });
        return { transcript: formatTranscript(entries) };
      });
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
