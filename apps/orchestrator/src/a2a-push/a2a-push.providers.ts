import type { Provider } from '@nestjs/common';
import { A2aPushConfigRepository } from './a2a-push-config.repository.js';
import { EnqueuePushNotificationsUseCase } from './enqueue-push-notifications/enqueue-push-notifications.use-case.js';
import { ManagePushConfigsUseCase } from './manage-push-configs/manage-push-configs.use-case.js';

/** A2A push notification configs (docs/a2a.md), delivered by the webhooks' machinery. */
export const a2aPushProviders: Provider[] = [
  A2aPushConfigRepository,
  EnqueuePushNotificationsUseCase,
  ManagePushConfigsUseCase,
];
