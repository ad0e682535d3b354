import { Type, type Static } from 'typebox';
import { MAX_INT, Nullable } from '../../lib/schema.js';

export const ROLES = ['agent', 'supervisor', 'rm', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Enum([...ROLES]);
/** Every signed-in role: what a route any member of staff may call states in `config.roles`. */
export const STAFF_ROLES: readonly Role[] = ROLES;

export const NewUserSchema = Type.Object({
  username: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-zA-Z0-9._-]+$' }),
  password: Type.String({ minLength: 8, maxLength: 256 }),
  role: RoleSchema,
  display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  rm_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT })),
});
export type NewUser = Static<typeof NewUserSchema>;

export interface User {
  id: number;
  username: string;
  role: Role;
  display_name: string;
  rm_id: number | null;
  active: boolean;
}

/** How a member of staff's calls reach them (the telephony adapter fills it in). */
export const Softphone = Type.Object({
  mode: Type.Enum(['twilio', 'simulator', 'phone'], {
    description: 'twilio: the browser is the phone (Voice SDK, with `token`); simulator: the built-in simulator answers the agent\'s leg; phone: the agent answers on their own phone number',
  }),
  identity: Type.String({ description: 'The Twilio Client identity the user\'s legs are dialled to (agent_<id>, supervisor_<id>)' }),
  token: Nullable(Type.String({ description: 'Voice SDK access token (mode twilio)' })),
  expires_in: Nullable(Type.Integer()),
});
export type Softphone = Static<typeof Softphone>;
