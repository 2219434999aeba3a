import { describe, expect, it } from '@jest/globals';
import { type Actor, Approvals } from '@switchboard/contracts';
import type {
  ApprovalOverrides,
  ApprovalPoliciesService,
} from '../../approvals/approval-policies.service.js';
import type { ApprovalPolicyOverride } from '../../approvals/approval-policy.repository.js';
import type { ManifestCache } from '../../cache/manifest-cache.js';
import { TenantDirectory } from '@switchboard/config';
import type { ToolRegistry } from '../../registry/tool-registry.service.js';
import { TenantTools } from '../../tenancy/tenant-tools.js';
import { CredentialStore } from '../credential-store.js';
import type { ToolAccessChecker } from '../tool-access.checker.js';
import { BuildManifestUseCase } from './build-manifest.use-case.js';

const alice: Actor = { userId: 'alice', role: 'user' };
const schema = { type: 'object', properties: {} };
const REQUESTER = Approvals.ApprovalPolicy.parse({});
const ADMINS = Approvals.ApprovalPolicy.parse({
  approvers: { requester: false, roles: ['admin'] },
  allowSelf: false,
});
const tool = (name: string, needs: string[] = [], approval?: Approvals.ApprovalPolicy) => ({
  definition: {
    name,
    title: name,
    description: `the ${name}`,
    provider: 'builtin',
    inputSchema: schema,
    idempotent: true,
    requiredCredentials: needs,
    ...(approval ? { approval } : {}),
  },
  implementation: {},
  needs,
});

/** The use case over a cache that starts empty, and what it stored and recorded. */
function setup(
  overrides: Record<string, Approvals.ApprovalPolicy> = {},
  tenancy: { tenants?: TenantDirectory; credentials?: CredentialStore } = {},
) {
  let stored: unknown;
  let builds = 0;
  const keys: unknown[] = [];
  /** Whose cache slots were looked up, and whose overrides read. */
  const users: unknown[] = [];
  const tenants: string[] = [];
  const cache = {
    lookup: (user: unknown, _r: string, variant: unknown) => {
      users.push(user);
      keys.push(variant);
      return { entry: stored };
    },
    store: (_slot: unknown, entry: unknown) => void (stored = entry),
  } as unknown as ManifestCache;
  const access = {
    permitted: async () => {
      builds++;
      return [
        tool('calculator'),
        tool('notes.add', [], REQUESTER),
        tool('notes.get'),
        tool('web_search', ['SEARCH_API_KEY']),
      ];
    },
  } as unknown as ToolAccessChecker;
  const registry = { version: 3 } as unknown as ToolRegistry;
  const approvals = {
    overrides: async (tenantId: string): Promise<ApprovalOverrides> => {
      tenants.push(tenantId);
      return {
        byTool: new Map(
          Object.entries(overrides).map(([t, policy]): [string, ApprovalPolicyOverride] => [
            t,
            { tool: t, policy, setBy: 'root', setAt: new Date(0).toISOString() },
          ]),
        ),
        version: JSON.stringify(overrides),
      };
    },
  } as unknown as ApprovalPoliciesService;
  const tenantTools = new TenantTools(
    tenancy.tenants ?? new TenantDirectory(),
    tenancy.credentials ?? new CredentialStore({}),
  );
  const sut = new BuildManifestUseCase(registry, access, approvals, cache, tenantTools);
  return { sut, keys, users, tenants, builds: () => builds };
}

describe(BuildManifestUseCase.name, () => {
  it('offers the tools that can run, and lists the unconfigured ones apart with what they need', async () => {
    const { sut } = setup();
    const manifest = await sut.execute(alice, undefined);
    expect(manifest.tools.map((t) => t.name)).toEqual(['calculator', 'notes.add', 'notes.get']);
    expect(manifest.unconfigured).toEqual([
      expect.objectContaining({ name: 'web_search', needs: ['SEARCH_API_KEY'] }),
    ]);
    expect(manifest).toMatchObject({ mode: 'auto', cached: false });
  });

  it('answers the next request from the cache without asking the access rules again', async () => {
    const { sut, builds } = setup();
    await sut.execute(alice, undefined);
    const again = await sut.execute(alice, undefined);
    expect(again.cached).toBe(true);
    expect(builds()).toBe(1);
  });

  it("carries each tool's effective approval policy: an override wins over the definition", async () => {
    const { sut } = setup({ 'notes.get': ADMINS, 'notes.add': ADMINS });
    const manifest = await sut.execute(alice, undefined);
    const approvals = Object.fromEntries(manifest.tools.map((t) => [t.name, t.approval]));
    expect(approvals).toEqual({ calculator: undefined, 'notes.add': ADMINS, 'notes.get': ADMINS });
    const { sut: plain } = setup();
    const byDefinition = await plain.execute(alice, undefined);
    expect(byDefinition.tools.find((t) => t.name === 'notes.add')?.approval).toEqual(REQUESTER);
    expect(byDefinition.tools.find((t) => t.name === 'notes.get')).not.toHaveProperty('approval');
  });

  it("reads the overrides and the cache of the actor's tenant", async () => {
    const { sut, users, tenants } = setup();
    await sut.execute({ ...alice, tenantId: 'acme' }, undefined);
    await sut.execute(alice, undefined);
    expect(tenants).toEqual(['acme', 'default']);
    expect(users).toEqual([
      { tenantId: 'acme', userId: 'alice' },
      { tenantId: 'default', userId: 'alice' },
    ]);
  });

  it('keys the cache by the overrides in force, so a changed override is never served stale', async () => {
    const before = setup();
    const after = setup({ 'notes.get': ADMINS });
    await before.sut.execute(alice, undefined);
    await after.sut.execute(alice, undefined);
    expect(before.keys[0]).not.toEqual(after.keys[0]);
  });

  it("offers a tool configured with a tenant's own credential to that tenant only", async () => {
    const credentials = new CredentialStore({}, { acme: { SEARCH_API_KEY: 'acme-key' } });
    // One use case each: the fake cache keeps one entry whatever the key.
    const acme = await setup({}, { credentials }).sut.execute(
      { ...alice, tenantId: 'acme' },
      undefined,
    );
    expect(acme.tools.map((t) => t.name)).toContain('web_search');
    expect(acme.unconfigured).toBeUndefined();
    const globex = await setup({}, { credentials }).sut.execute(
      { ...alice, tenantId: 'globex' },
      undefined,
    );
    expect(globex.tools.map((t) => t.name)).not.toContain('web_search');
    expect(globex.unconfigured).toEqual([
      expect.objectContaining({ name: 'web_search', needs: ['SEARCH_API_KEY'] }),
    ]);
  });

  it("keys the cache by the tenant's settings and own credential names, never their values", async () => {
    const plain = setup();
    const withKey = setup(
      {},
      { credentials: new CredentialStore({}, { acme: { SEARCH_API_KEY: 'acme-key' } }) },
    );
    const narrowed = setup(
      {},
      { tenants: new TenantDirectory({ tenants: { acme: { agents: [] } } }) },
    );
    const acme = { ...alice, tenantId: 'acme' };
    for (const s of [plain, withKey, narrowed]) await s.sut.execute(acme, undefined);
    const keys = [plain.keys[0], withKey.keys[0], narrowed.keys[0]].map((k) => JSON.stringify(k));
    expect(new Set(keys).size).toBe(3);
    expect(keys.join()).not.toContain('acme-key');
  });
});
