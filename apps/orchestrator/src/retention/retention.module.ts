import { Module } from '@nestjs/common';
import { retentionProviders } from './retention.providers.js';

/** Retention (docs/configuration.md): ended tasks deleted past TASK_RETENTION_DAYS. */
@Module({ providers: retentionProviders })
export class RetentionModule {}
