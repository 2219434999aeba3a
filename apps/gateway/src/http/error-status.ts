import type { ErrorCode, Gateway } from '@switchboard/contracts';

/** The codes of the gateway's error envelope (contracts: Gateway.HttpErrorCode). */
type HttpErrorCode = Gateway.HttpErrorCode;

/** The gateway's one code → HTTP status table. */
export const STATUS_OF: Record<HttpErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
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

/**
 * The same table for a task that was accepted and then failed (POST /orchestrate waiting for it): the
 * request was valid, so a failure about the task's own content — a step's input that a tool refused,
 * a tool or agent that does not exist — is 422, not 400/404, which would blame the request or the URL.
 */
export const FAILED_TASK_STATUS_OF: Record<ErrorCode, number> = {
  ...STATUS_OF,
  VALIDATION: 422,
  NOT_FOUND: 422,
};
