import { Controller, Delete, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { type Actor, parseOrThrow, Tools, UserId } from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import { z } from 'zod';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { AuthorizationsQuery } from '../http/api.schemas.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import { requireAdmin } from '../auth/audited-refusal.js';

type AuthorizationsList = z.infer<typeof Tools.AuthorizationsList.response>;

/**
 * Provider authorizations (each user's OAuth status per provider): a user lists theirs; an admin
 * grants and revokes. mcp-tools enforces the same rules itself; checking here too answers 403
 * without a hop.
 */
@Controller('authorizations')
@UseGuards(AuthGuard)
export class AuthorizationsController {
  constructor(
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
  ) {}

  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(AuthorizationsQuery)) query: z.infer<typeof AuthorizationsQuery>,
  ): Promise<AuthorizationsList> {
    const userId = query.user_id ?? actor.userId;
    if (userId !== actor.userId)
      requireAdmin(this.audit, actor, 'authorizations', "list another user's authorizations");
    return this.bus.request(Tools.AuthorizationsList, { userId }, { actor });
  }

  @Put(':userId/:provider')
  grant(
    @CurrentActor() actor: Actor,
    @Param('userId') rawUser: string,
    @Param('provider') rawProvider: string,
  ): Promise<z.infer<typeof Tools.AuthorizationGrant.response>> {
    const { userId, provider } = this.target(rawUser, rawProvider);
    requireAdmin(this.audit, actor, 'authorizations', 'grant provider authorizations');
    return this.bus.request(Tools.AuthorizationGrant, { userId, provider }, { actor });
  }

  @Delete(':userId/:provider')
  revoke(
    @CurrentActor() actor: Actor,
    @Param('userId') rawUser: string,
    @Param('provider') rawProvider: string,
  ): Promise<z.infer<typeof Tools.AuthorizationRevoke.response>> {
    const { userId, provider } = this.target(rawUser, rawProvider);
    requireAdmin(this.audit, actor, 'authorizations', 'revoke provider authorizations');
    return this.bus.request(Tools.AuthorizationRevoke, { userId, provider }, { actor });
  }

  private target(rawUser: string, rawProvider: string): { userId: string; provider: string } {
    return {
      userId: parseOrThrow(UserId, rawUser, 'path parameter userId'),
      provider: parseOrThrow(Tools.ProviderName, rawProvider, 'path parameter provider'),
    };
  }
}
