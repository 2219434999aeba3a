import { Module } from '@nestjs/common';
import { AdmitToThreadUseCase } from './admit-to-thread/admit-to-thread.use-case.js';
import { ReleaseThreadUseCase } from './release-thread/release-thread.use-case.js';
import { ResubmitHandedOverUseCase } from './resubmit-handed-over/resubmit-handed-over.use-case.js';
import { ThreadGateRepository } from './thread-gate.repository.js';
import { ThreadHandler } from './thread.handler.js';
import { ThreadRelay } from './thread.relay.js';
import { ThreadHistoryService } from './thread-history.service.js';
import { ThreadObserver } from './thread.observer.js';
import { ThreadRepository } from './thread.repository.js';
import { WaitForThreadUseCase } from './wait-for-thread/wait-for-thread.use-case.js';

const providers = [
  AdmitToThreadUseCase,
  ReleaseThreadUseCase,
  ResubmitHandedOverUseCase,
  ThreadGateRepository,
  ThreadHistoryService,
  ThreadObserver,
  ThreadRepository,
  WaitForThreadUseCase,
];

/** Threads (docs/api.md, "Threads"): the core's start gate, thread history and a task observer. */
@Module({ controllers: [ThreadHandler, ThreadRelay], providers, exports: providers })
export class ThreadsModule {}
