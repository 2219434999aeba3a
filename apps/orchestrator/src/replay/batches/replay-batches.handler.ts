import { Controller } from '@nestjs/common';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta } from '@switchboard/messaging';
import { ReplayBatchRepository } from './replay-batch.repository.js';
import { StartBatchUseCase } from './start-batch/start-batch.use-case.js';

/** Replay batches over NATS (docs/replay.md). Thin: the use case and the repository decide. */
@Controller()
export class ReplayBatchesHandler {
  constructor(
    private readonly start: StartBatchUseCase,
    private readonly batches: ReplayBatchRepository,
  ) {}

  @HandleCommand(Tasks.ReplayBatchStart)
  create(body: Tasks.ReplayBatchBody, meta: MessageMeta): Promise<Tasks.ReplayBatchView> {
    return this.start.execute(body, actorOf(meta), meta.correlationId);
  }

  @HandleCommand(Tasks.ReplayBatchGet)
  async get(req: { batchId: string }, meta: MessageMeta): Promise<Tasks.ReplayBatchView> {
    const batch = await this.batches.get(req.batchId, actorOf(meta));
    if (!batch) throw new DomainError('NOT_FOUND', `replay batch ${req.batchId} not found`);
    return batch;
  }

  @HandleCommand(Tasks.ReplayBatchList)
  async list(
    req: { limit: number },
    meta: MessageMeta,
  ): Promise<{ batches: Tasks.ReplayBatchSummary[] }> {
    return { batches: await this.batches.list(actorOf(meta), req.limit) };
  }
}

function actorOf(meta: MessageMeta): Actor {
  if (!meta.actor) throw new DomainError('UNAUTHORIZED', 'no acting user on the request');
  return meta.actor;
}
