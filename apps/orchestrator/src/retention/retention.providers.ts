import type { Provider } from '@nestjs/common';
import { ExpireTasksUseCase } from './expire-tasks/expire-tasks.use-case.js';
import { TaskRetentionRepository } from './task-retention.repository.js';

/** How long ended tasks are kept (TASK_RETENTION_DAYS): the sweep and its statement. */
export const retentionProviders: Provider[] = [ExpireTasksUseCase, TaskRetentionRepository];
