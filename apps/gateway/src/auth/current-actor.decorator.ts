import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Actor, DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';

type WithActor = FastifyRequest & { sbActor?: Actor };

export function setActor(request: FastifyRequest, actor: Actor): void {
  (request as WithActor).sbActor = actor;
}

export function actorOf(request: FastifyRequest): Actor | undefined {
  return (request as WithActor).sbActor;
}

/** The authenticated caller of a request past AuthGuard; none there is the API's 401. */
export function requestActor(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (!actor) throw new DomainError('UNAUTHORIZED', 'not authenticated');
  return actor;
}

/** The authenticated caller (set by AuthGuard). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor =>
  requestActor(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
