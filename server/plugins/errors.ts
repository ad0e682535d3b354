import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, ERRORS, type ErrorCode } from '../errors.js';

// Fastify's own request errors, translated into our catalogue so clients see one vocabulary.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'SB_ERR_REQUEST_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SB_ERR_REQUEST_MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'SB_ERR_REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'SB_ERR_REQUEST_UNSUPPORTED_MEDIA',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SB_ERR_REQUEST_INVALID',
};

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  statusCode: number;
  details?: unknown;
}

function toErrorBody(error: FastifyError | AppError): ErrorBody {
  if (error instanceof AppError) {
    return { code: error.code, message: error.message, statusCode: error.statusCode, ...(error.details ? { details: error.details } : {}) };
  }
  if (error.validation) {
    const details = error.validation.map((v) => ({ field: `${error.validationContext ?? ''}${v.instancePath}`, message: v.message }));
    return { code: 'SB_ERR_REQUEST_INVALID', message: `Invalid request: ${error.message}`, statusCode: 400, details };
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return { code: mapped, message: ERRORS[mapped].message, statusCode: ERRORS[mapped].status };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { code: 'SB_ERR_REQUEST_INVALID', message: error.message, statusCode: status };
  // Anything else is our fault: log it in full, tell the client nothing about internals.
  return { code: 'SB_ERR_SERVER_INTERNAL', message: ERRORS.SB_ERR_SERVER_INTERNAL.message, statusCode: 500 };
}

/**
 * The request's deadline passed (HTTP_REQUEST_TIMEOUT_MS). A body still arriving is the client's
 * slowness: 408, and the connection closes, since what is left of the body cannot be read as the
 * next request. Otherwise we were slow: 503, logged.
 */
function timedOut(request: FastifyRequest, reply: FastifyReply) {
  const code: ErrorCode = request.raw.complete ? 'SB_ERR_SERVER_TIMEOUT' : 'SB_ERR_REQUEST_TIMEOUT';
  if (code === 'SB_ERR_SERVER_TIMEOUT') request.log.error({ url: request.routeOptions.url }, 'request timed out in the handler');
  else reply.header('connection', 'close').raw.once('finish', () => request.raw.destroy());
  return reply.status(ERRORS[code].status).send({ code, message: ERRORS[code].message, statusCode: ERRORS[code].status });
}

/** One error handler for the whole app: every failure answers { code, message, statusCode }. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === 'FST_ERR_HANDLER_TIMEOUT') return timedOut(request, reply);
      const body = toErrorBody(error);
      if (body.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: body.code }, 'request rejected');
      return reply.status(body.statusCode).send(body);
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ code: 'SB_ERR_ROUTE_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}`, statusCode: 404 }),
    );
  },
  { name: 'errors' },
);
