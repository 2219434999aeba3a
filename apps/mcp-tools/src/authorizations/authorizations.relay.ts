import { Tools } from '@switchboard/contracts';
import { CommandRelay, relayCall } from '@switchboard/messaging';
import { ProviderAuthorizationsService } from './provider-authorizations.service.js';

/** Provider authorizations' NATS commands: each one call of the service, for the acting user. */
export class AuthorizationsRelay extends CommandRelay(
  relayCall(Tools.AuthorizationsList, ProviderAuthorizationsService, (service, req, actor) =>
    service.list(actor, req.userId),
  ),
  relayCall(Tools.AuthorizationGrant, ProviderAuthorizationsService, (service, req, actor) =>
    service.grant(actor, req.userId, req.provider),
  ),
  relayCall(Tools.AuthorizationRevoke, ProviderAuthorizationsService, (service, req, actor) =>
    service.revoke(actor, req.userId, req.provider),
  ),
) {}
