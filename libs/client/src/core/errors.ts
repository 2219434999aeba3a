import type { ErrorEnvelope, HttpErrorCode, Issue, QuotaExceeded } from '../wire.js';

/**
 * What went wrong, as a program acts on it: the gateway's codes (docs/api.md, "Errors"), a status line
 * without the envelope (`HTTP_<status>`), or the client's own — no answer at all (`CONNECTION`), the
 * caller's time ran out (`CLIENT_TIMEOUT`), a stream that could not be resumed (`STREAM_INTERRUPTED`).
 */
export type SwitchboardErrorCode =
  HttpErrorCode | `HTTP_${number}` | 'CONNECTION' | 'CLIENT_TIMEOUT' | 'STREAM_INTERRUPTED';

/** Which call failed: the method and the path (never the headers, the body or the query string). */
export interface CallSite {
  method: string;
  path: string;
}

/**
 * Every error the client throws, except an abort the caller asked for (that rejects with the signal's
 * own reason, as fetch does). It names the call, never its credentials: no header, token or body is
 * part of its message or its fields.
 */
export class SwitchboardError extends Error {
  override name = 'SwitchboardError';
  readonly code: SwitchboardErrorCode;
  readonly method: string;
  readonly path: string;
  /** Whether the same call may succeed later (the gateway's `Retry-After` says when, if it said). */
  readonly retryable: boolean;

  constructor(
    code: SwitchboardErrorCode,
    message: string,
    call: CallSite,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.method = call.method;
    this.path = call.path;
    this.retryable = options.retryable ?? false;
  }
}

/** An error answer of the gateway: its envelope (`code`, `message`, `details`, `requestId`) and status. */
export class ApiError extends SwitchboardError {
  override name = 'ApiError';
  readonly status: number;
  /** The request's id (`X-Request-Id`): it finds the gateway's log lines and audit rows of the call. */
  readonly requestId: string | undefined;
  /** The refusal's particulars: the fields of a VALIDATION, the quota of a RATE_LIMITED, … */
  readonly details: Readonly<Record<string, unknown>>;
  /** `Retry-After` in milliseconds, when the answer had one (429, 503). */
  readonly retryAfterMs: number | undefined;

  constructor(
    status: number,
    envelope: Partial<ErrorEnvelope>,
    call: CallSite,
    retryAfterMs?: number,
  ) {
    const code = envelope.code ?? (`HTTP_${status}` as const);
    super(code, envelope.message ?? `HTTP ${status}`, call, {
      retryable: status === 429 || status === 503,
    });
    this.status = status;
    this.requestId = envelope.requestId;
    this.details = envelope.details ?? {};
    this.retryAfterMs = retryAfterMs;
  }

  /** One line for a person: the message, the code and status, and the request id to find it by. */
  get line(): string {
    const id = this.requestId ? `, request ${this.requestId}` : '';
    return `${this.message} (${this.code}, HTTP ${this.status}${id})`;
  }
}

/** 400 `VALIDATION`: the request named fields the API refuses; `issues` says which and why. */
export class ValidationError extends ApiError {
  override name = 'ValidationError';
  /** Each refused field (`path`, dotted: `tool_constraints.tools.0`) and why. */
  get issues(): readonly Issue[] {
    const issues = this.details['issues'];
    return Array.isArray(issues) ? (issues as Issue[]) : [];
  }
  /** The first refused field, when the gateway named one. */
  get field(): string | undefined {
    return this.issues[0]?.path ?? fieldOfMessage(this.message);
  }
}

/** 429 `RATE_LIMITED`: a limit of the caller's was reached; `retryAfterMs` says when to come back. */
export class RateLimitedError extends ApiError {
  override name = 'RateLimitedError';
  declare readonly retryAfterMs: number;

  constructor(
    status: number,
    envelope: Partial<ErrorEnvelope>,
    call: CallSite,
    retryAfterMs?: number,
  ) {
    const seconds = (envelope.details ?? {})['retryAfterSeconds'];
    super(
      status,
      envelope,
      call,
      retryAfterMs ?? (typeof seconds === 'number' ? seconds * 1000 : 1000),
    );
  }

