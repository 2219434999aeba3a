import { Ctx, MessagePattern, NatsContext, Payload, RpcException } from '@nestjs/microservices';
import {
  type CommandContract,
  DomainError,
  requestSubject,
  validationError,
} from '@switchboard/contracts';
import {
  type Logger,
  type Metrics,
  requestContext,
  SpanKind,
  withExtractedContext,
  withSpan,
} from '@switchboard/observability';
import type { z } from 'zod';
import { type MessageMeta, natsSpanAttributes, readMeta, replyIdentityOf } from './message-meta.js';
import { toErrorBody } from './messaging.errors.js';

/**
 * Who counts and logs one service's handled commands: its metrics and logger. Each CommandServer has
 * its own (set by the runtime at start) and hands it to the handlers with the message's context, so
 * in a process that runs several services (a cell) every command is counted by the service that
 * handled it — never by a process-wide observer shared by all of them.
 */
export interface HandlerObserver {
  handled(subject: string, outcome: string, seconds: number): void;
  unexpected(subject: string, errorId: string | undefined, error: unknown): void;
  invalidReply(subject: string, error: DomainError): void;
  /** A request refused before its handler ran (malformed, invalid, or not a request at all). */
  refused(subject: string, reason: string, fields: Record<string, unknown>): void;
}

/** A service's observer: `sb_nats_handled_total` and friends in its metrics, problems in its log. */
export function commandObserver(metrics: Metrics, logger: Logger): HandlerObserver {
  return {
    handled: (subject, outcome, seconds) => metrics.observeNatsHandled(subject, outcome, seconds),
    unexpected: (subject, errorId, error) =>
      logger.error({ err: error, subject, errorId }, 'unexpected error in command handler'),
    invalidReply: (subject, error) =>
      logger.error({ subject, issues: error.details }, 'command handler produced an invalid reply'),
    refused: (subject, reason, fields) =>
      logger.warn({ subject, ...fields, reason }, `refused a request: ${reason}`),
  };
}

/**
 * The message context a CommandServer hands its handlers: Nest's, plus the server's observer and the
 * request's reply subject (Nest's context has none).
 */
export class ObservedNatsContext extends NatsContext {
  constructor(
    args: ConstructorParameters<typeof NatsContext>[0],
    readonly observer: HandlerObserver | undefined,
    readonly reply?: string,
  ) {
    super(args);
  }
}

/** Reports a request refused before its handler ran: one log line, and the refusal counted. */
export function refused(
  observer: HandlerObserver | undefined,
  subject: string,
  reason: string,
  fields: Record<string, unknown>,
): void {
  observer?.refused(subject, reason, fields);
  observer?.handled(subject, 'VALIDATION', 0);
}

export type CommandHandler<C extends CommandContract> = (
  input: z.infer<C['request']>,
  meta: MessageMeta,
) => Promise<z.input<C['response']>> | z.input<C['response']>;

/**
 * Binds a method to a command contract: subscribes to its subject (in the service's queue group),
 * validates the request (VALIDATION error naming the fields), runs the method with the message meta
 * inside the caller's trace and correlation context, validates the reply, and serializes any error as
 * the platform's ErrorBody. The method stays a plain `(input, meta) => result`.
 */
export function HandleCommand<C extends CommandContract>(contract: C): MethodDecorator {
  return (target, propertyKey, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (input: unknown, meta: MessageMeta) => unknown;
    const subject = contract.subject;
    const wrapped = async function (
      this: unknown,
      data: unknown,
      ctx: NatsContext,
    ): Promise<unknown> {
      const started = performance.now();
      const observer = ctx instanceof ObservedNatsContext ? ctx.observer : undefined;
      const headers = ctx.getHeaders();
      const replyTo = ctx instanceof ObservedNatsContext ? replyIdentityOf(ctx.reply) : undefined;
      const meta = { ...readMeta(ctx.getSubject(), headers), ...(replyTo ? { replyTo } : {}) };
      let outcome = 'ok';
      try {
        return await requestContext.run(
          {
            correlationId: meta.correlationId,
            subject,
            ...(meta.actor ? { actor: meta.actor } : {}),
          },
          () =>
            withExtractedContext(
              (k) => headers?.get(k) || undefined,
              () =>
                withSpan(
                  `nats handle ${subject}`,
                  natsSpanAttributes(subject, 'process'),
                  async () => {
                    const input = contract.request.safeParse(data);
                    const invalid = input.success
                      ? wrongSubject(contract, meta.subject, input.data)
                      : validationError(`request on ${subject}`, input.error);
                    if (invalid) {
                      observer?.refused(subject, invalid.message, {
                        correlationId: meta.correlationId,
                        ...(meta.actor ? { userId: meta.actor.userId } : {}),
                      });
                      throw invalid;
                    }
                    const result = await original.call(this, input.data, meta);
                    const reply = contract.response.safeParse(result);
                    if (!reply.success) {
                      const err = validationError(`reply of ${subject}`, reply.error);
                      observer?.invalidReply(subject, err);
                      throw new DomainError(
                        'INTERNAL',
                        `the handler of ${subject} produced an invalid reply`,
                      );
                    }
                    return reply.data;
                  },
                  { kind: SpanKind.SERVER },
                ),
            ),
        );
      } catch (e) {
        const { body, unexpected } = toErrorBody(e, meta.correlationId);
        outcome = body.code;
        if (unexpected) observer?.unexpected(subject, body.errorId, e);
        throw new RpcException(body);
      } finally {
        observer?.handled(subject, outcome, (performance.now() - started) / 1000);
      }
    };
    Object.defineProperty(wrapped, 'name', { value: String(propertyKey) });
    descriptor.value = wrapped;
    Payload()(target, propertyKey, 0);
    Ctx()(target, propertyKey, 1);
    // A subject with a placeholder is served on its pattern (`sb.cmd.tools.call.*`).
    MessagePattern(contract.token ? contract.pattern : subject)(target, propertyKey, descriptor);
    return descriptor;
  };
}

/**
 * For a command whose subject carries a token of the request (`sb.cmd.tools.call.<taskId>`): the
 * VALIDATION error of a request sent on another subject than its own, so that what plain NATS tools
 * read from a subject is what the request says. Undefined when it matches (or has no placeholder).
 */
function wrongSubject(
  contract: CommandContract,
  received: string,
  request: unknown,
): DomainError | undefined {
  const token = contract.token;
  if (!token) return undefined;
  let expected: string;
  try {
    expected = requestSubject(contract, request);
  } catch (e) {
    return new DomainError('VALIDATION', `request on ${received}: ${(e as Error).message}`);
  }
  if (expected === received) return undefined;
  return new DomainError(
    'VALIDATION',
    `request on ${received} belongs on ${expected}: the subject's last token must be the request's ${token} (or _ without one)`,
    { details: { issues: [{ path: token, message: `must match the subject (${received})` }] } },
  );
}
