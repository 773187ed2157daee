/**
 * Route registration for the Prometheus API: a route answers the methods Prometheus answers it
 * with (GET and POST with form bodies, or GET only) and every other method with 405 and an
 * `Allow` header, never 404 — Grafana retries a refused POST as GET only after a 400 or 405.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from '@tessera/server';

/** A route handler: returns the reply or a value fastify serialises as JSON. */
export type ApiHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Methods a client could send that no API route of ours answers. */
const OTHER_METHODS = ['PUT', 'DELETE', 'PATCH'] as const;

function refuse(app: FastifyInstance, url: string, methods: readonly ('POST' | 'PUT' | 'DELETE' | 'PATCH')[], allow: string): void {
  app.route({
    method: [...methods],
    url,
    handler: async (req, reply) => {
      reply.header('allow', allow);
      throw new TesseraError('method_not_allowed', 'method-not-allowed', `method ${req.method} not allowed for ${url}; use ${allow}`);
    },
  });
}

/** Registers `url` for GET and POST (form body and query string merged by `Params`). */
export function routeGetPost(app: FastifyInstance, url: string, handler: ApiHandler): void {
  app.route({ method: ['GET', 'POST'], url, handler });
  refuse(app, url, OTHER_METHODS, 'GET, POST');
}

/** Registers `url` for GET only; POST and the others get 405 (as Prometheus answers them). */
export function routeGetOnly(app: FastifyInstance, url: string, handler: ApiHandler): void {
  app.route({ method: 'GET', url, handler });
  refuse(app, url, ['POST', ...OTHER_METHODS], 'GET');
}

/** Sends a complete JSON response text as it is. */
export function sendJsonText(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json').send(body);
}
