import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { DeferredRateCharge } from '../limits/rate-limiter.js';

/** Route metadata: AuthGuard leaves the request's rate-limit charge to the task's admission. */
export const RATE_CHARGED_AT_ADMISSION = 'sb:rate-charged-at-admission';

/**
 * On a route that submits a task: its rate-limit charge is made by the task's admission script, in
 * the same round trip as the quotas, the stream slot and the owner record (TaskAdmission), instead of
 * one of its own before the handler. The handler passes `@RateCharge()` on to the submission.
 */
export const RateChargedAtAdmission = (): MethodDecorator =>
  SetMetadata(RATE_CHARGED_AT_ADMISSION, true);

type WithCharge = FastifyRequest & { sbRateCharge?: DeferredRateCharge };

export function setRateCharge(request: FastifyRequest, charge: DeferredRateCharge): void {
  (request as WithCharge).sbRateCharge = charge;
}

/** The request's deferred rate-limit charge (set by AuthGuard on a RateChargedAtAdmission route). */
export const RateCharge = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): DeferredRateCharge | undefined =>
    (ctx.switchToHttp().getRequest<FastifyRequest>() as WithCharge).sbRateCharge,
);
