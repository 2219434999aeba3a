import type { ErrorEnvelope } from '../wire.js';
import { type AuthOptions, Credentials } from './auth.js';
import {
  type ApiError,
  apiErrorOf,
  type CallSite,
  ConnectionError,
  RequestTimeoutError,
  retryAfterOf,
  type SwitchboardErrorCode,
  isSwitchboardError,
} from './errors.js';
import {
  backoffMs,
  DEFAULT_RETRY,
  type HttpMethod,
  repeatableByMethod,
  type RetryOptions,
} from './retry.policy.js';
import { anySignal, sleep } from './signals.js';

/** What every call takes last: the caller's signal and its own time limit. */
export interface CallOptions {
  /** Aborts the call (and a stream: closes it); the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long to wait for the answer, in ms (0: as long as it takes); the client's default otherwise. */
  timeoutMs?: number;
  /**
   * How many times a call that may be repeated is tried again (the client's `retry.retries` by
   * default; 0: once — e.g. a view that polls anyway and must show an outage at once).
   */
  retries?: number;
}

/** One try of one call, as the `log` option receives it: never a header, a body or a query string. */
export interface CallLog {
  method: string;
  path: string;
  attempt: number;
  status?: number;
  requestId?: string;
  error?: SwitchboardErrorCode;
  durationMs: number;
}

export interface ClientOptions extends AuthOptions {
  /** The gateway, e.g. `http://127.0.0.1:3000` (a path prefix is kept: `https://host/switchboard/`). */
  baseUrl: string;
  /** Headers for every request (e.g. a proxy's); like the credentials, never logged or thrown. */
  headers?: Record<string, string>;
  /** Default time limit of a call in ms (30,000); 0 waits as long as it takes. */
  timeoutMs?: number;
  /** Retries of calls that may be repeated (reads, PUT/PATCH/DELETE, cancel): see RetryOptions. */
  retry?: RetryOptions;
  /** Told of each 401 that a new token could not cure (e.g. to sign the user out). */
  onUnauthorized?: (error: ApiError) => void;
  /** Told of every try of every call (for a debug log): method, path, status, time — nothing secret. */
  log?: (entry: CallLog) => void;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

/** One call of the API, as the route groups describe it. */
export interface RequestSpec extends CallOptions {
  method: HttpMethod;
  /** Relative to the base URL, without a leading slash: `tasks/<id>` (see `pathOf`). */
  path: string;
  query?: Query;
  body?: unknown;
  /** Whether sending it twice is harmless (default: by method, see repeatableByMethod). */
  repeatable?: boolean;
  accept?: string;
  headers?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** `pathOf\`tasks/${id}/events\``: the path with each interpolated part percent-encoded. */
export function pathOf(strings: TemplateStringsArray, ...parts: (string | number)[]): string {
  return strings.reduce(
    (out, s, i) => out + s + (i < parts.length ? encodeURIComponent(String(parts[i])) : ''),
    '',
  );
}

/**
 * The one place that talks HTTP: the base URL, credentials, time limits, retries of repeatable calls,
 * a token refreshed once after a 401, and error answers turned into typed errors.
 */
export class Transport {
  private readonly base: string;
  private readonly credentials: Credentials;
  private readonly retry: Required<RetryOptions>;
  private readonly fetchFn: typeof fetch;

  constructor(readonly options: ClientOptions) {
    const url = new URL(options.baseUrl);
    // A URL's user and password would be sent to every proxy and shown in every error: refuse them.
    if (url.username || url.password)
      throw new TypeError('baseUrl must not hold credentials: pass `token` instead');
    url.search = '';
    url.hash = '';
    this.base = url.href.endsWith('/') ? url.href : `${url.href}/`;
    this.credentials = new Credentials(options);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The absolute URL of an API path (for a protocol client: AG-UI's HttpAgent, MCP, A2A). */
  url(path: string, query: Query = {}): string {
    const u = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === '') continue;
      u.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    return u.href;
  }

  /** The headers that authenticate a request now (for a protocol client that sends its own). */
  async headers(): Promise<Record<string, string>> {
    return { ...this.options.headers, ...(await this.credentials.headers()) };
  }

  /** Sends the call and reads its JSON answer (undefined for 204). */
  json<T>(spec: RequestSpec): Promise<T> {
    return this.call(spec, async (r) => (r.status === 204 ? undefined : await r.json()) as T);
  }

  /**
   * `json` of the usual call: `method` on `path`, with what it sends (a query, a body, whether it is
   * repeatable, its own time limit) and the caller's options, which win.
   */
  send<T>(
    method: HttpMethod,
    path: string,
    options: CallOptions = {},
    sends: Pick<RequestSpec, 'query' | 'body' | 'repeatable' | 'timeoutMs'> = {},
  ): Promise<T> {
    return this.json({ method, path, ...sends, ...options });
  }

  /**
   * Sends the call and answers its response with the body unread (a stream). The time limit covers the
   * wait for the response's head; the caller's signal goes on aborting the body.
   */
  open(spec: RequestSpec): Promise<Response> {
    return this.call(spec, (r) => Promise.resolve(r), true);
  }

  private async call<T>(
    spec: RequestSpec,
    read: (r: Response) => Promise<T>,
    streaming = false,
  ): Promise<T> {
    const repeatable = spec.repeatable ?? repeatableByMethod(spec.method);
    let refresh = false;
    let pause = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(spec, refresh, attempt, read, streaming);
      } catch (e) {
        const cured = !refresh && isUnauthorized(e) && this.credentials.refreshable;
        if (cured) {
          refresh = true; // ask the token function again, once: nothing ran on a 401
          attempt--;
          continue;
        }
        if (isUnauthorized(e)) this.options.onUnauthorized?.(e as ApiError);
        const wait = this.retryPause(e, repeatable, attempt, pause, spec.retries);
        if (wait === undefined) throw e;
        pause = wait;
        await sleep(wait, spec.signal);
      }
    }
  }

