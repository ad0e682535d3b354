import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { formatTranscript, runScript } from '../../simulator/script.js';
import type { Simulator } from '../../simulator/simulator.js';
import { DEMO_CALLERS } from '../db/synthetic-bank.js';
import { appError } from '../errors.js';
import { MAX_INT } from '../lib/schema.js';

const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' });
const Keys = Type.String({ pattern: '^[0-9*#]{1,32}$' });

const PhoneScript = Type.Object({ from: E164, to: Type.Optional(E164), presses: Type.Array(Keys, { maxItems: 50 }) }, { additionalProperties: false });
const Dial = Type.Object({ from: E164, to: Type.Optional(E164) }, { additionalProperties: false });
const CallParams = Type.Object({ sid: Type.String({ pattern: '^CA[0-9a-f]{32}$' }) });
const TranscriptQuery = Type.Object({ after: Type.Integer({ minimum: 0, maximum: MAX_INT, default: 0 }) });
const Press = Type.Object({ digits: Keys }, { additionalProperties: false });

export const DemoCaller = Type.Object({ customer_id: Type.Integer(), phone: Type.String(), name: Type.String(), tier: Type.String(), story: Type.String() });
export const PhoneSetup = Type.Object({ hotlines: Type.Array(Type.Object({ number: Type.String(), flow: Type.String() })), callers: Type.Array(DemoCaller) });
export const PhoneCall = Type.Object({
  sid: Type.String(),
  status: Type.String({ description: 'Twilio call status' }),
  state: Type.String({ description: 'ringing | running | gathering | queued | dialing | bridged | conference | ended' }),
  transcript: Type.Array(Type.Object({ at: Type.Integer(), kind: Type.String(), text: Type.String(), language: Type.Optional(Type.String()) })),
  next: Type.Integer({ description: 'Pass as `after` to get only what comes next' }),
});
export type PhoneCall = Static<typeof PhoneCall>;
export type PhoneSetup = Static<typeof PhoneSetup>;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The demo phone: place a call on the built-in simulator as any number, press keys, hang up and read
 * the transcript — what the /simulator page and `npm run call` use. It exists only with the
 * simulator (no Twilio account), where every call is make-believe, and it needs no login, so it
 * answers only to a caller on this machine.
 */
export async function demoPhoneRoutes(app: FastifyInstance, opts: { sim: Simulator; hotlines: ReadonlyMap<string, string> }) {
  const { sim, hotlines } = opts;
  const tags = ['simulator'];

  app.addHook('onRequest', async (request) => {
    if (!LOOPBACK.has(request.ip)) throw appError('SB_ERR_AUTH_FORBIDDEN', 'The demo phone answers only on this machine');
  });

  const hotline = (to: string | undefined) => {
    const number = to ?? [...hotlines.keys()][0]!;
    if (!hotlines.has(number)) throw appError('SB_ERR_REQUEST_INVALID', `${number} is not a hotline number (${[...hotlines.keys()].join(', ')})`);
    return number;
  };
  const liveCall = (sid: string) => {
    const call = sim.call(sid);
    if (!call || call.direction !== 'inbound') throw appError('SB_ERR_SIM_CALL_NOT_FOUND');
    return call;
  };

  app.get('/setup', { schema: { tags, summary: 'Demo only: the hotline numbers and the demo callers', response: { 200: PhoneSetup } } }, async () => ({
    hotlines: [...hotlines].map(([number, flow]) => ({ number, flow })),
    callers: DEMO_CALLERS,
  }));

  app.post('/calls', { schema: { tags, summary: 'Demo only: dial the hotline from a number', body: Dial, response: { 201: Type.Object({ sid: Type.String() }) } } }, async (request, reply) => {
    const body = request.body as Static<typeof Dial>;
    const call = sim.dial({ from: body.from, to: hotline(body.to) });
    return reply.code(201).send({ sid: call.sid });
  });

  app.get('/calls/:sid', {
    schema: { tags, summary: 'Demo only: a call\'s state and what was said on it (from `after` on)', params: CallParams, querystring: TranscriptQuery, response: { 200: PhoneCall } },
  }, async (request) => {
    const { sid } = request.params as Static<typeof CallParams>;
    const { after } = request.query as Static<typeof TranscriptQuery>;
    const call = liveCall(sid);
    const entries = call.transcript.slice(after);
    return { sid, status: call.status, state: call.state, transcript: entries.map((e) => ({ ...e, at: Math.round(e.at) })), next: after + entries.length };
  });

  app.post('/calls/:sid/press', { schema: { tags, summary: 'Demo only: press keys on the call', params: CallParams, body: Press } }, async (request, reply) => {
    const { sid } = request.params as Static<typeof CallParams>;
    const call = liveCall(sid);
    try {
      await call.press((request.body as Static<typeof Press>).digits);
    } catch {
      throw appError('SB_ERR_SIM_NOT_LISTENING');
    }
    return reply.code(204).send();
  });

  app.post('/calls/:sid/hangup', { schema: { tags, summary: 'Demo only: hang up', params: CallParams } }, async (request, reply) => {
    const { sid } = request.params as Static<typeof CallParams>;
    await liveCall(sid).hangup();
    return reply.code(204).send();
  });

  app.post('/script', { schema: { tags, summary: 'Demo only: place a scripted call and return its transcript (npm run call)', body: PhoneScript } }, async (request) => {
    const body = request.body as Static<typeof PhoneScript>;
    const entries = await runScript(sim, { from: body.from, to: hotline(body.to), presses: body.presses, maxCallMs: 60_000 });
    return { transcript: formatTranscript(entries) };
  });
}
