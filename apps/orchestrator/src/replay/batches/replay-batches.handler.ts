import { Controller } from '@nestjs/common';
import { DomainError, Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
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
    return this.start.execute(body, requireActor(meta.actor), meta.correlationId);
  }

  @HandleCommand(Tasks.ReplayBatchGet)
  async get(req: { batchId: string }, meta: MessageMeta): Promise<Tasks.ReplayBatchView> {
    const batch = await this.batches.get(req.batchId, requireActor(meta.actor));
    if (!batch) throw new DomainError('NOT_FOUND', `replay batch ${req.batchId} not found`);
    return batch;
  }

  @HandleCommand(Tasks.ReplayBatchList)
  async list(
    req: { limit: number },
    meta: MessageMeta,
  ): Promise<{ batches: Tasks.ReplayBatchSummary[] }> {
    return { batches: await this.batches.list(requireActor(meta.actor), req.limit) };
  }
}
