import { Type } from 'typebox';
import { Nullable } from '../../lib/schema.js';
import { RoleSchema } from '../users/users-schemas.js';

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });

export const Me = Type.Object({ id: Type.Integer(), username: Type.String(), role: RoleSchema, display_name: Type.String(), rm_id: Nullable(Type.Integer()) });

export const SessionReply = Type.Object({
  token: Type.String({ description: 'The access token: send it as Authorization: Bearer, and as the sockets\' auth.token' }),
  expires_in: Type.Integer({ description: 'Seconds the access token lasts; refresh before (POST /api/auth/refresh)' }),
  user: Me,
}, { description: 'The refresh token comes as the httpOnly cookie sb_refresh (Path=/api/auth, SameSite=Strict), never in the body' });

export const AuthMethods = Type.Object({
  password: Type.Boolean(),
  oidc: Type.Boolean({ description: 'Single sign-on: GET /api/auth/oidc/start' }),
});

export const OidcCallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 2048 })),
  state: Type.Optional(Type.String({ maxLength: 512 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
  error_description: Type.Optional(Type.String({ maxLength: 1024 })),
  iss: Type.Optional(Type.String({ maxLength: 512 })),
  session_state: Type.Optional(Type.String({ maxLength: 512 })),
}, { description: 'What the provider sends back (providers add parameters of their own: they are ignored)' });
