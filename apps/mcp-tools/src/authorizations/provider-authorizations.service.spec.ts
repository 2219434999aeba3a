import { describe, expect, it } from '@jest/globals';
import { type Actor, type DomainError, type Tools } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { ManifestCache } from '../cache/manifest-cache.js';
import type { ToolRegistry } from '../registry/tool-registry.service.js';
import type { ToolsChangedPublisher } from '../registry/tools-changed.publisher.js';
import type { TenantUser } from '../tenancy/tenant-scope.js';
import type { ProviderAuthorizationRepository } from './provider-authorization.repository.js';
import { ProviderAuthorizationsService } from './provider-authorizations.service.js';

const admin: Actor = { userId: 'root', role: 'admin' };
const alice: Actor = { userId: 'alice', role: 'user' };
const acmeAdmin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const acmeAlice: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const operator: Actor = { userId: 'ops', role: 'platform-admin', tenantId: 'globex' };

interface Row extends TenantUser {
  provider: string;
  grantedBy: string;
}

/** The service over an in-memory store that scopes as the repository does. */
function setup() {
  const rows: Row[] = [];
  const within = (tenants: { tenantId?: string }) => (r: Row) =>
    tenants.tenantId === undefined || r.tenantId === tenants.tenantId;
  const toGrant = (r: Row): Tools.ProviderGrant => ({
    provider: r.provider,
    grantedBy: r.grantedBy,
    grantedAt: new Date(0).toISOString(),
  });
  const repository = {
    grantsOf: async (userId: string, tenants: { tenantId?: string }) =>
      rows.filter((r) => r.userId === userId && within(tenants)(r)).map(toGrant),
    grant: async (user: TenantUser, provider: string, grantedBy: string) => {
      const same = (r: Row) =>
        r.tenantId === user.tenantId && r.userId === user.userId && r.provider === provider;
      if (!rows.some(same)) rows.push({ ...user, provider, grantedBy });
      return toGrant(rows.find(same)!);
    },
    revoke: async (userId: string, provider: string, tenants: { tenantId?: string }) => {
      const gone = rows.filter(
        (r) => r.userId === userId && r.provider === provider && within(tenants)(r),
      );
      for (const r of gone) rows.splice(rows.indexOf(r), 1);
      return gone.map((r) => r.tenantId);
    },
    heldElsewhere: async (userId: string, provider: string, tenantId: string) =>
      rows.some((r) => r.userId === userId && r.provider === provider && r.tenantId !== tenantId),
  } as unknown as ProviderAuthorizationRepository;
  const registry = {
    provider: (name: string) => (name === 'github' ? { name } : undefined),
    providers: () => [{ name: 'github', requiresAuthorization: true }],
  } as unknown as ToolRegistry;
  const invalidated: TenantUser[] = [];
  const cache = {
    invalidateUser: (u: TenantUser) => void invalidated.push(u),
  } as unknown as ManifestCache;
  const audits: Record<string, unknown>[] = [];
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const changes = { authorizationsChanged: () => undefined } as unknown as ToolsChangedPublisher;
  const sut = new ProviderAuthorizationsService(
    repository,
    registry,
    cache,
    audit as unknown as AuditTrail,
    changes,
  );
  const held = () => rows.map((r) => `${r.tenantId}/${r.userId}/${r.provider}`).sort();
  return { sut, rows, held, audits, invalidated };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as DomainError,
  );

describe(`${ProviderAuthorizationsService.name} and tenants`, () => {
  it("grants in the admin's own tenant: the same user id elsewhere is not authorized", async () => {
    const t = setup();
    await t.sut.grant(acmeAdmin, 'alice', 'github');
    expect(t.held()).toEqual(['acme/alice/github']);
    expect(t.invalidated).toEqual([{ tenantId: 'acme', userId: 'alice' }]);
    expect((await t.sut.list(acmeAlice, undefined)).providers).toEqual([
      { provider: 'github', requiresAuthorization: true, authorized: true },
    ]);
    expect((await t.sut.list(alice, undefined)).providers).toEqual([
      { provider: 'github', requiresAuthorization: true, authorized: false },
    ]);
  });

  it("lists only the grants of the admin's own tenant", async () => {
    const t = setup();
    await t.sut.grant(admin, 'alice', 'github');
    const listed = await t.sut.list(acmeAdmin, 'alice');
    expect(listed).toMatchObject({ userId: 'alice', grants: [] });
    expect(listed.providers[0]?.authorized).toBe(false);
    expect((await t.sut.list(admin, 'alice')).grants).toHaveLength(1);
  });

  it("answers a revoke of another tenant's grant as of none, leaves it, and audits other_tenant", async () => {
    const t = setup();
    await t.sut.grant(admin, 'alice', 'github');
    t.audits.length = 0;
    const answer = await t.sut.revoke(acmeAdmin, 'alice', 'github');
    const none = await t.sut.revoke(acmeAdmin, 'alice', 'gitlab');
    expect(answer).toEqual({ userId: 'alice', provider: 'github', revoked: false });
    expect(none).toEqual({ userId: 'alice', provider: 'gitlab', revoked: false });
    expect(t.held()).toEqual(['default/alice/github']);
    expect(t.audits).toEqual([
      expect.objectContaining({
        category: 'admin',
        action: 'tools.authorization.revoke',
        outcome: 'denied',
        resource: 'alice/github',
        details: { userId: 'alice', provider: 'github', reason: 'other_tenant' },
      }),
      expect.objectContaining({ outcome: 'success', details: expect.anything() as unknown }),
    ]);
  });

  it('still refuses a user who is no admin, in any tenant', async () => {
    const t = setup();
    const e = await failure(t.sut.grant(acmeAlice, 'bob', 'github'));
    expect(e.code).toBe('FORBIDDEN');
    await expect(failure(t.sut.list(acmeAlice, 'bob'))).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(t.rows).toEqual([]);
  });

  it("lets the platform operator see and revoke a user's grants in every tenant, granting in their own", async () => {
    const t = setup();
    await t.sut.grant(admin, 'alice', 'github');
    await t.sut.grant(acmeAdmin, 'alice', 'github');
    expect((await t.sut.list(operator, 'alice')).grants).toHaveLength(2);
    await t.sut.grant(operator, 'alice', 'github');
    expect(t.held()).toEqual(['acme/alice/github', 'default/alice/github', 'globex/alice/github']);
    t.invalidated.length = 0;
    expect(await t.sut.revoke(operator, 'alice', 'github')).toMatchObject({ revoked: true });
    expect(t.held()).toEqual([]);
    // Each tenant's cached manifests of alice are invalidated.
    expect(t.invalidated.map((u) => u.tenantId).sort()).toEqual(['acme', 'default', 'globex']);
  });
});
