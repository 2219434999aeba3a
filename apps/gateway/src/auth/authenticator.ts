import type { Actor } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';

/** Turns a request into the acting user, or throws an AuthError (401/403) with a reason. */
export interface Authenticator {
  readonly mode: 'dev' | 'jwt' | 'trusted-headers';
  authenticate(request: FastifyRequest): Promise<Actor>;
}

export const AUTHENTICATOR = Symbol.for('switchboard.authenticator');

/** One string header value (repeated or empty headers count as absent). */
export function headerOf(
  request: Pick<FastifyRequest, 'headers'>,
  name: string,
): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
