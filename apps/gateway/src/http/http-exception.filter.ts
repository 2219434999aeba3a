import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorHeaders, toEnvelope } from './error-envelope.js';
import { requestIdOf } from './request-id.js';

/** Every error of every route leaves the gateway as the one envelope, with its status from one table. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = requestIdOf(request);
    const { status, body, unexpected } = toEnvelope(exception, requestId);
    if (unexpected)
      this.logger.error(
        { err: exception, requestId, errorId: body.details?.['errorId'] },
        'unexpected error',
      );
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    void reply.header('x-request-id', requestId);
    for (const [name, value] of Object.entries(errorHeaders(status, body)))
      void reply.header(name, value);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
