import { Controller, Get, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, isAdmin, spansTenants, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthGuard } from '../auth/auth.guard.js';
import { refuseAudited } from '../auth/audited-refusal.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { definedAs } from '../http/query-params.js';
import { requestIdOf } from '../http/request-id.js';
import { SseWriter } from '../http/sse.writer.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import { StreamSlots } from '../limits/stream-slots.js';
import { type LiveFilter, type LiveMessage, matches } from './live-message.js';
import { LiveQuery } from './live.schemas.js';
import { LiveTraffic } from './live-traffic.service.js';

/**
 * GET /live (admins): the platform's NATS traffic as it happens, as SSE — what operators see with
 * `npm run tail`, filtered by task, user or service; commands and health requests only when asked
 * for (see LiveTraffic). The gateway subscribes; the browser never speaks NATS. A viewer that reads too slowly misses messages (each frame says how many were left out before
 * it) instead of slowing the gateway or being disconnected.
 */
@Controller('live')
@UseGuards(AuthGuard)
export class LiveController {
  constructor(
    private readonly traffic: LiveTraffic,
    private readonly slots: StreamSlots,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
  @Get()
  async stream(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(LiveQuery)) q: LiveQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!isAdmin(actor))
      refuseAudited(
        this.audit,
        { action: 'live.denied', resource: 'live' },
        'live traffic is for admins only',
      );
    const filter: LiveFilter = {
      ...definedAs(q, { task_id: 'taskId', user_id: 'userId', service: 'service' }),
      // an admin of one tenant watches that tenant's traffic only; the platform operator all of it
      ...(this.config.TENANCY && !spansTenants(actor) ? { tenantId: tenantOf(actor) } : {}),
    };
    const slot = await this.slots.acquire(actor, 'live');
    let stop: (() => void) | undefined;
    try {
      const writer = SseWriter.open(
        reply,
        { 'x-request-id': requestIdOf(request) },
        {
          heartbeatMs: this.config.SSE_HEARTBEAT_MS,
          maxBufferBytes: this.config.SSE_MAX_BUFFER_BYTES,
          onDrop: (reason, details) =>
            this.logger.warn({ ...details, reason }, 'live viewer dropped'),
        },
      );
      // Past half the buffer a viewer skips messages, so the writer never has to disconnect it.
      const skipAbove = Math.floor(this.config.SSE_MAX_BUFFER_BYTES / 2);
      let id = 0;
      let dropped = 0;
      const watcher = (m: LiveMessage) => {
        if (writer.isClosed || !matches(m, filter)) return;
        if (reply.raw.writableLength > skipAbove) {
          dropped++;
          return;
        }
        writer.event('message', String(++id), dropped > 0 ? { ...m, dropped } : m);
        dropped = 0;
      };
      const watched = await this.traffic.watch(watcher, {
        requests: q.commands === 'true',
        // A refusal after `ready` (a reconnection to a server that permits less) is said as it comes.
        changed: (status) => {
          if (!writer.isClosed) writer.event('status', undefined, status);
        },
      });
      stop = watched.stop;
      const release = () => {
        stop?.();
        return slot.release();
      };
      writer.onClose(() => void release());
      if (writer.isClosed) void release();
      else {
        writer.event('ready', undefined, {
          filter,
          commands: q.commands === 'true',
          ...watched.status,
        });
        if (watched.status.refused.length > 0)
          this.logger.warn(
            { identity: watched.status.identity, refused: watched.status.refused },
            'the Live view cannot read part of the traffic (its NATS permissions)',
          );
        // Nothing at all can be read: say so and end, rather than hold an empty stream open (once
        // the slot is free: the viewer may open another at once).
        if (watched.status.watching.length === 0) {
          await release();
          writer.end();
        }
      }
    } catch (e) {
      stop?.();
      await slot.release();
      throw e;
    }
  }
}
