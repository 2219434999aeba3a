import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { requestContext } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { actorOf } from '../auth/current-actor.decorator.js';
import { requestIdOf } from './request-id.js';

/**
 * Runs each request inside its context (request id as correlation id, the authenticated actor), so
 * logs and every NATS message it causes carry them. Echoes the id as X-Request-Id. The gateway's NATS
 * handlers (`sb.health.gateway`) inherit it; their context comes from the message headers instead.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // The gateway's NATS handlers (sb.health.gateway) inherit the app's interceptors: not HTTP.
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const correlationId = requestIdOf(request);
    void reply.header('x-request-id', correlationId);
    const actor = actorOf(request);
    return new Observable((subscriber) =>
      requestContext.run({ correlationId, ...(actor ? { actor } : {}) }, () =>
        next.handle().subscribe(subscriber),
      ),
    );
  }
}
