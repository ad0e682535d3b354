import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { appError } from '../errors.js';

export const UI_ROOT = fileURLToPath(new URL('../../agent-ui/', import.meta.url));
export const UI_DIST = fileURLToPath(new URL('../../agent-ui/dist/', import.meta.url));

/** The browser pages: each is the one-page app, which picks its view from the path. */
export const UI_PAGES = ['/', '/supervisor', '/simulator'] as const;

/**
 * Serves the production build of agent-ui: hashed assets with a long cache, the pages never
 * cached (their strict content-security policy comes with every response: plugins/security-headers.ts).
 * Without a build the pages answer a coded 503 saying how to build.
 */
export const uiPlugin = fp(
  async (app: FastifyInstance) => {
    let page: string | null = null;
    const sendPage = (reply: FastifyReply) => {
      page ??= existsSync(`${UI_DIST}index.html`) ? readFileSync(`${UI_DIST}index.html`, 'utf8') : null;
      if (page === null) throw appError('SB_ERR_UI_NOT_BUILT');
      return reply
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(page);
    };
    for (const url of UI_PAGES) app.get(url, { schema: { hide: true } }, (_request, reply) => sendPage(reply));

    await app.register(fastifyStatic, {
      root: `${UI_DIST}assets`,
      prefix: '/assets/',
      decorateReply: false,
      immutable: true,
      maxAge: '365d',
    });
  },
  { name: 'ui' },
);
