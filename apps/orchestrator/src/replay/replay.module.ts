import { Module } from '@nestjs/common';
import { QuotasModule } from '../quotas/quotas.module.js';
import { AdvanceBatchesUseCase } from './batches/advance-batches/advance-batches.use-case.js';
import { ReplayBatchRepository } from './batches/replay-batch.repository.js';
import { ReplayBatchesHandler } from './batches/replay-batches.handler.js';
import { StartBatchUseCase } from './batches/start-batch/start-batch.use-case.js';
import { DiffTasksUseCase } from './diff-tasks/diff-tasks.use-case.js';
import { JudgeReplayUseCase } from './judge-replay/judge-replay.use-case.js';
import { RunOrigins } from './run-origins.js';
import { RunRecordRepository } from './run-record.repository.js';
import { RunsHandler } from './runs.handler.js';

const providers = [
  AdvanceBatchesUseCase,
  DiffTasksUseCase,
  JudgeReplayUseCase,
  ReplayBatchRepository,
  RunOrigins,
  RunRecordRepository,
  StartBatchUseCase,
];

/** Replay and fork (docs/replay.md): the task core's run sources and run tree. */
@Module({
  imports: [QuotasModule],
  controllers: [RunsHandler, ReplayBatchesHandler],
  providers,
  exports: providers,
})
export class ReplayModule {}
