import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuditTrail } from '@switchboard/messaging';
import type { FastifyRequest } from 'fastify';
import { requestIdOf } from '../http/request-id.js';
import { GatewayMetrics } from '../limits/gateway.metrics.js';
import { RequestRateLimiter } from '../limits/rate-limiter.js';
import { AuthError } from './auth.errors.js';
import { AUTHENTICATOR, type Authenticator } from './authenticator.js';
import { setActor } from './current-actor.decorator.js';

/**
 * Admits a request to the API: authenticates it (every refusal is audited under `auth`, with the
 * reason and never the credential), then charges the user's rate limit. Runs before the body is
 * validated, so unauthenticated callers learn nothing about the API's input rules.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly audit: AuditTrail,
    private readonly limiter: RequestRateLimiter,
    private readonly metrics: GatewayMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    let actor;
    try {
      actor = await this.authenticator.authenticate(request);
    } catch (e) {
      if (e instanceof AuthError) this.refused(request, e);
      throw e;
    }
    setActor(request, actor);
    await this.limiter.admit(actor);
    return true;
  }

  private refused(request: FastifyRequest, e: AuthError): void {
    this.metrics.authFailures.inc({ mode: this.authenticator.mode, reason: e.reason });
    void this.audit.record({
      category: 'auth',
      action: 'auth.refused',
      outcome: 'denied',
      resource: `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      correlationId: requestIdOf(request),
      actor: {},
      details: {
        mode: this.authenticator.mode,
        reason: e.reason,
        status: e.code === 'FORBIDDEN' ? 403 : 401,
        ip: request.ip,
      },
    });
  }
}
