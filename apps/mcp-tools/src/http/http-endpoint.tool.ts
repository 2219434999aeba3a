import { DomainError, type Tools } from '@switchboard/contracts';
import { fillTemplate } from '../definitions/tools-file.schema.js';
import type { ToolContext, ToolImplementation } from '../registry/tool-implementation.js';
import { scrubValues } from '../tools/scrub.js';

type HttpHandler = Extract<Tools.ToolHandler, { kind: 'http_endpoint' }>;

export interface HttpEndpointOptions {
  /** Largest response body read; a bigger one fails with PAYLOAD_TOO_LARGE. */
  maxResponseBytes: number;
}

/**
 * Runs an `http_endpoint` tool: GET/DELETE send the input as query parameters, the other methods as a
 * JSON body. `{{NAME}}` placeholders in the URL, headers and query are filled with the injected
 * credentials at call time only. Redirects are not followed, so a credential never travels to a host
 * other than the configured one. Errors name the tool, the host and the status, never the full URL.
 */
export class HttpEndpointTool implements ToolImplementation {
  private readonly handler: HttpHandler;

  constructor(
    readonly definition: Tools.ToolDefinitionInput,
    private readonly options: HttpEndpointOptions,
  ) {
    if (definition.handler.kind !== 'http_endpoint')
      throw new Error(`${definition.name} is not an http_endpoint tool`);
    // The input form may omit what the schema defaults (method, headers, query).
    this.handler = { method: 'POST', headers: {}, query: {}, ...definition.handler };
  }

  async run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const { name } = this.definition;
    const secrets = Object.values(ctx.credentials);
    const url = new URL(fillTemplate(this.handler.url, ctx.credentials));
    for (const [key, value] of Object.entries(this.handler.query))
      url.searchParams.set(key, fillTemplate(value, ctx.credentials));
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [key, value] of Object.entries(this.handler.headers))
      headers[key.toLowerCase()] = fillTemplate(value, ctx.credentials);
    const method = this.handler.method;
    let body: string | undefined;
    if (method === 'GET' || method === 'DELETE') {
      for (const [key, value] of Object.entries(input)) appendQuery(url.searchParams, key, value);
    } else {
      body = JSON.stringify(input);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: ctx.signal,
        redirect: 'manual',
      });
    } catch (e) {
      if (ctx.signal.aborted)
        throw ctx.signal.reason instanceof Error
          ? ctx.signal.reason
          : new DomainError('CANCELLED', `${name} was aborted`);
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `${name}: cannot reach ${url.host} (${cause})`,
        { retryable: true },
      );
    }
    const text = await readLimited(response, this.options.maxResponseBytes, name, ctx.signal);
    if (response.status >= 300 && response.status < 400) {
      throw new DomainError(
        'UPSTREAM_ERROR',
        `${name}: ${url.host} answered a redirect (HTTP ${response.status}), which is not followed`,
      );
    }
    if (!response.ok) {
      const snippet = scrubValues(text.slice(0, 300), secrets).replace(/\s+/g, ' ').trim();
      throw new DomainError(
        response.status === 429 ? 'RATE_LIMITED' : 'UPSTREAM_ERROR',
        `${name}: ${url.host} answered HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`,
        {
          retryable: response.status === 429 || response.status >= 500,
          details: { status: response.status },
        },
      );
    }
    if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new DomainError('UPSTREAM_ERROR', `${name}: ${url.host} answered invalid JSON`);
      }
    }
    return { text };
  }
}

function appendQuery(params: URLSearchParams, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) appendQuery(params, key, item);
    return;
  }
  params.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** Reads the body as text, refusing to buffer more than `max` bytes. */
async function readLimited(
  response: Response,
  max: number,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        throw new DomainError(
          'PAYLOAD_TOO_LARGE',
          `${name}: the response is larger than ${max} bytes`,
        );
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if (signal.aborted)
      throw signal.reason instanceof Error
        ? signal.reason
        : new DomainError('CANCELLED', `${name} was aborted`);
    throw new DomainError('UPSTREAM_UNAVAILABLE', `${name}: the response was cut off`, {
      retryable: true,
    });
  }
  return Buffer.concat(chunks).toString('utf8');
}
