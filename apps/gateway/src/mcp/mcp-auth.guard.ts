import { Reflector } from '@nestjs/core';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { AuthGuard } from '../auth/auth.guard.js';
import { createAuthenticator } from '../auth/auth.module.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { GatewayMetrics } from '../limits/gateway.metrics.js';
import { RequestRateLimiter } from '../limits/rate-limiter.js';
import { McpJwtAuthenticator } from './mcp.authenticator.js';
import type { McpOAuth } from './mcp-oauth.js';

export const MCP_AUTHENTICATOR = Symbol.for('switchboard.mcp-authenticator');

/**
 * The authenticator of /mcp: in jwt mode the API's, with the MCP audience (McpJwtAuthenticator);
 * in the other modes the API's own.
 */
export function mcpAuthenticator(
  config: GatewayEnv,
  oauth: McpOAuth,
  api: Authenticator,
  logger: Logger,
): Authenticator {
  if (!oauth.enabled) return api;
  return new McpJwtAuthenticator(oauth, (audience) =>
    createAuthenticator({ ...config, JWT_AUDIENCE: audience }, logger),
  );
}

/**
 * The API's AuthGuard — refusals audited and limited per address, the user's rate limit, the NATS
 * check — around the MCP endpoint's authenticator.
 */
@Injectable()
export class McpAuthGuard implements CanActivate {
  private readonly guard: AuthGuard;

  constructor(
    @Inject(MCP_AUTHENTICATOR) authenticator: Authenticator,
    audit: AuditTrail,
    limiter: RequestRateLimiter,
    failures: AuthFailureLimiter,
    metrics: GatewayMetrics,
    bus: NatsBus,
    @Inject(APP_CONFIG) config: GatewayEnv,
    reflector: Reflector,
  ) {
    this.guard = new AuthGuard(
      authenticator,
      audit,
      limiter,
      failures,
      metrics,
      bus,
      config,
      reflector,
    );
  }

  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.guard.canActivate(context);
  }
}
