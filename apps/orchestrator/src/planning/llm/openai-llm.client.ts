import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { retryWithBackoff } from '@switchboard/messaging';
import { LOGGER, type Logger, withSpan } from '@switchboard/observability';
import { openAiClient } from '@switchboard/runtime';
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { abortError } from '../../dispatch/dispatch.context.js';
import type { LlmClient, LlmCompletion, LlmRequest, LlmToolCall } from './llm.client.js';
import { LlmMetrics } from './llm.metrics.js';
import { LlmErrorTranslator } from './llm-error.translator.js';
import { retryLlmCall } from './llm-retry.policy.js';

type Settings = Pick<
  OrchestratorEnv,
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'LLM_TIMEOUT_MS'
  | 'LLM_MAX_RETRIES'
  | 'LLM_STREAM'
  | 'LLM_STREAM_IDLE_MS'
  | 'LLM_MAX_TOKENS_PARAM'
>;

/** Waits between the attempts of a stalled streamed answer. */
const STALL_BACKOFF = { initialDelayMs: 100, maxDelayMs: 2_000 };

/** A streamed answer that stopped arriving (LLM_STREAM_IDLE_MS without a chunk): asked again. */
class StalledAnswer extends DomainError {
  constructor(host: string, idleMs: number) {
    super(
      'TIMEOUT',
      `the streamed answer of the LLM server at ${host} stalled: nothing for ${idleMs} ms (LLM_STREAM_IDLE_MS)`,
      { retryable: true, details: { reason: 'stalled', idleMs } },
    );
  }
}

/**
 * Chat completions over HTTP with the official `openai` client, against any OpenAI-compatible server.
 * The SDK stays in this file and its error translator (llm-error.translator.ts): callers see
 * LlmCompletion and DomainErrors. The API key is only ever
 * handed to the SDK; error messages from the server are scrubbed before they travel anywhere. Each
 * call is a span; each retry of it is one warning line, and so is a call that failed for good.
 */
@Injectable()
export class OpenAiLlmClient implements LlmClient {
  /**
   * The SDK's client, made at the first call (the package is imported then). Retries are ours
   * (retryLlmCall): one budget for timeouts and HTTP failures alike, each attempt timed to its last
   * chunk, within the task's time.
   */
  private readonly openai: () => Promise<OpenAI>;
  private readonly host: string;
  private readonly errors: LlmErrorTranslator;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Settings,
    private readonly metrics: LlmMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.host = new URL(config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').host;
    this.errors = new LlmErrorTranslator(this.host, config.LLM_TIMEOUT_MS, config.OPENAI_API_KEY);
    this.openai = openAiClient({
      apiKey: config.OPENAI_API_KEY,
      baseURL: config.OPENAI_BASE_URL,
      timeout: config.LLM_TIMEOUT_MS,
    });
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
    const started = performance.now();
    const stop = this.metrics.seconds.startTimer({ model: request.model });
    return withSpan('llm.chat', attributes, async (span) => {
      try {
        const completion = await retryLlmCall(() => this.attempt(request, signal), {
          maxRetries: this.config.LLM_MAX_RETRIES,
          signal,
          onRetry: (error, attempt, delayMs) => this.logRetry(request, error, attempt, delayMs),
        });
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
        const error = signal.aborted ? abortError(signal) : this.errors.translate(e, signal);
        this.metrics.calls.inc({ model: request.model, outcome: error.code });
        // The task stopping the call (cancelled, out of time) is not the model failing.
        if (!signal.aborted) this.logFailure(request, error, started);
        throw error;
      } finally {
        stop();
      }
    });
  }

