import { DomainError, isDomainError } from '@switchboard/contracts';
import { loadedOpenAiSdk, type OpenAiSdk } from '@switchboard/runtime';
import type { APIError } from 'openai';
import { abortError } from '../../dispatch/dispatch.context.js';
import { retryAfterMs } from './llm-retry.policy.js';

/**
 * The `openai` client's errors as DomainErrors (OpenAiLlmClient's, beside it so the SDK stays in these
 * two files): what failed and whether another attempt may fix it, never the key.
 */
export class LlmErrorTranslator {
  constructor(
    /** The LLM server's host, as messages name it. */
    private readonly host: string,
    /** LLM_TIMEOUT_MS, as a timeout's message says it. */
    private readonly timeoutMs: number,
    /** OPENAI_API_KEY: removed from anything the server echoes. */
    private readonly apiKey: string | undefined,
  ) {}

  /**
   * SDK errors become DomainErrors whose messages hold nothing secret; `retryable` marks what another
   * attempt may fix, `details` carry the HTTP status and the wait the server asked for.
   */
  translate(e: unknown, signal: AbortSignal, expired?: AbortSignal): DomainError {
    if (signal.aborted) return abortError(signal);
    // Not imported yet: no call was made with it, so no error is one of its own.
    const sdk = loadedOpenAiSdk();
    if (expired?.aborted || (sdk && e instanceof sdk.APIConnectionTimeoutError)) {
      return new DomainError(
        'TIMEOUT',
        `the LLM server at ${this.host} did not finish its answer within ${this.timeoutMs} ms (LLM_TIMEOUT_MS)`,
        { retryable: true },
      );
    }
    if (isDomainError(e)) return e;
    if (!sdk) return this.unknown(e);
    if (e instanceof sdk.APIUserAbortError)
      return new DomainError('CANCELLED', 'the LLM call was aborted');
    if (e instanceof sdk.APIConnectionError) {
      return new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `the LLM server at ${this.host} cannot be reached`,
        { retryable: true },
      );
    }
    if (e instanceof sdk.APIError) return this.fromStatus(sdk, e);
    return this.unknown(e);
  }

  private unknown(e: unknown): DomainError {
    return new DomainError(
      'UPSTREAM_ERROR',
      `the LLM call failed: ${scrub((e as Error)?.message ?? String(e), this.apiKey)}`,
    );
  }

  private fromStatus(sdk: OpenAiSdk, e: APIError): DomainError {
    const status = typeof e.status === 'number' ? e.status : 0;
    const asked = retryAfterMs(e.headers);
    const details = { status, ...(asked !== undefined ? { retryAfterMs: asked } : {}) };
    if (e instanceof sdk.AuthenticationError || e instanceof sdk.PermissionDeniedError) {
      // The server's own message may quote part of the key: say only what happened.
      return new DomainError(
        'UPSTREAM_ERROR',
        `the LLM server at ${this.host} refused the credentials (HTTP ${status}); check OPENAI_API_KEY`,
        { details },
      );
    }
    // As the openai client judges: the server may say, else 408, 409, 429 and 5xx are worth a retry.
    const should = e.headers?.get('x-should-retry');
    const retryable =
      should === 'true' ||
      (should !== 'false' && (status === 408 || status === 409 || status === 429 || status >= 500));
    if (e instanceof sdk.RateLimitError) {
      return new DomainError(
        'RATE_LIMITED',
        `the LLM server at ${this.host} is rate limiting (HTTP 429)`,
        { retryable, details },
      );
    }
    const detail = scrub(e.message, this.apiKey);
    return new DomainError(
      status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR',
      `the LLM server at ${this.host} answered HTTP ${status}: ${detail}`,
      { retryable, details },
    );
  }
}

/** Removes the key (whole or as the usual masked `sk-…` echo) and cuts long server messages. */
export function scrub(message: string, apiKey: string | undefined): string {
  let s = apiKey && apiKey.length >= 4 ? message.split(apiKey).join('[redacted]') : message;
  s = s
    .replace(/\b(sk|rk|pk)-[A-Za-z0-9*_-]{4,}/g, '[redacted]')
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
