import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ERRORS } from '../errors.js';

/** OpenAPI generated from the routes' TypeBox schemas; browsable at /docs. */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      // 3.1: its schemas are JSON Schema, so each is the route's own (3.0 would rewrite nullable fields).
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Switchboard API',
          version: '0.1.0',
          description: `Contact-center server for a bank's phone-banking hotline. Errors answer { code, message, statusCode }; codes: ${Object.keys(ERRORS).join(', ')}.`,
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'openapi' },
);
