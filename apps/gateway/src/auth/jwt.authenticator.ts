import { type Actor, DomainError, Role, UserId } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { createSecretKey } from 'node:crypto';
import { z } from 'zod';
import { type AuthError, forbidden, unauthorized } from './auth.errors.js';
import { type Authenticator, headerOf } from './authenticator.js';
import { claimAt } from './claims.js';
import { TENANCY_OFF, type TenantSettings, tenantFrom } from './tenant.source.js';

export interface JwtSettings {
  secret?: string | undefined;
  jwksUrl?: string | undefined;
  algorithms?: readonly string[] | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  clockToleranceSeconds: number;
  userIdClaim: string;
  emailClaim: string;
  roleClaim: string;
  defaultRole?: string | undefined;
  jwksCacheMaxAgeMs: number;
  jwksTimeoutMs: number;
  jwksCooldownMs: number;
  tenancy?: TenantSettings | undefined;
}

const MAX_TOKEN_LENGTH = 16_384;
const Email = z.string().email().max(320);

/**
 * AUTH_MODE=jwt: `Authorization: Bearer <jwt>` verified with jose. HS* tokens are checked against the
 * shared secret only, asymmetric ones against the JWKS only, so a token signed with the public key as
 * an HMAC secret (algorithm confusion) cannot pass. The accepted algorithms are pinned; `exp` is
 * required; `nbf`, issuer and audience are checked with a small leeway for clock skew.
 */
export class JwtAuthenticator implements Authenticator {
  readonly mode = 'jwt' as const;
  private readonly algorithms: string[];
  private readonly getKey: JWTVerifyGetKey;

  constructor(private readonly settings: JwtSettings) {
    // A KeyObject made once: handed raw bytes, jose imports the key again for every token (~2x the
    // CPU of a verification).
    const secret = settings.secret ? createSecretKey(Buffer.from(settings.secret)) : undefined;
    const jwks = settings.jwksUrl
      ? createRemoteJWKSet(new URL(settings.jwksUrl), {
          cacheMaxAge: settings.jwksCacheMaxAgeMs,
          timeoutDuration: settings.jwksTimeoutMs,
          cooldownDuration: settings.jwksCooldownMs,
        })
      : undefined;
    this.algorithms = [
      ...(settings.algorithms ?? [
        ...(secret ? ['HS256'] : []),
        ...(jwks ? ['RS256', 'ES256'] : []),
      ]),
    ];
    this.getKey = async (header, token) => {
      if (header.alg?.startsWith('HS')) {
        if (!secret)
          throw unauthorized('algorithm_not_allowed', 'HMAC-signed tokens are not accepted');
        return secret;
      }
      if (!jwks)
        throw unauthorized(
          'algorithm_not_allowed',
          'asymmetrically signed tokens are not accepted',
        );
      return jwks(header, token);
    };
  }

  async authenticate(request: FastifyRequest): Promise<Actor> {
    const token = bearerToken(request);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        algorithms: this.algorithms,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['exp'],
        ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
        ...(this.settings.audience ? { audience: this.settings.audience } : {}),
      }));
    } catch (e) {
      throw verificationError(e, token);
    }
    return this.actorOf(payload);
  }

  private actorOf(payload: JWTPayload): Actor {
    const user = UserId.safeParse(claimAt(payload, this.settings.userIdClaim));
    if (!user.success) {
      throw unauthorized(
        'user_claim_invalid',
        `the token's ${this.settings.userIdClaim} claim is missing or not a valid user id`,
      );
    }
    const rawRole = claimAt(payload, this.settings.roleClaim) ?? this.settings.defaultRole;
    if (rawRole === undefined) {
      throw forbidden(
        'role_claim_missing',
        `the token has no ${this.settings.roleClaim} claim, so no role can be granted`,
      );
    }
    const role = Role.safeParse(rawRole);
    if (!role.success)
      throw forbidden(
        'role_claim_invalid',
        `the token's ${this.settings.roleClaim} claim is not a valid role`,
      );
    const email = Email.safeParse(claimAt(payload, this.settings.emailClaim));
    const tenancy = this.settings.tenancy ?? TENANCY_OFF;
    const tenantId = tenantFrom(
      tenancy,
      claimAt(payload, tenancy.jwtClaim),
      `the token's ${tenancy.jwtClaim} claim`,
      role.data,
    );
    return {
      userId: user.data,
      role: role.data,
      ...(email.success ? { email: email.data } : {}),
      ...(tenantId ? { tenantId } : {}),
    };
  }
}

function bearerToken(request: FastifyRequest): string {
  const header = headerOf(request, 'authorization');
  if (header === undefined)
    throw unauthorized('token_missing', 'Authorization: Bearer <token> is required');
  const match = /^Bearer[ ]+([A-Za-z0-9_.~+/=-]+)\s*$/i.exec(header);
  if (!match?.[1])
    throw unauthorized('token_malformed', 'the Authorization header must be "Bearer <token>"');
  if (match[1].length > MAX_TOKEN_LENGTH)
    throw unauthorized(
      'token_malformed',
      `the token is longer than ${MAX_TOKEN_LENGTH} characters`,
    );
  return match[1];
}

/** Maps jose's failures to a reason a client can act on; never echoes the token or a key. */
function verificationError(e: unknown, token: string): AuthError | DomainError {
  if (e instanceof DomainError) return e;
  if (e instanceof errors.JWTExpired) return unauthorized('token_expired', 'the token has expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'nbf':
        return unauthorized('token_not_yet_valid', 'the token is not valid yet (nbf)');
      case 'iss':
        return unauthorized(
          'wrong_issuer',
          'the token was issued by an issuer this gateway does not accept',
        );
      case 'aud':
        return unauthorized('wrong_audience', 'the token is meant for another audience');
      case 'iat':
        return unauthorized('token_invalid', "the token's iat claim is invalid");
      default:
        return unauthorized(
          'claim_invalid',
          `the token's ${safe(e.claim)} claim is ${e.reason === 'missing' ? 'missing' : 'invalid'}`,
        );
    }
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) {
    return unauthorized(
      'algorithm_not_allowed',
      `tokens signed with ${safe(algOf(token))} are not accepted`,
    );
  }
  if (e instanceof errors.JWSSignatureVerificationFailed)
    return unauthorized('bad_signature', 'the token signature is invalid');
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) {
    return unauthorized('unknown_key', 'no signing key matches the token (unknown kid)');
  }
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || isFetchFailure(e)) {
    return new DomainError(
      'UPSTREAM_UNAVAILABLE',
      'the signing keys (JWKS) could not be fetched; try again',
      { retryable: true },
    );
  }
  if (e instanceof errors.JOSEError)
    return unauthorized('token_malformed', 'the token is malformed');
  return unauthorized('token_invalid', 'the token could not be verified');
}

function algOf(token: string): string {
  try {
    return String(decodeProtectedHeader(token).alg ?? 'no algorithm');
  } catch {
    return 'an unknown algorithm';
  }
}

/** Attacker-controlled text shown back: short and plain. */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9 _.-]/g, '').slice(0, 32) || '(unnamed)';
}

function isFetchFailure(e: unknown): boolean {
  return (
    e instanceof TypeError ||
    (e instanceof errors.JOSEError &&
      e.code === 'ERR_JOSE_GENERIC' &&
      /fetch|response/i.test(e.message))
  );
}
