import { describe, expect, it } from '@jest/globals';
import type { FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import { AuthError } from './auth.errors.js';
import { claimAt } from './claims.js';
import { DevAuthenticator } from './dev.authenticator.js';
import { JwtAuthenticator, type JwtSettings } from './jwt.authenticator.js';
import { TrustedHeadersAuthenticator } from './trusted-headers.authenticator.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;
const SECRET = 's'.repeat(40);
const settings: JwtSettings = {
  secret: SECRET,
  clockToleranceSeconds: 5,
  userIdClaim: 'sub',
  emailClaim: 'email',
  roleClaim: 'app_metadata.role',
  jwksCacheMaxAgeMs: 60_000,
  jwksTimeoutMs: 1_000,
  jwksCooldownMs: 1_000,
  issuer: 'iss-1',
  audience: 'authenticated',
};

const token = (claims: Record<string, unknown>, exp = '5m') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('iss-1')
    .setAudience('authenticated')
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET));

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    return e instanceof AuthError ? `${e.code}:${e.reason}` : `other:${(e as Error).message}`;
  }
}

describe('claimAt', () => {
  it('reads dotted paths and nothing from prototypes', () => {
    expect(claimAt({ app_metadata: { role: 'admin' } }, 'app_metadata.role')).toBe('admin');
    expect(claimAt({ role: 'x' }, 'app_metadata.role')).toBeUndefined();
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: [1] }, 'a.0')).toBeUndefined();
  });
});

describe('JwtAuthenticator', () => {
  const auth = new JwtAuthenticator(settings);

  it('reads user, email and a nested role claim', async () => {
    const t = await token({
      sub: 'u-1',
      email: 'ada@example.com',
      app_metadata: { role: 'admin' },
    });
    await expect(auth.authenticate(req({ authorization: `Bearer ${t}` }))).resolves.toEqual({
      userId: 'u-1',
      role: 'admin',
      email: 'ada@example.com',
    });
  });

  it('ignores an invalid e-mail claim rather than refusing the user', async () => {
    const t = await token({ sub: 'u-1', email: 'not an email', app_metadata: { role: 'user' } });
    await expect(auth.authenticate(req({ authorization: `Bearer ${t}` }))).resolves.toEqual({
      userId: 'u-1',
      role: 'user',
    });
  });

  it('refuses with reasons', async () => {
    expect(await reason(auth.authenticate(req({})))).toBe('UNAUTHORIZED:token_missing');
    expect(await reason(auth.authenticate(req({ authorization: 'Token abc' })))).toBe(
      'UNAUTHORIZED:token_malformed',
    );
    expect(
      await reason(auth.authenticate(req({ authorization: `Bearer ${'a'.repeat(20_000)}` }))),
    ).toBe('UNAUTHORIZED:token_malformed');
    expect(
      await reason(
        auth.authenticate(req({ authorization: `Bearer ${await token({ sub: 'u' })}` })),
      ),
    ).toBe('FORBIDDEN:role_claim_missing');
    expect(
      await reason(
        auth.authenticate(
          req({
            authorization: `Bearer ${await token({ sub: 'u', app_metadata: { role: 'Bad Role' } })}`,
          }),
        ),
      ),
    ).toBe('FORBIDDEN:role_claim_invalid');
    expect(
      await reason(
        auth.authenticate(
          req({
            authorization: `Bearer ${await token({ sub: 'bad user!', app_metadata: { role: 'user' } })}`,
          }),
        ),
      ),
    ).toBe('UNAUTHORIZED:user_claim_invalid');
    expect(
      await reason(
        auth.authenticate(
          req({
            authorization: `Bearer ${await token({ sub: 'u', app_metadata: { role: 'user' } }, '-1m')}`,
          }),
        ),
      ),
    ).toBe('UNAUTHORIZED:token_expired');
  });

  it('uses the default role when configured', async () => {
    const withDefault = new JwtAuthenticator({ ...settings, defaultRole: 'user' });
    const t = await token({ sub: 'u-2' });
    await expect(withDefault.authenticate(req({ authorization: `Bearer ${t}` }))).resolves.toEqual({
      userId: 'u-2',
      role: 'user',
    });
  });
});

