import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import {
  type Actor,
  DomainError,
  isDomainError,
  tenantOf,
  type Tools,
} from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import {
  type CallRecord,
  RichToolOutput,
  type ToolContext,
} from '../registry/tool-implementation.js';
import type { RegisteredTool } from '../registry/tool-registry.service.js';
import { CREDENTIALS, type CredentialStore } from './credential-store.js';
import { SchemaValidator } from './schema-validator.js';
import { scrubValues } from './scrub.js';
import { TaskCancellations } from './task-cancellations.js';

export interface RunResult {
  output: unknown;
  content?: Tools.ContentBlock[] | undefined;
}

/**
 * Runs one permitted tool: validates the input, injects its credentials, bounds it by its timeout,
 * aborts it when its task is cancelled, then scrubs credentials from the result, checks its size and
 * validates it against the output schema.
 */
@Injectable()
export class ToolRunner {
  constructor(
    private readonly validator: SchemaValidator,
    private readonly cancellations: TaskCancellations,
    @Inject(CREDENTIALS) private readonly credentials: CredentialStore,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  validateInput(registered: RegisteredTool, input: Record<string, unknown>): void {
    this.validator.assertValid(
      registered.definition.inputSchema,
      input,
      `input of ${registered.definition.name}`,
    );
  }

  async run(
    actor: Actor,
    registered: RegisteredTool,
    req: Tools.ToolCallRequest,
    call?: CallRecord,
  ): Promise<RunResult> {
    const { definition, implementation } = registered;
    const tenant = tenantOf(actor);
    const credentials = this.credentials.resolve(
      definition.name,
      definition.requiredCredentials,
      tenant,
    );
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let unwatch = (): void => undefined;
    const raw = await new Promise<unknown>((resolve, reject) => {
      const stop = (error: DomainError) => {
        controller.abort(error);
        reject(error);
      };
      timer = setTimeout(
        () =>
          stop(
            new DomainError(
              'TIMEOUT',
              `tool ${definition.name} timed out after ${definition.timeoutMs} ms`,
              { retryable: true },
            ),
          ),
        definition.timeoutMs,
      );
      if (req.taskId) {
        unwatch = this.cancellations.watch(req.taskId, tenantOf(actor), (reason) =>
          stop(
            new DomainError(
              'CANCELLED',
              `tool ${definition.name} was cancelled with its task: ${reason}`,
            ),
          ),
        );
      }
      if (controller.signal.aborted) return;
      implementation
        .run(req.input, {
          actor,
          ...scopeOf(req),
          credentials,
          signal: controller.signal,
          idempotencyKey: req.idempotencyKey,
          ...(call ? { call } : {}),
          ...(req.answer ? { answer: req.answer } : {}),
        })
        .then(resolve, reject);
    }).finally(() => {
      clearTimeout(timer);
      unwatch();
    });
    const secrets = this.credentials.valuesFor(definition.requiredCredentials, tenant);
    const result: RunResult =
      raw instanceof RichToolOutput
        ? { output: scrubValues(raw.output, secrets), content: scrubValues(raw.content, secrets) }
        : { output: scrubValues(raw, secrets) };
    const size = Buffer.byteLength(JSON.stringify(result) ?? '');
    if (size > this.config.TOOL_RESULT_MAX_BYTES) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `the result of ${definition.name} is ${size} bytes; the limit is ${this.config.TOOL_RESULT_MAX_BYTES}`,
      );
    }
    if (definition.outputSchema) {
      this.validator.assertValid(
        definition.outputSchema,
        result.output,
        `output of ${definition.name}`,
        'UPSTREAM_ERROR',
      );
    }
    return result;
  }

  /**
   * The error as callers may see it: a DomainError whose message and details hold no credential (tools
   * may quote what they were given: the platform's, or `actor`'s tenant's own). Anything else becomes
   * INTERNAL and is logged here, scrubbed, since its text is not ours to trust.
   */
  safeError(registered: RegisteredTool | undefined, e: unknown, actor?: Actor): DomainError {
    const secrets = registered
      ? this.credentials.valuesFor(
          registered.definition.requiredCredentials,
          actor ? tenantOf(actor) : undefined,
        )
      : [];
    if (isDomainError(e)) {
      return new DomainError(e.code, scrubValues(e.message, secrets), {
        ...(e.details ? { details: scrubValues(e.details, secrets) } : {}),
        retryable: e.retryable,
      });
    }
    this.logger.error(
      {
        tool: registered?.definition.name,
        error: scrubValues(e instanceof Error ? `${e.name}: ${e.message}` : String(e), secrets),
      },
      'tool failed unexpectedly',
    );
    return new DomainError('INTERNAL', 'tool failed unexpectedly');
  }
}

/** The task a call is of and the tool constraints it runs under, as its implementation sees them. */
function scopeOf(req: Tools.ToolCallRequest): Pick<ToolContext, 'taskId' | 'constraints'> {
  return { taskId: req.taskId, ...(req.constraints ? { constraints: req.constraints } : {}) };
}
