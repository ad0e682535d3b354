import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers on every response (@fastify/helmet), the content-security policy among them.
 * The console loads only its own scripts and styles and talks to this server (and, in Twilio
 * mode, to Twilio's voice edge over websockets). No upgrade-insecure-requests: the demo is plain
 * HTTP on whatever address a newcomer opens it at; behind TLS the proxy's HSTS header is the upgrade.
 */
export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'", 'ws:', 'wss:', 'https://*.twilio.com', 'wss://*.twilio.com'],
  'media-src': ["'self'", 'blob:', 'https://*.twilio.com'],
  'object-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
};

export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      // Consoles are opened by their own URL, never framed or opened from another site.
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    });
  },
  { name: 'security-headers' },
);
