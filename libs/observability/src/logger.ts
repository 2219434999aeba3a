import type { LoggerService } from '@nestjs/common';
import { type DestinationStream, type Level, pino, type Logger, type LoggerOptions } from 'pino';
import { requestContext } from './request-context.js';
import { currentTraceIds } from './spans.js';

export type { Logger } from 'pino';

/**
 * Paths redacted from every log line (any depth we know of). Secrets must not reach logs even when a
 * whole request, config or error object is logged by mistake.
 */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'apiKey',
  'authorization',
  'cookie',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-proxy-secret"]',
  '*.*.password',
  '*.*.secret',
  '*.*.token',
  '*.*.apiKey',
  'credentials',
  '*.credentials',
  '*.*.credentials',
];

export interface LoggerSettings {
  service: string;
  instance: string;
  level: string;
  pretty: boolean;
  /** Where lines go (default stdout); tests read them from here. */
  destination?: DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, instance: settings.instance },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Every line carries the correlation id, subject and trace of the work it belongs to.
    mixin() {
      const ctx = requestContext.get();
      const ids = currentTraceIds();
      if (!ctx) return ids ?? {};
      return {
        correlationId: ctx.correlationId,
        ...(ctx.subject ? { subject: ctx.subject } : {}),
        ...(ctx.taskId ? { taskId: ctx.taskId } : {}),
        ...ids,
      };
    },
  };
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** Routes Nest's own log calls into pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  // Each Nest level and the pino level it is written at (Nest's verbose is pino's trace).
  readonly log = this.at('info');
  readonly error = this.at('error');
  readonly warn = this.at('warn');
  readonly debug = this.at('debug');
  readonly verbose = this.at('trace');
  readonly fatal = this.at('fatal');

  /** Nest's log method writing at `level`: a message (Error, object or text), then a context. */
  private at(level: Level): (message: unknown, ...rest: unknown[]) => void {
    return (message, ...rest) => this.write(level, message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const contextName =
      typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message instanceof Error) {
      this.logger[level]({ err: message, context: contextName }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...message, context: contextName });
    } else {
      this.logger[level]({ context: contextName }, String(message));
    }
  }
}
