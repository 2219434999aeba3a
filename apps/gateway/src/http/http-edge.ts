import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HttpOptions } from '@switchboard/runtime';
import { actorOf } from '../auth/current-actor.decorator.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { sendError } from './error-envelope.js';
import { requestIdOf } from './request-id.js';

/**
 * The gateway's listener settings: which proxies may name the client address, the router's own
 * refusals (malformed percent-encoding, an over-long parameter), which happen before Nest sees the
 * request, sent as the same envelope as every other error, and who the access line names: the
 * request id (the correlation id of everything the request causes) and the authenticated user.
 */
export function gatewayHttpOptions(config: GatewayEnv): HttpOptions {
  return {
    trustProxy: config.TRUST_PROXY,
    frameworkErrors: (error, request, reply) => void sendError(request, reply, error),
    describeRequest: (request) => {
      const actor = actorOf(request);
      return {
        correlationId: requestIdOf(request),
        ...(actor ? { userId: actor.userId, role: actor.role } : {}),
        ...(actor?.tenantId ? { tenantId: actor.tenantId } : {}),
      };
    },
  };
}

/**
 * X-Request-Id on every answer. Set on the raw response, so answers written there directly (SSE, the
 * A2A and MCP endpoints) and Fastify's own (404, body errors) carry it too.
 */
export function echoRequestIds(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      reply.raw.setHeader('x-request-id', requestIdOf(request));
      done();
    });
}

/**
 * Bodies typed `application/a2a+json` (what A2A 1.0 agents send, push notifications among them) are
 * read as JSON, with the same limits and errors as `application/json`.
 */
export function acceptA2aJson(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser(
    'application/a2a+json',
    { parseAs: 'string' },
    fastify.getDefaultJsonParser('error', 'error'),
  );
}
