import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '../http/request-id.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { GatewayMetrics } from '../limits/gateway.metrics.js';
import { RequestRateLimiter, rateLimited } from '../limits/rate-limiter.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { AuthError } from './auth.errors.js';
import { AUTHENTICATOR, type Authenticator } from './authenticator.js';
import { setActor } from './current-actor.decorator.js';
import { RATE_CHARGED_AT_ADMISSION, setRateCharge } from './rate-charge.decorator.js';

/**
 * Admits a request to the API: authenticates it, charges the user's rate limit (on a route that
 * submits a task, RateChargedAtAdmission, the task's admission charges it), and answers 503 at
 * once when the gateway cannot reach NATS (its connection down, or not answering its probe, for more
 * than NATS_CONNECTION_WAIT_MS): everything behind the API needs it, and a client is better served by
 * a prompt 503 than by a request that waits out its timeout. Runs before the body is validated, so
 * unauthenticated callers learn nothing about the API's input rules. Refusals
 * are counted per client address: up to AUTH_FAILURE_LIMIT per window each is audited under `auth`
 * (with the reason, never the credential); beyond it they answer 429 and the window gets one
 * `auth.limited` record instead of a row per attempt.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly audit: AuditTrail,
    private readonly limiter: RequestRateLimiter,
    private readonly failures: AuthFailureLimiter,
    private readonly metrics: GatewayMetrics,
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayEnv, 'NATS_CONNECTION_WAIT_MS'>,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    let actor;
    try {
      actor = await this.authenticator.authenticate(request);
    } catch (e) {
      if (e instanceof AuthError) await this.refused(request, e);
      throw e;
    }
    setActor(request, actor);
    if (this.reflector.get<boolean>(RATE_CHARGED_AT_ADMISSION, context.getHandler())) {
      const charge = this.limiter.defer(actor);
      setRateCharge(request, charge);
      // A request that ended before its admission took the charge is counted all the same.
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      reply.raw.once('close', () => void charge.settle().catch(() => undefined));
    } else await this.limiter.admit(actor);
    if (!this.bus.usable && !(await this.bus.whenUsable(this.config.NATS_CONNECTION_WAIT_MS)))
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        'the gateway cannot reach NATS at the moment (its connection is down or not answering); retry shortly',
        { retryable: true },
      );
    return true;
  }

  private async refused(request: FastifyRequest, e: AuthError): Promise<void> {
    this.metrics.authFailures.inc({ mode: this.authenticator.mode, reason: e.reason });
    const verdict = await this.failures.refused(request.ip);
    const base = {
      category: 'auth' as const,
      outcome: 'denied' as const,
      resource: `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      correlationId: requestIdOf(request),
      actor: {},
    };
    const status = e.code === 'FORBIDDEN' ? 403 : 401;
    if (!verdict.limited) {
      void this.audit.record({
        ...base,
        action: 'auth.refused',
        details: { mode: this.authenticator.mode, reason: e.reason, status, ip: request.ip },
      });
      return;
    }
    this.metrics.limited.inc({ limit: 'auth' });
    if (verdict.first) {
      void this.audit.record({
        ...base,
        action: 'auth.limited',
        details: {
          mode: this.authenticator.mode,
          reason: e.reason,
          status: 429,
          ip: request.ip,
          limit: this.failures.limit,
          windowSeconds: this.failures.windowSeconds,
        },
      });
    }
    throw rateLimited(
      `too many refused authentications from this address; retry in ${verdict.retryAfterSeconds} s`,
      verdict.retryAfterSeconds,
      'auth',
    );
  }
}
