import { Module } from '@nestjs/common';
import { QuotasModule } from '../quotas/quotas.module.js';
import { tokenOf } from '../nest/provider-token.js';
import { ThreadsModule } from '../threads/threads.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ScheduleRelay } from './schedule.relay.js';
import { scheduleProviders } from './schedule.providers.js';

/** Schedules (docs/schedules.md): tasks submitted by the clock, admitted like a user's. */
@Module({
  imports: [QuotasModule, ThreadsModule, WebhooksModule],
  controllers: [ScheduleRelay],
  providers: scheduleProviders,
  exports: scheduleProviders.map(tokenOf),
})
export class SchedulesModule {}
