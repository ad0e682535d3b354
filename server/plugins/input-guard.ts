import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Ajv } from 'ajv';
import { appError } from '../errors.js';
import { findUnsafe, isDate, isDateTime } from '../lib/input-rules.js';

/** Replaces ajv-formats' `date` and `date-time` with the bounded ones (ajv `onCreate`). */
export function boundedDateFormats(ajv: Ajv): void {
  ajv.addFormat('date', isDate);
  ajv.addFormat('date-time', isDateTime);
}

function check(request: FastifyRequest): void {
  for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
    const bad = findUnsafe(value);
    if (bad) {
      const field = `${part}${bad.field}`;
      throw appError('SB_ERR_REQUEST_INVALID', `Invalid request: ${field} ${bad.message}`, { field, message: bad.message });
    }
  }
}

/**
 * The one place where request values PostgreSQL (or the rest of the app) cannot hold are refused,
 * for every route and every Twilio webhook alike, so no handler has to remember them: the rules of
 * `lib/input-rules.ts`, on params, query and body, and the bounded years through the `date` and
 * `date-time` formats of every schema.
 *
 * Bounds on each number and `additionalProperties: false` live in the schemas themselves
 * (a test walks the OpenAPI document to keep them there).
 *
 * Runs after schema validation (and coercion) and before every handler, webhooks included.
 */
export const inputGuardPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preHandler', async (request) => check(request));
  },
  { name: 'input-guard' },
);
