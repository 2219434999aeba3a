import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { baseUrlOf } from '../a2a/a2a.controller.js';
import { errorHeaders, toEnvelope } from '../http/error-envelope.js';
import { HttpExceptionFilter } from '../http/http-exception.filter.js';
import { requestIdOf } from '../http/request-id.js';
import { bearerChallenge, MCP_OAUTH, type McpOAuth, resourceUrlOf } from './mcp-oauth.js';

/**
 * The errors of /mcp, as every route's (HttpExceptionFilter), except a 401 in jwt mode: its
 * WWW-Authenticate challenge says what was wrong with the token (RFC 6750) and where the endpoint's
 * Protected Resource Metadata is (`resource_metadata`, RFC 9728 §5.1), which is how an MCP client
 * finds the authorization server to sign in with.
 */
@Catch()
export class McpChallengeFilter implements ExceptionFilter {
  private readonly api: HttpExceptionFilter;

  constructor(
    @Inject(MCP_OAUTH) private readonly oauth: McpOAuth,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.api = new HttpExceptionFilter(logger);
  }

  catch(exception: unknown, host: ArgumentsHost): void | Observable<unknown> {
    if (host.getType() !== 'http' || !this.oauth.enabled) return this.api.catch(exception, host);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } = toEnvelope(exception, requestIdOf(request));
    if (status !== 401 || reply.sent || reply.raw.headersSent)
      return this.api.catch(exception, host);
    const reason = body.details?.['reason'];
    const challenge = bearerChallenge(this.oauth, resourceUrlOf(this.oauth, baseUrlOf(request)), {
      reason: typeof reason === 'string' ? reason : undefined,
      message: body.message,
    });
    const headers = { ...errorHeaders(status, body), 'www-authenticate': challenge };
    void reply.header('x-request-id', body.requestId);
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
