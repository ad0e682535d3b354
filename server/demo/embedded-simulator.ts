import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import { demoPhoneRoutes } from './demo-phone.js';

/** Where the built-in simulator's REST API is mounted in the demo (TELEPHONY=simulator). */
export const EMBEDDED_SIMULATOR_PREFIX = '/twilio-sim';
// A well-formed but unassigned account SID: the embedded simulator's, never a real account's.
const EMBEDDED_ACCOUNT_SID = `AC${'5b'.repeat(16)}`;

/**
 * The demo's Twilio: the simulator mounted on this server, playing Twilio for the hotline numbers,
 * with the demo phone beside it. The only place the server loads `simulator/`, and only in
 * simulator mode (the telephony plugin imports this module on demand).
 */
export async function mountEmbeddedSimulator(app: FastifyInstance, opts: { hotlines: ReadonlyMap<string, string>; publicUrl: () => string }): Promise<{ simulator: Simulator; accountSid: string; authToken: string; apiBase: () => string }> {
  const { hotlines, publicUrl } = opts;
  const authToken = randomBytes(16).toString('hex');
  // No log hook: the simulator's lines include the keys a caller pressed, PINs among them.
  const simulator = createSimulator({ accountSid: EMBEDDED_ACCOUNT_SID, authToken, numbers: {} });
  await app.register(simulator.routes, { prefix: EMBEDDED_SIMULATOR_PREFIX });
  await app.register(demoPhoneRoutes, { prefix: `${EMBEDDED_SIMULATOR_PREFIX}/phone`, sim: simulator, hotlines });
  // The hotline numbers point at this server, whose address is known once it listens.
  app.addHook('onListen', async () => {
    for (const number of hotlines.keys()) {
      simulator.setNumber(number, { voiceUrl: `${publicUrl()}/twilio/voice/incoming`, statusCallback: `${publicUrl()}/twilio/voice/status` });
    }
  });
  app.addHook('onClose', async () => simulator.close());
  return { simulator, accountSid: EMBEDDED_ACCOUNT_SID, authToken, apiBase: () => `${publicUrl()}${EMBEDDED_SIMULATOR_PREFIX}` };
}
