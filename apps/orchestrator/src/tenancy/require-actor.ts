import { type Actor, DomainError } from '@switchboard/contracts';

/**
 * The user a command acts for. The gateway (or the service asking on a user's behalf) names one on
 * every command that reads or changes a user's things; one without is refused as UNAUTHORIZED.
 */
export function requireActor(actor: Actor | undefined): Actor {
  if (!actor) throw new DomainError('UNAUTHORIZED', 'no acting user on the request');
  return actor;
}
