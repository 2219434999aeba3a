import { Controller } from '@nestjs/common';
import { Webhooks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { ManagePushConfigsUseCase } from './manage-push-configs/manage-push-configs.use-case.js';

type OneConfig = { taskId: string; configId: string };

/** The NATS commands of A2A push notification configs (the gateway's A2A edge calls them). */
@Controller()
export class A2aPushHandler {
  constructor(private readonly configs: ManagePushConfigsUseCase) {}

  @HandleCommand(Webhooks.A2aPushConfigSet)
  set(
    req: Webhooks.A2aPushConfigSetRequest,
    meta: MessageMeta,
  ): Promise<Webhooks.A2aPushConfigView> {
    return this.configs.set(req, requireActor(meta.actor));
  }

  @HandleCommand(Webhooks.A2aPushConfigGet)
  get(req: OneConfig, meta: MessageMeta): Promise<Webhooks.A2aPushConfigView> {
    return this.configs.get(req.taskId, req.configId, requireActor(meta.actor));
  }

  @HandleCommand(Webhooks.A2aPushConfigList)
  list(
    req: { taskId: string; limit: number; after?: string },
    meta: MessageMeta,
  ): Promise<{ configs: Webhooks.A2aPushConfigView[]; nextAfter?: string }> {
    return this.configs.list(req, requireActor(meta.actor));
  }

  @HandleCommand(Webhooks.A2aPushConfigDelete)
  delete(
    req: OneConfig,
    meta: MessageMeta,
  ): Promise<{ deleted: boolean; cancelledDeliveries: number }> {
    return this.configs.delete(req.taskId, req.configId, requireActor(meta.actor));
  }
}
