import type { Recogniser } from '../../server/modules/talk/recogniser.js';
import { randomBytes } from 'node:crypto';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import { startTestApp, type TestApp } from './test-app.js';

export const HOTLINE = '+864008895555';
export const LOST_CARD_LINE = '+864008895556';

export interface Hotline extends TestApp {
  sim: Simulator;
  /** The app's public base URL (what Twilio, here the simulator, calls). */
  url: string;
  accountSid: string;
  authToken: string;
}

/**
 * The real app listening on a port, wired to a Twilio simulator running as its own HTTP server:
 * the simulator rings the app's webhooks with signed requests and the app's Twilio client calls
 * the simulator's REST API. Nothing of ours is mocked.
 */
export async function startHotline(env: Record<string, string> = {}, opts: { now?: () => Date; logStream?: NodeJS.WritableStream; recogniser?: Recogniser } = {}): Promise<Hotline> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const sim = createSimulator({ accountSid, authToken, numbers: {}, timeScale: 0.001 });
  const simUrl = await sim.listen();
  const t = await startTestApp({ TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_BASE: simUrl, ...env }, { listen: true, now: opts.now, logStream: opts.logStream, recogniser: opts.recogniser });
  const url = t.app.telephony.publicUrl();
  for (const number of [HOTLINE, LOST_CARD_LINE]) {
    sim.setNumber(number, { voiceUrl: `${url}/twilio/voice/incoming`, statusCallback: `${url}/twilio/voice/status`, statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] });
  }
  return {
    ...t, sim, url, accountSid, authToken,
    close: async () => {
      await sim.close();
      await t.close();
    },
  };
}

/**
 * A second server node on the same database, Redis and Twilio account: what a load balancer
 * would put beside the first. Route the hotline's webhooks to it with `sim.setNumber`.
 */
export async function startSecondNode(h: Hotline, env: Record<string, string> = {}, opts: { now?: () => Date } = {}): Promise<TestApp & { url: string }> {
  const simUrl = h.config.TWILIO_API_BASE!;
  const t = await startTestApp({ TWILIO_ACCOUNT_SID: h.accountSid, TWILIO_AUTH_TOKEN: h.authToken, TWILIO_API_BASE: simUrl, ...env }, { listen: true, now: opts.now, database: h.database });
  return { ...t, url: t.app.telephony.publicUrl() };
}

/** Points the hotline number's webhooks at one node. */
export function routeHotlineTo(h: Hotline, url: string): void {
  h.sim.setNumber(HOTLINE, { voiceUrl: `${url}/twilio/voice/incoming`, statusCallback: `${url}/twilio/voice/status`, statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] });
}

/** The interaction of a call and its timeline, read straight from the database. */
export async function timelineOf(t: TestApp, callSid: string) {
  const interaction = await t.db('interactions').where({ call_sid: callSid }).first();
  const events = interaction ? await t.db('interaction_events').where({ interaction_id: interaction.id }).orderBy('id') : [];
  return { interaction, events: events as { type: string; node: string | null; data: Record<string, unknown> }[] };
}
