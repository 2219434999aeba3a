import { Module } from '@nestjs/common';
import { AuthorizationsRelay } from './authorizations.relay.js';
import { ProviderAuthorizationRepository } from './provider-authorization.repository.js';
import { ProviderAuthorizationsService } from './provider-authorizations.service.js';

/** Which tool providers a tenant has authorized (its credentials), read by the tool access check. */
@Module({
  controllers: [AuthorizationsRelay],
  providers: [ProviderAuthorizationRepository, ProviderAuthorizationsService],
  exports: [ProviderAuthorizationRepository],
})
export class AuthorizationsModule {}
