import twilio from 'twilio';
import { Type, type Static } from 'typebox';
import { Nullable } from '../../lib/schema.js';

export const Softphone = Type.Object({
  mode: Type.Enum(['twilio', 'simulator', 'phone'], {
    description: 'twilio: the browser is the phone (Voice SDK, with `token`); simulator: the built-in simulator answers the agent\'s leg; phone: the agent answers on their own phone number',
  }),
  identity: Type.String({ description: 'The Twilio Client identity the user\'s legs are dialled to (agent_<id>, supervisor_<id>)' }),
  token: Nullable(Type.String({ description: 'Voice SDK access token (mode twilio)' })),
  expires_in: Nullable(Type.Integer()),
});
export type Softphone = Static<typeof Softphone>;

const TOKEN_TTL_SECONDS = 3600;

/**
 * What makes a browser its user's phone: an agent's console (the conference leg of each call they
 * accept) or a supervisor's wallboard (the leg that listens, whispers or barges). With a Twilio API
 * key, a Voice SDK access token that may only receive calls, for the identity those legs are dialled to.
 */
export function createSoftphone(opts: { accountSid: string; apiKey?: { sid: string; secret: string }; simulated: boolean }) {
  return (identity: string): Softphone => {
    if (opts.simulated) return { mode: 'simulator', identity, token: null, expires_in: null };
    if (!opts.apiKey) return { mode: 'phone', identity, token: null, expires_in: null };
    const token = new twilio.jwt.AccessToken(opts.accountSid, opts.apiKey.sid, opts.apiKey.secret, { identity, ttl: TOKEN_TTL_SECONDS });
    token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ incomingAllow: true }));
    return { mode: 'twilio', identity, token: token.toJwt(), expires_in: TOKEN_TTL_SECONDS };
  };
}
