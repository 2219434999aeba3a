import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, isAdmin, spansTenants, tenantOf } from '@switchboard/contracts';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import type { GatewayEnv } from '../config/gateway.env.js';

/** Who the gateway takes the caller for (the console shows it, and offers admins' views to admins). */
export interface Me {
  userId: string;
  role: string;
  email?: string;
  admin: boolean;
  /** The tenant the caller acts in (`default` with tenancy off). */
  tenantId: string;
  /** Tenancy is on: the console names the tenant. */
  tenancy: boolean;
  /** The platform operator: sees every tenant. */
  platformAdmin: boolean;
  authMode: GatewayEnv['AUTH_MODE'];
}

@Controller('me')
@UseGuards(AuthGuard)
export class SessionController {
  constructor(@Inject(APP_CONFIG) private readonly config: GatewayEnv) {}

  @Get()
  me(@CurrentActor() actor: Actor): Me {
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
