/**
 * An error answer of the API: its envelope (`code`, `message`, `requestId`, `details`: a refusal's
 * particulars, e.g. the fields a VALIDATION names or the quota a RATE_LIMITED names) and HTTP status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** One line for the page: the message, and the request id to find it in the logs. */
  get line(): string {
    return `${this.message} (${this.code}, HTTP ${this.status}${this.requestId ? `, request ${this.requestId}` : ''})`;
  }
}

/** Reads the error envelope of a failed response (or describes what came instead). */
export async function errorOf(response: Response): Promise<ApiError> {
  let body: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: fall back to the status line
  }
  return new ApiError(
    response.status,
    typeof body.code === 'string' ? body.code : `HTTP_${response.status}`,
    typeof body.message === 'string' ? body.message : response.statusText || 'request failed',
    typeof body.requestId === 'string'
      ? body.requestId
      : (response.headers.get('x-request-id') ?? undefined),
    isRecord(body.details) ? body.details : undefined,
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export type Query = Record<string, string | number | undefined>;

/** The API as the console calls it: JSON in and out, the user's headers on every request. */
export class Api {
  constructor(
    /** The gateway's base URL, ending with `/`. */
    readonly base: string,
    private readonly headers: () => Record<string, string>,
    private readonly onUnauthorized: (e: ApiError) => void = () => undefined,
  ) {}

  url(path: string, query: Query = {}): string {
    const u = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  authHeaders(): Record<string, string> {
    return this.headers();
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', this.url(path, query), undefined, signal);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('POST', this.url(path), body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('PUT', this.url(path), body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', this.url(path), body);
  }

  delete<T>(path: string): Promise<T> {
    return this.send<T>('DELETE', this.url(path));
  }

  private async send<T>(
    method: string,
    url: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...this.headers(),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) {
      const e = await errorOf(response);
      if (e.status === 401) this.onUnauthorized(e);
      throw e;
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}

/** The gateway's base URL for a page at `<base>console/…`. */
export function gatewayBase(pageUrl: string): string {
  const u = new URL(pageUrl);
  const at = u.pathname.lastIndexOf('/console/');
  u.pathname = at >= 0 ? u.pathname.slice(0, at + 1) : '/';
  u.search = '';
  u.hash = '';
  return u.toString();
}
