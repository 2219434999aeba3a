import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, type Gateway, isAdmin, spansTenants, tenantOf } from '@switchboard/contracts';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import type { GatewayEnv } from '../config/gateway.env.js';

@Controller('me')
@UseGuards(AuthGuard)
export class SessionController {
  constructor(@Inject(APP_CONFIG) private readonly config: GatewayEnv) {}

  @Get()
  /** Who the gateway takes the caller for (the console shows it, and offers admins' views to admins). */
  me(@CurrentActor() actor: Actor): Gateway.Me {
    return {
      userId: actor.userId,
      role: actor.role,
      ...(actor.email ? { email: actor.email } : {}),
      admin: isAdmin(actor),
      tenantId: tenantOf(actor),
      tenancy: this.config.TENANCY,
      platformAdmin: spansTenants(actor),
      authMode: this.config.AUTH_MODE,
    };
  }
}