  /**
   * One request, streamed or not, limited to LLM_TIMEOUT_MS from sending it to the answer's last
   * chunk: the client's own timer only runs until the response headers arrive, and a model may stall
   * after its first chunk. A timed-out attempt is retryable like any other transient failure.
   */
  private async attempt(request: LlmRequest, signal: AbortSignal): Promise<LlmCompletion> {
    // The SDK first: importing it (the first call after a start, a third of a second of CPU and far
    // more on a loaded machine) is not the server's answer, and must not spend its time limit.
    const sdk = await this.openai();
    // A timer cleared when the attempt ends, not AbortSignal.timeout: that one lives out the whole
    // LLM_TIMEOUT_MS after an answer that came sooner, holding the task's async context meanwhile
    // (the leak the task deadline had, CancellationRegistry).
    const expiry = new AbortController();
    const timer = setTimeout(
      () => expiry.abort(new DOMException('the LLM call ran out of time', 'TimeoutError')),
      this.config.LLM_TIMEOUT_MS,
    );
    const attemptSignal = AbortSignal.any([signal, expiry.signal]);
    const deadline = Date.now() + this.config.LLM_TIMEOUT_MS;
    try {
      return this.config.LLM_STREAM
        ? await this.streamedUntilAnswered(sdk, request, attemptSignal, deadline)
        : await this.plain(sdk, request, attemptSignal);
    } catch (e) {
      throw this.errors.translate(e, signal, expiry.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private params(request: LlmRequest): ChatCompletionCreateParamsBase {
    return {
      model: request.model,
      messages: request.messages,
      temperature: request.temperature,
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      [this.config.LLM_MAX_TOKENS_PARAM]: request.maxOutputTokens,
      ...(request.tools.length
        ? {
            tools: request.tools.map((f) => ({ type: 'function' as const, function: f })),
            tool_choice: 'auto' as const,
          }
        : {}),
    };
  }

  private async plain(
    sdk: OpenAI,
    request: LlmRequest,
    signal: AbortSignal,
  ): Promise<LlmCompletion> {
    const res = await sdk.chat.completions.create(
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

  /**
   * A streamed answer that stalls is abandoned and asked for again, as often as the attempt's time limit
   * (LLM_TIMEOUT_MS) allows: an overloaded server often leaves one answer hanging and serves the next.
   */
  private streamedUntilAnswered(
    sdk: OpenAI,
    request: LlmRequest,
    signal: AbortSignal,
    deadline: number,
  ): Promise<LlmCompletion> {
    return retryWithBackoff(() => this.streamed(sdk, request, signal), {
      backoff: STALL_BACKOFF,
      retryIf: (e) => e instanceof StalledAnswer,
      until: () => deadline,
      signal,
      onRetry: (e, attempt, delayMs) =>
        this.logger.warn(
          {
            model: request.model,
            server: this.host,
            attempt,
            delayMs,
            ...(request.taskId ? { taskId: request.taskId } : {}),
            ...(request.iteration ? { iteration: request.iteration } : {}),
            error: (e as Error).message,
          },
          'a streamed LLM answer stalled; asking again',
        ),
    });
  }

  /**
   * Streams and reassembles the answer (tool call fragments arrive by index). Silence longer than
   * LLM_STREAM_IDLE_MS — before the first chunk or between two — ends it as StalledAnswer.
   */
  private async streamed(
    sdk: OpenAI,
    request: LlmRequest,
    signal: AbortSignal,
  ): Promise<LlmCompletion> {
    const idleMs = this.config.LLM_STREAM_IDLE_MS;
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const heard = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new StalledAnswer(this.host, idleMs)), idleMs);
    };
    heard();
    try {
      return await this.readStream(sdk, request, AbortSignal.any([signal, idle.signal]), heard);
    } catch (e) {
      if (idle.signal.aborted && !signal.aborted) throw idle.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private async readStream(
    sdk: OpenAI,
    request: LlmRequest,
    signal: AbortSignal,
    heard: () => void,
  ): Promise<LlmCompletion> {
    const stream = await sdk.chat.completions.create(
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
      heard();
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
    // An aborted stream just ends (the client swallows the abort): what arrived is not the answer.
    if (signal.aborted) throw signal.reason;
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

  /** One line per retry: why the attempt failed and how long until the next (never the prompt). */
  private logRetry(request: LlmRequest, error: DomainError, attempt: number, delayMs: number) {
    this.logger.warn(
      { ...this.failureFields(request, error), attempt, delayMs },
      'an LLM call failed; asking again',
    );
  }

  /** One line per failed call: what failed and how, from the scrubbed error (never the prompt). */
  private logFailure(request: LlmRequest, error: DomainError, started: number): void {
    this.logger.warn(
      {
        ...this.failureFields(request, error),
        durationMs: Math.round(performance.now() - started),
      },
      'llm call failed',
    );
  }

  private failureFields(request: LlmRequest, error: DomainError): Record<string, unknown> {
    const status = error.details?.['status'];
    return {
      model: request.model,
      server: this.host,
      code: error.code,
      ...(typeof status === 'number' ? { status } : {}),
      retryable: error.retryable,
      error: error.message,
      ...(request.taskId ? { taskId: request.taskId } : {}),
      ...(request.iteration ? { iteration: request.iteration } : {}),
    };
  }
}
