import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { appError } from '../../errors.js';
import { ALL_ROLES } from '../../plugins/auth.js';
import { countRecentLoginFailures, recordAudit } from '../audit/audit-repository.js';
import { RoleSchema } from '../users/users-schemas.js';
import { verifyCredentials } from '../users/users-service.js';

const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });

const Me = Type.Object({ id: Type.Integer(), username: Type.String(), role: RoleSchema, display_name: Type.String(), rm_id: Type.Union([Type.Integer(), Type.Null()]) });

const LoginReply = Type.Object({ token: Type.String(), expires_in: Type.Integer(), user: Me });

export async function authRoutes(fastify: FastifyInstance, opts: { config: Config }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { LOGIN_MAX_FAILURES, LOGIN_WINDOW_SECONDS, JWT_TTL_SECONDS } = opts.config;

  app.post('/api/auth/login', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Exchange a username and password for a bearer token', security: [], body: LoginBody, response: { 200: LoginReply } },
  }, async (request) => {
    const { username, password } = request.body;
    // Throttle by name (guessing one account's password) and by address (spraying many accounts).
    const since = new Date(Date.now() - LOGIN_WINDOW_SECONDS * 1000);
    const [byUser, byIp] = await Promise.all([
      countRecentLoginFailures(app.db, { username }, since),
      countRecentLoginFailures(app.db, { ip: request.ip }, since),
    ]);
    if (byUser >= LOGIN_MAX_FAILURES || byIp >= LOGIN_MAX_FAILURES * 4) {
      throw appError('SB_ERR_AUTH_THROTTLED', `Too many failed logins; try again in up to ${Math.ceil(LOGIN_WINDOW_SECONDS / 60)} minutes`);
    }
    const user = await verifyCredentials(app.db, username, password);
    if (!user) {
      await recordAudit(app.db, { action: 'auth.login_failed', actor_username: username, ip: request.ip });
      throw appError('SB_ERR_AUTH_BAD_CREDENTIALS');
    }
    const claims = { sub: String(user.id), username: user.username, role: user.role, rm_id: user.rm_id };
    await recordAudit(app.db, { action: 'auth.login', actor: claims, ip: request.ip });
    return { token: app.jwt.sign(claims), expires_in: JWT_TTL_SECONDS, user: { id: user.id, username: user.username, role: user.role, display_name: user.display_name, rm_id: user.rm_id } };
  });

  app.get('/api/auth/me', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['auth'], summary: 'Who the token belongs to', response: { 200: Type.Object({ id: Type.Integer(), username: Type.String(), role: RoleSchema, rm_id: Type.Union([Type.Integer(), Type.Null()]) }) } },
  }, async (request) => ({ id: Number(request.user.sub), username: request.user.username, role: request.user.role, rm_id: request.user.rm_id }));
}