  /** Which limit: `rate` (requests), `streams` (open streams), `auth`, or the quota that refused it. */
  get limit(): string | undefined {
    const { limit, quota } = this.details;
    return typeof quota === 'string' ? quota : typeof limit === 'string' ? limit : undefined;
  }

  /** A tenant's or user's quota (docs/quotas.md), when a quota refused the call. */
  get quota(): QuotaExceeded | undefined {
    return typeof this.details['quota'] === 'string' ? (this.details as QuotaExceeded) : undefined;
  }
}

/**
 * A task that was accepted and then failed or was cancelled (`POST /orchestrate` waiting for it): the
 * task's own code, and which task.
 */
export class TaskFailedError extends ApiError {
  override name = 'TaskFailedError';
  get taskId(): string {
    return String(this.details['task_id']);
  }
  get taskStatus(): 'failed' | 'cancelled' {
    return this.details['status'] === 'cancelled' ? 'cancelled' : 'failed';
  }
}

/** No answer came: the gateway could not be reached, or the connection broke before an answer. */
export class ConnectionError extends SwitchboardError {
  override name = 'ConnectionError';
  constructor(call: CallSite, cause: unknown) {
    super('CONNECTION', `no answer from the gateway to ${call.method} ${call.path}`, call, {
      retryable: true,
      cause: scrubbed(cause),
    });
  }
}

/** The call's own time (`timeoutMs`) ran out before its answer. */
export class RequestTimeoutError extends SwitchboardError {
  override name = 'RequestTimeoutError';
  constructor(
    call: CallSite,
    readonly timeoutMs: number,
  ) {
    super('CLIENT_TIMEOUT', `${call.method} ${call.path}: no answer within ${timeoutMs} ms`, call, {
      retryable: true,
    });
  }
}

/**
 * A task's event stream broke and could not be resumed within the reconnect budget. The task goes on:
 * `client.tasks.events(taskId, { after: lastEventId })` resumes it later, with no gap.
 */
export class StreamInterruptedError extends SwitchboardError {
  override name = 'StreamInterruptedError';
  constructor(
    call: CallSite,
    readonly taskId: string,
    readonly lastEventId: number,
    cause: unknown,
  ) {
    super(
      'STREAM_INTERRUPTED',
      `the events of task ${taskId} stopped after event ${lastEventId} and could not be resumed`,
      call,
      { retryable: true, cause },
    );
  }
}

/** Whether `e` is an error this client threw (an abort the caller asked for is not). */
export function isSwitchboardError(e: unknown): e is SwitchboardError {
  return e instanceof SwitchboardError;
}

/** The error of a failed answer, by its code: the classes above, else an ApiError. */
export function apiErrorOf(
  status: number,
  envelope: Partial<ErrorEnvelope>,
  call: CallSite,
  retryAfterMs: number | undefined,
): ApiError {
  const failedTask =
    typeof envelope.details?.['task_id'] === 'string' &&
    (envelope.details['status'] === 'failed' || envelope.details['status'] === 'cancelled');
  if (failedTask) return new TaskFailedError(status, envelope, call, retryAfterMs);
  if (status === 429 || envelope.code === 'RATE_LIMITED')
    return new RateLimitedError(status, envelope, call, retryAfterMs);
  if (envelope.code === 'VALIDATION')
    return new ValidationError(status, envelope, call, retryAfterMs);
  return new ApiError(status, envelope, call, retryAfterMs);
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterOf(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** "invalid request body: task: must not be empty" names `task` when the envelope has no issues. */
function fieldOfMessage(message: string): string | undefined {
  const m = /^(?:invalid [^:]+: )?([A-Za-z_][\w.]*): /.exec(message);
  return m?.[1];
}

/**
 * What fetch threw, without what could carry a secret: some runtimes put the request (its URL and
 * headers) on their errors. Only the name, the message and a network code travel on as the cause.
 */
function scrubbed(cause: unknown): Error | undefined {
  if (!(cause instanceof Error)) return undefined;
  const inner = (cause as { cause?: { code?: unknown } }).cause;
  const code = typeof inner?.code === 'string' ? ` (${inner.code})` : '';
  const e = new Error(`${cause.message}${code}`);
  e.name = cause.name;
  return e;
}