  /** The pause before trying again, or undefined when the error stands. */
  private retryPause(
    e: unknown,
    repeatable: boolean,
    attempt: number,
    previous: number,
    retries = this.retry.retries,
  ): number | undefined {
    if (!repeatable || attempt > retries || !isSwitchboardError(e)) return undefined;
    const unavailable = e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'CONNECTION';
    if (!unavailable) return undefined;
    const after = (e as Partial<ApiError>).retryAfterMs;
    if (after !== undefined) return after <= this.retry.maxDelayMs ? after : undefined;
    return backoffMs(previous, this.retry);
  }

  private async attempt<T>(
    spec: RequestSpec,
    refresh: boolean,
    attempt: number,
    read: (r: Response) => Promise<T>,
    streaming: boolean,
  ): Promise<T> {
    const call: CallSite = { method: spec.method, path: `/${spec.path}` };
    const started = Date.now();
    const timeoutMs = spec.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = timeoutMs > 0 ? setTimeout(() => deadline.abort(), timeoutMs) : undefined;
    const linked = anySignal([spec.signal, deadline.signal]);
    const entry: CallLog = { method: call.method, path: call.path, attempt, durationMs: 0 };
    try {
      const response = await this.fetchFn(this.url(spec.path, spec.query), {
        method: spec.method,
        headers: await this.requestHeaders(spec, refresh),
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        signal: linked.signal,
        cache: 'no-store',
      });
      entry.status = response.status;
      const requestId = response.headers.get('x-request-id');
      if (requestId) entry.requestId = requestId;
      if (!response.ok) throw await errorOf(response, call);
      return await read(response);
    } catch (e) {
      const error = this.failure(e, call, spec.signal, deadline.signal, timeoutMs);
      if (isSwitchboardError(error)) entry.error = error.code;
      throw error;
    } finally {
      clearTimeout(timer);
      if (!streaming) linked.dispose();
      entry.durationMs = Date.now() - started;
      this.options.log?.(entry);
    }
  }

  private async requestHeaders(
    spec: RequestSpec,
    refresh: boolean,
  ): Promise<Record<string, string>> {
    return {
      accept: spec.accept ?? 'application/json',
      ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...this.options.headers,
      ...spec.headers,
      ...(await this.credentials.headers(refresh)),
    };
  }

  /** What a try's failure is: the caller's abort as it is, our timeout, no answer, or the API's error. */
  private failure(
    e: unknown,
    call: CallSite,
    caller: AbortSignal | undefined,
    deadline: AbortSignal,
    timeoutMs: number,
  ): unknown {
    if (isSwitchboardError(e)) return e;
    if (caller?.aborted) return caller.reason;
    if (deadline.aborted) return new RequestTimeoutError(call, timeoutMs);
    return new ConnectionError(call, e);
  }
}

const isUnauthorized = (e: unknown): boolean => isSwitchboardError(e) && e.code === 'UNAUTHORIZED';

/** The typed error of a failed answer: its envelope, or what the status line says. */
export async function errorOf(response: Response, call: CallSite): Promise<ApiError> {
  let envelope: Partial<ErrorEnvelope> = {};
  try {
    const body = (await response.json()) as unknown;
    if (typeof body === 'object' && body !== null)
      envelope = envelopeOf(body as Record<string, unknown>);
  } catch {
    // not JSON (a proxy's error page): the status line says what there is
  }
  if (envelope.requestId === undefined) {
    const id = response.headers.get('x-request-id');
    if (id) envelope.requestId = id;
  }
  if (envelope.message === undefined && response.statusText) envelope.message = response.statusText;
  return apiErrorOf(
    response.status,
    envelope,
    call,
    retryAfterOf(response.headers.get('retry-after')),
  );
}

function envelopeOf(body: Record<string, unknown>): Partial<ErrorEnvelope> {
  const { code, message, details, requestId } = body;
  return {
    ...(typeof code === 'string' ? { code: code as ErrorEnvelope['code'] } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof details === 'object' && details !== null && !Array.isArray(details)
      ? { details: details as Record<string, unknown> }
      : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}
