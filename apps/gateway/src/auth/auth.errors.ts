import { DomainError } from '@switchboard/contracts';

/**
 * A refused request. `reason` is a short machine-readable tag for the audit row and metrics; the
 * message is safe to show (it never holds a token, a key or a secret).
 */
export class AuthError extends DomainError {
  constructor(
    code: 'UNAUTHORIZED' | 'FORBIDDEN',
    readonly reason: string,
    message: string,
  ) {
    super(code, message, { details: { reason } });
    this.name = 'AuthError';
  }
}

export const unauthorized = (reason: string, message: string) =>
  new AuthError('UNAUTHORIZED', reason, message);
export const forbidden = (reason: string, message: string) =>
  new AuthError('FORBIDDEN', reason, message);
