import type { ErrorCode } from '@switchboard/contracts';

/** The gateway's one code → HTTP status table. */
export const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED: 422,
  BUDGET_EXCEEDED: 422,
  GUARDRAIL: 422,
  CANCELLED: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM_ERROR: 502,
  UPSTREAM_UNAVAILABLE: 503,
  TIMEOUT: 504,
};