describe('TrustedHeadersAuthenticator', () => {
  const auth = new TrustedHeadersAuthenticator('p'.repeat(40), 'x-proxy-secret');
  const user = {
    'x-supabase-user-id': 'supa',
    'x-supabase-role': 'admin',
    'x-supabase-email': 'a@b.co',
  };

  it('believes the headers only with the proxy secret', async () => {
    expect(await reason(auth.authenticate(req(user)))).toBe('UNAUTHORIZED:proxy_secret_missing');
    expect(await reason(auth.authenticate(req({ ...user, 'x-proxy-secret': 'short' })))).toBe(
      'UNAUTHORIZED:proxy_secret_mismatch',
    );
    await expect(
      auth.authenticate(req({ ...user, 'x-proxy-secret': 'p'.repeat(40) })),
    ).resolves.toEqual({ userId: 'supa', role: 'admin', email: 'a@b.co' });
  });

  it('defaults the role and validates the user', async () => {
    await expect(
      auth.authenticate(req({ 'x-supabase-user-id': 'supa', 'x-proxy-secret': 'p'.repeat(40) })),
    ).resolves.toEqual({ userId: 'supa', role: 'user' });
    expect(
      await reason(
        auth.authenticate(req({ 'x-supabase-user-id': 'a b', 'x-proxy-secret': 'p'.repeat(40) })),
      ),
    ).toBe('UNAUTHORIZED:bad_user_header');
  });
});

describe('DevAuthenticator', () => {
  it('takes X-User-Id or the default', async () => {
    const auth = new DevAuthenticator('dev-user');
    await expect(auth.authenticate(req({}))).resolves.toEqual({ userId: 'dev-user', role: 'user' });
    await expect(
      auth.authenticate(req({ 'x-user-id': 'ada', 'x-user-role': 'admin' })),
    ).resolves.toEqual({ userId: 'ada', role: 'admin' });
    expect(await reason(auth.authenticate(req({ 'x-user-id': 'bad user!' })))).toBe(
      'UNAUTHORIZED:bad_user_header',
    );
  });
});

describe('tenants (TENANCY=on)', () => {
  const tenancy = {
    enabled: true,
    jwtClaim: 'app_metadata.tenant_id',
    trustedHeader: 'x-supabase-tenant-id',
  };

  it('reads the tenant from the configured claim, and refuses a token without one or with a bad one', async () => {
    const auth = new JwtAuthenticator({ ...settings, tenancy });
    const bearer = async (claims: Record<string, unknown>) =>
      req({ authorization: `Bearer ${await token({ sub: 'u', ...claims })}` });
    await expect(
      auth.authenticate(await bearer({ app_metadata: { role: 'admin', tenant_id: 'acme' } })),
    ).resolves.toEqual({ userId: 'u', role: 'admin', tenantId: 'acme' });
    expect(await reason(auth.authenticate(await bearer({ app_metadata: { role: 'admin' } })))).toBe(
      'FORBIDDEN:tenant_missing',
    );
    expect(
      await reason(
        auth.authenticate(await bearer({ app_metadata: { role: 'user', tenant_id: 'a.b' } })),
      ),
    ).toBe('FORBIDDEN:tenant_invalid');
    // the platform operator belongs to no tenant and acts in the default one
    await expect(
      auth.authenticate(await bearer({ app_metadata: { role: 'platform-admin' } })),
    ).resolves.toEqual({ userId: 'u', role: 'platform-admin', tenantId: 'default' });
  });

  it("reads the proxy's tenant header in trusted-headers mode", async () => {
    const auth = new TrustedHeadersAuthenticator('p'.repeat(40), 'x-proxy-secret', tenancy);
    const base = { 'x-supabase-user-id': 'supa', 'x-proxy-secret': 'p'.repeat(40) };
    await expect(
      auth.authenticate(req({ ...base, 'x-supabase-tenant-id': 'globex' })),
    ).resolves.toEqual({ userId: 'supa', role: 'user', tenantId: 'globex' });
    expect(await reason(auth.authenticate(req(base)))).toBe('FORBIDDEN:tenant_missing');
  });

  it('reads X-Tenant-Id in dev mode, the default tenant when absent', async () => {
    const auth = new DevAuthenticator('dev-user', tenancy);
    await expect(auth.authenticate(req({ 'x-tenant-id': 'acme' }))).resolves.toEqual({
      userId: 'dev-user',
      role: 'user',
      tenantId: 'acme',
    });
    await expect(auth.authenticate(req({}))).resolves.toEqual({
      userId: 'dev-user',
      role: 'user',
      tenantId: 'default',
    });
  });

  it('ignores every tenant source with tenancy off (one implicit tenant, as before)', async () => {
    const auth = new DevAuthenticator('dev-user');
    await expect(auth.authenticate(req({ 'x-tenant-id': 'acme' }))).resolves.toEqual({
      userId: 'dev-user',
      role: 'user',
    });
  });
});
