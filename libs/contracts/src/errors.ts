import { z } from 'zod';

/**
 * The platform's one error vocabulary. Every service throws `DomainError`s with these codes; each edge
 * (HTTP, NATS, XMPP, A2A, MCP) maps them in exactly one place.
 */
export const ErrorCode = z.enum([
  'VALIDATION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UNSUPPORTED',
  'BUDGET_EXCEEDED',
  'GUARDRAIL',
  'CANCELLED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'TIMEOUT',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One problem in a rejected input: where (`path`, dotted) and why. */
export const Issue = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof Issue>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  correlationId: z.string().optional(),
  errorId: z.string().optional(),
  retryable: z.boolean().default(false),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export interface DomainErrorOptions {
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }

  toBody(extra: { correlationId?: string; errorId?: string } = {}): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
      ...extra,
      retryable: this.retryable,
    };
  }

  static fromBody(body: ErrorBody): DomainError {
    return new DomainError(body.code, body.message, {
      ...(body.details ? { details: body.details } : {}),
      retryable: body.retryable,
    });
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

/**
 * What a stored or relayed outcome keeps of what was thrown: a domain error's body; anything else is
 * INTERNAL in the caller's words, never its own message (an unexpected error's text may carry what
 * must not travel: a query, a path, a secret).
 */
export function errorBodyOf(e: unknown, message: string, retryable = false): ErrorBody {
  return isDomainError(e) ? e.toBody() : { code: 'INTERNAL', message, retryable };
}

/** Turns zod issues into the `{ path, message }` list a rejection carries. */
export function issuesOf(error: z.ZodError, prefix = ''): Issue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
  }));
}

/** A VALIDATION error naming every field that failed and why. */
export function validationError(what: string, error: z.ZodError, prefix = ''): DomainError {
  const issues = issuesOf(error, prefix);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new DomainError('VALIDATION', `invalid ${what}: ${summary}`, { details: { issues } });
}

/** Parses `value` with `schema`, or throws a VALIDATION DomainError that names the fields. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(what, result.error);
  return result.data;
}
