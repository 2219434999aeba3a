import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { sendError } from './error-envelope.js';
import { requestIdOf } from './request-id.js';

/**
 * Every error of every route leaves the gateway as the one envelope, with its status from one table.
 * The filter is global and the NATS handlers inherit it (`sb.health.gateway`): their errors are already
 * the platform's ErrorBody and go back as Nest's RPC filter sends them.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly rpc = new BaseRpcExceptionFilter();

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<unknown> {
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) {
      this.logger.warn(
        { err: exception, requestId: requestIdOf(request) },
        'error after the answer began',
      );
      reply.raw.end();
      return;
    }
    const { body, unexpected } = sendError(request, reply, exception);
    if (unexpected)
      this.logger.error(
        { err: exception, requestId: body.requestId, errorId: body.details?.['errorId'] },
        'unexpected error',
      );
  }
}
