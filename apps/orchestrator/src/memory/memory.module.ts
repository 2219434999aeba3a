import { Module } from '@nestjs/common';
import { ForgetRecalledRelay } from './forget-recalled.relay.js';
import { ForgetRecalledUseCase } from './forget-recalled/forget-recalled.use-case.js';
import { RecallRecordsRepository } from './forget-recalled/recall-records.repository.js';
import { MemoryRecallProvider } from './memory-recall.provider.js';

const providers = [ForgetRecalledUseCase, MemoryRecallProvider, RecallRecordsRepository];

/** Long-term memory (docs/memory.md): recall as planning context, and forgetting what was recalled. */
@Module({ controllers: [ForgetRecalledRelay], providers, exports: providers })
export class MemoryModule {}
