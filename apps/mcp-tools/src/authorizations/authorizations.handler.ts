import { Controller } from '@nestjs/common';
import { type RequestOf, type ResponseOf, Tools } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { ProviderAuthorizationsService } from './provider-authorizations.service.js';

/** NATS adapter for provider authorizations: parse → service → reply; the actor comes from headers. */
@Controller()
export class AuthorizationsHandler {
  constructor(private readonly authorizations: ProviderAuthorizationsService) {}

  @HandleCommand(Tools.AuthorizationsList)
  list(
    req: RequestOf<typeof Tools.AuthorizationsList>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.AuthorizationsList>> {
    return this.authorizations.list(requireActor(meta.actor), req.userId);
  }

  @HandleCommand(Tools.AuthorizationGrant)
  grant(
    req: RequestOf<typeof Tools.AuthorizationGrant>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.AuthorizationGrant>> {
    return this.authorizations.grant(requireActor(meta.actor), req.userId, req.provider);
  }

  @HandleCommand(Tools.AuthorizationRevoke)
  revoke(
    req: RequestOf<typeof Tools.AuthorizationRevoke>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.AuthorizationRevoke>> {
    return this.authorizations.revoke(requireActor(meta.actor), req.userId, req.provider);
  }
}
