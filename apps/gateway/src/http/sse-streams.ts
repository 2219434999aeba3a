import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { ServiceShutdown } from '@switchboard/runtime';
import type { FastifyReply } from 'fastify';
import type { GatewayEnv } from '../config/gateway.env.js';
import { SseWriter } from './sse.writer.js';

/** What an open stream is, for the log line of a dropped one. */
export interface SseAbout {
  taskId: string | undefined;
  /** Label of the stream (its format) in logs. */
  kind: string;
  /** What a dropped stream is called in the log (`event stream dropped: …`). */
  dropped: string;
}

/**
 * The gateway's open SSE responses (the task event streams and the AG-UI runs): each with the
 * configured heartbeat and buffer cap. When the gateway stops they are ended, not cut: clients resume
 * with Last-Event-ID elsewhere.
 */
@Injectable()
export class SseStreams {
  private readonly streams = new Set<SseWriter>();

  constructor(
    @Inject(APP_CONFIG)
    private readonly config: Pick<GatewayEnv, 'SSE_HEARTBEAT_MS' | 'SSE_MAX_BUFFER_BYTES'>,
    @Inject(LOGGER) private readonly logger: Logger,
    shutdown: ServiceShutdown,
  ) {
    shutdown.whenDraining('event streams', () => {
      for (const sse of [...this.streams]) sse.end();
    });
  }

  open(reply: FastifyReply, headers: Record<string, string>, about: SseAbout): SseWriter {
    const { taskId, kind, dropped } = about;
    const sse = SseWriter.open(reply, headers, {
      heartbeatMs: this.config.SSE_HEARTBEAT_MS,
      maxBufferBytes: this.config.SSE_MAX_BUFFER_BYTES,
      onDrop: (reason, details) =>
        this.logger.warn(
          { taskId, kind, ...details },
          `${dropped} dropped: ${reason} (the task keeps running; the client can resume)`,
        ),
    });
    this.streams.add(sse);
    return sse;
  }

  /** Ends the stream (idempotent). */
  end(sse: SseWriter): void {
    sse.end();
    this.streams.delete(sse);
  }
}
