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

/** The authenticated caller (set by AuthGuard). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = actorOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!actor) throw new DomainError('UNAUTHORIZED', 'not authenticated');
  return actor;
});
