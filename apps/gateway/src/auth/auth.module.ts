import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LOGGER, type Logger } from '@switchboard/observability';
import { OptionalRedis, redisProviders } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { GatewayMetrics } from '../limits/gateway.metrics.js';
import { RequestRateLimiter } from '../limits/rate-limiter.js';
import { GATEWAY_REDIS } from '../limits/redis.settings.js';
import { StreamSlots } from '../limits/stream-slots.js';
import { AuthGuard } from './auth.guard.js';
import { AUTHENTICATOR, type Authenticator } from './authenticator.js';
import { DevAuthenticator } from './dev.authenticator.js';
import { JwtAuthenticator } from './jwt.authenticator.js';
import { type TenantSettings } from './tenant.source.js';
import { TrustedHeadersAuthenticator } from './trusted-headers.authenticator.js';

export function tenantSettings(config: GatewayEnv): TenantSettings {
  return {
    enabled: config.TENANCY,
    jwtClaim: config.JWT_TENANT_CLAIM,
    trustedHeader: config.TRUSTED_TENANT_HEADER,
  };
}

export function createAuthenticator(config: GatewayEnv, logger: Logger): Authenticator {
  const tenancy = tenantSettings(config);
  switch (config.AUTH_MODE) {
    case 'dev': {
      const dev = new DevAuthenticator(config.TB_DEFAULT_USER_ID, tenancy);
      dev.announce(logger);
      return dev;
    }
    case 'trusted-headers':
      if (!config.TRUSTED_PROXY_SECRET)
        throw new Error('trusted-headers mode needs TRUSTED_PROXY_SECRET');
      return new TrustedHeadersAuthenticator(
        config.TRUSTED_PROXY_SECRET,
        config.TRUSTED_PROXY_HEADER,
        tenancy,
      );
    case 'jwt':
      return new JwtAuthenticator({
        secret: config.JWT_SECRET,
        jwksUrl: config.JWT_JWKS_URL,
        algorithms: config.JWT_ALGORITHMS,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
        userIdClaim: config.JWT_USER_ID_CLAIM,
        emailClaim: config.JWT_EMAIL_CLAIM,
        roleClaim: config.JWT_ROLE_CLAIM,
        defaultRole: config.JWT_DEFAULT_ROLE,
        jwksCacheMaxAgeMs: config.JWKS_CACHE_MAX_AGE_MS,
        jwksTimeoutMs: config.JWKS_TIMEOUT_MS,
        jwksCooldownMs: config.JWKS_COOLDOWN_MS,
        tenancy,
      });
  }
}

/**
 * Authentication and the per-user limits, global so every HTTP surface of the gateway (including the
 * A2A and MCP endpoints) uses the same `@UseGuards(AuthGuard)` and `@CurrentActor()`.
 */
@Global()
@Module({})
export class AuthModule {
  static register(config: GatewayEnv): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        {
          provide: AUTHENTICATOR,
          inject: [LOGGER],
          useFactory: (logger: Logger) => createAuthenticator(config, logger),
        },
        AuthFailureLimiter,
        ...redisProviders(GATEWAY_REDIS),
        GatewayMetrics,
        RequestRateLimiter,
        StreamSlots,
        AuthGuard,
      ],
      exports: [
        AUTHENTICATOR,
        AuthFailureLimiter,
        OptionalRedis,
        GatewayMetrics,
        RequestRateLimiter,
        StreamSlots,
        AuthGuard,
      ],
    };
  }
}
