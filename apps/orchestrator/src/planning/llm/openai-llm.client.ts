import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError, isDomainError } from '@switchboard/contracts';
import { withSpan } from '@switchboard/observability';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { abortError } from '../../dispatch/dispatch.context.js';
import type { LlmClient, LlmCompletion, LlmRequest, LlmToolCall } from './llm.client.js';
import { LlmMetrics } from './llm.metrics.js';

type Settings = Pick<
  OrchestratorEnv,
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'LLM_TIMEOUT_MS'
  | 'LLM_MAX_RETRIES'
  | 'LLM_STREAM'
  | 'LLM_MAX_TOKENS_PARAM'
>;

/**
 * Chat completions over HTTP with the official `openai` client, against any OpenAI-compatible server.
 * The SDK stays in this file: callers see LlmCompletion and DomainErrors. The API key is only ever
 * handed to the SDK; error messages from the server are scrubbed before they travel anywhere.
 */
@Injectable()
export class OpenAiLlmClient implements LlmClient {
  private readonly client: OpenAI;
  private readonly host: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Settings,
    private readonly metrics: LlmMetrics,
  ) {
    this.client = new OpenAI({
      // Local OpenAI-compatible servers often need no key, but the SDK insists on one.
      apiKey: config.OPENAI_API_KEY ?? 'no-key',
      ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
      timeout: config.LLM_TIMEOUT_MS,
      maxRetries: config.LLM_MAX_RETRIES,
    });
    this.host = new URL(config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').host;
  }

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion> {
    const attributes = {
      'gen_ai.system': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': request.model,
      'server.address': this.host,
      ...(request.taskId ? { 'switchboard.task_id': request.taskId } : {}),
      ...(request.iteration ? { 'switchboard.iteration': request.iteration } : {}),
    };
    const stop = this.metrics.seconds.startTimer({ model: request.model });
    return withSpan('llm.chat', attributes, async (span) => {
      try {
        const completion = this.config.LLM_STREAM
          ? await this.streamed(request, signal)
          : await this.plain(request, signal);
        this.metrics.calls.inc({ model: request.model, outcome: 'ok' });
        if (completion.usage) {
          span.setAttribute('gen_ai.usage.input_tokens', completion.usage.promptTokens);
          span.setAttribute('gen_ai.usage.output_tokens', completion.usage.completionTokens);
          this.metrics.tokens.inc(
            { model: request.model, kind: 'prompt' },
            completion.usage.promptTokens,
          );
          this.metrics.tokens.inc(
            { model: request.model, kind: 'completion' },
            completion.usage.completionTokens,
          );
        }
        if (completion.finishReason)
          span.setAttribute('gen_ai.response.finish_reasons', [completion.finishReason]);
        return completion;
      } catch (e) {
        const error = this.translate(e, signal);
        this.metrics.calls.inc({ model: request.model, outcome: error.code });
        throw error;
      } finally {
        stop();
      }
    });
  }

  private params(request: LlmRequest): ChatCompletionCreateParamsBase {
    return {
      model: request.model,
      messages: request.messages,
      temperature: request.temperature,
      [this.config.LLM_MAX_TOKENS_PARAM]: request.maxOutputTokens,
      ...(request.tools.length
        ? {
            tools: request.tools.map((f) => ({ type: 'function' as const, function: f })),
            tool_choice: 'auto' as const,
          }
        : {}),
    };
  }

  private async plain(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion> {
    const res = await this.client.chat.completions.create(
      { ...this.params(request), stream: false },
      { signal },
    );
    const choice = res.choices[0];
    if (!choice) throw new DomainError('UPSTREAM_ERROR', 'the LLM server returned no choices');
    const toolCalls: LlmToolCall[] = (choice.message.tool_calls ?? []).flatMap((c) =>
      c.type === 'function'
        ? [
            {
              id: c.id,
              type: 'function' as const,
              function: { name: c.function.name, arguments: c.function.arguments },
            },
          ]
        : [],
    );
    return {
      content: choice.message.content ?? null,
      toolCalls,
      ...(res.usage
        ? {
            usage: {
              promptTokens: res.usage.prompt_tokens,
              completionTokens: res.usage.completion_tokens,
            },
          }
        : {}),
      model: res.model || request.model,
      ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
    };
  }

  /** Streams and reassembles the answer (tool call fragments arrive by index). */
  private async streamed(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion> {
    const stream = await this.client.chat.completions.create(
      { ...this.params(request), stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    let content = '';
    let sawContent = false;
    let model = request.model;
    let finishReason: string | undefined;
    let usage: LlmCompletion['usage'];
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      if (chunk.usage)
        usage = {
          promptTokens: chunk.usage.prompt_tokens,
          completionTokens: chunk.usage.completion_tokens,
        };
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.content) {
        content += choice.delta.content;
        sawContent = true;
      }
      for (const d of choice.delta.tool_calls ?? []) {
        const call = calls.get(d.index) ?? { id: '', name: '', arguments: '' };
        if (d.id) call.id = d.id;
        if (d.function?.name) call.name += d.function.name;
        if (d.function?.arguments) call.arguments += d.function.arguments;
        calls.set(d.index, call);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    const toolCalls: LlmToolCall[] = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, c]) => ({
        id: c.id || `call_${i}`,
        type: 'function' as const,
        function: { name: c.name, arguments: c.arguments },
      }));
    return {
      content: sawContent ? content : null,
      toolCalls,
      ...(usage ? { usage } : {}),
      model,
      ...(finishReason ? { finishReason } : {}),
    };
  }

  /** SDK errors become DomainErrors whose messages hold nothing secret. */
  private translate(e: unknown, signal: AbortSignal): DomainError {
    if (signal.aborted) return abortError(signal);
    if (isDomainError(e)) return e;
    if (e instanceof APIUserAbortError)
      return new DomainError('CANCELLED', 'the LLM call was aborted');
    if (e instanceof APIConnectionTimeoutError) {
      return new DomainError(
        'TIMEOUT',
        `the LLM server at ${this.host} did not answer within ${this.config.LLM_TIMEOUT_MS} ms`,
        { retryable: true },
      );
    }
    if (e instanceof APIConnectionError) {
      return new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `the LLM server at ${this.host} cannot be reached`,
        { retryable: true },
      );
    }
    if (e instanceof AuthenticationError || e instanceof PermissionDeniedError) {
      // The server's own message may quote part of the key: say only what happened.
      return new DomainError(
        'UPSTREAM_ERROR',
        `the LLM server at ${this.host} refused the credentials (HTTP ${e.status}); check OPENAI_API_KEY`,
      );
    }
    if (e instanceof RateLimitError) {
      return new DomainError(
        'RATE_LIMITED',
        `the LLM server at ${this.host} is rate limiting (HTTP 429) and retries ran out`,
        { retryable: true },
      );
    }
    if (e instanceof APIError) {
      const status = typeof e.status === 'number' ? e.status : 0;
      const detail = scrub(e.message, this.config.OPENAI_API_KEY);
      return new DomainError(
        status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR',
        `the LLM server at ${this.host} answered HTTP ${status}: ${detail}`,
        {
          retryable: status >= 500,
        },
      );
    }
    return new DomainError(
      'UPSTREAM_ERROR',
      `the LLM call failed: ${scrub((e as Error)?.message ?? String(e), this.config.OPENAI_API_KEY)}`,
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
