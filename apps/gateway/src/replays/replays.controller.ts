import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { type Actor, parseOrThrow, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { requestIdOf } from '../http/request-id.js';
import { limitQuery } from '../http/query-params.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';

export const ReplayListQuery = limitQuery(100, 20);
export type ReplayListQuery = z.infer<typeof ReplayListQuery>;

/**
 * Replay batches (docs/replay.md): ended tasks run again with a changed configuration, as an
 * evaluation. The orchestrator owns them and checks who may: this only validates and forwards.
 */
@Controller('replays')
@UseGuards(AuthGuard)
export class ReplaysController {
  constructor(private readonly bus: NatsBus) {}

  @Post()
  @HttpCode(202)
  start(
    @Body() rawBody: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
  ): Promise<Tasks.ReplayBatchView> {
    const body = parseOrThrow(Tasks.ReplayBatchBody, rawBody ?? {}, 'request body');
    return this.bus.request(Tasks.ReplayBatchStart, body, {
      actor,
      correlationId: requestIdOf(request),
    });
  }

  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(ReplayListQuery)) q: ReplayListQuery,
  ): Promise<{ batches: Tasks.ReplayBatchSummary[] }> {
    return this.bus.request(Tasks.ReplayBatchList, { limit: q.limit }, { actor });
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Tasks.ReplayBatchView> {
    const batchId = parseOrThrow(z.string().uuid(), id, 'batch id');
    return this.bus.request(Tasks.ReplayBatchGet, { batchId }, { actor });
  }
}
