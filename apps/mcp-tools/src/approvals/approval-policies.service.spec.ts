import { describe, expect, it } from '@jest/globals';
import { type Actor, Approvals, type DomainError } from '@switchboard/contracts';
import type { AuditTrail, NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { RegisteredTool, ToolRegistry } from '../registry/tool-registry.service.js';
import type { ToolsChangedPublisher } from '../registry/tools-changed.publisher.js';
import { ApprovalOverridesCache } from './approval-overrides.cache.js';
import { ApprovalPoliciesService } from './approval-policies.service.js';
import type {
  ApprovalPolicyOverride,
  ApprovalPolicyRepository,
} from './approval-policy.repository.js';

const admin: Actor = { userId: 'root', role: 'admin' };
const alice: Actor = { userId: 'alice', role: 'user' };
const acmeAdmin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'ops', role: 'platform-admin', tenantId: 'globex' };
/** A stored override's place: its tenant and tool. */
const at = (tool: string, tenantId = 'default') => `${tenantId}/${tool}`;
const REQUESTER = Approvals.ApprovalPolicy.parse({});
const FOUR_EYES = Approvals.ApprovalPolicy.parse({
  approvers: { requester: false, roles: ['admin'] },
  allowSelf: false,
});

const registered = (name: string, approval?: Approvals.ApprovalPolicy) =>
  ({ definition: { name, ...(approval ? { approval } : {}) } }) as unknown as RegisteredTool;

/**
 * The service over an in-memory store (`stored`: the default tenant's overrides) and a registry of
 * notes.add (with a policy) and calculator.
 */
function setup(stored: Record<string, Approvals.ApprovalPolicy> = {}) {
  const rows = new Map<string, ApprovalPolicyOverride>(
    Object.entries(stored).map(([tool, policy]) => [
      at(tool),
      { tool, policy, setBy: 'earlier-admin', setAt: new Date(0).toISOString() },
    ]),
  );
  const repository = {
    all: async (tenantId: string) =>
      [...rows.entries()]
        .filter(([place]) => place.startsWith(`${tenantId}/`))
        .map(([, row]) => row)
        .sort((a, b) => a.tool.localeCompare(b.tool)),
    find: async (tenantId: string, tool: string) => rows.get(at(tool, tenantId)),
    set: async (
      tenantId: string,
      tool: string,
      policy: Approvals.ApprovalPolicy,
      setBy: string,
    ) => {
      const row = { tool, policy, setBy, setAt: new Date().toISOString() };
      rows.set(at(tool, tenantId), row);
      return row;
    },
    remove: async (tenantId: string, tool: string) => rows.delete(at(tool, tenantId)),
  } as unknown as ApprovalPolicyRepository;
  const tools = [registered('calculator'), registered('notes.add', REQUESTER)];
  const registry = {
    get: (name: string) => tools.find((t) => t.definition.name === name),
    list: () => tools,
  } as unknown as ToolRegistry;
  const audits: Record<string, unknown>[] = [];
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  let announced = 0;
  const changes = {
    approvalPoliciesChanged: () => void announced++,
  } as unknown as ToolsChangedPublisher;
  // The other replicas are told through the bus (Tools.ApprovalPoliciesChanged).
  const published: unknown[] = [];
  const bus = {
    publish: (_contract: unknown, _tokens: unknown, payload: unknown) =>
      void published.push(payload),
  } as unknown as NatsBus;
  const cache = new ApprovalOverridesCache(
    repository,
    bus,
    { APPROVAL_POLICY_CACHE_TTL_MS: 60_000 },
    { warn: () => undefined } as unknown as Logger,
  );
  const sut = new ApprovalPoliciesService(
    repository,
    registry,
    audit as unknown as AuditTrail,
    changes,
    cache,
  );
  return { sut, rows, audits, tools, published, announced: () => announced };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as DomainError,
  );

describe(ApprovalPoliciesService.name, () => {
  it('lists every tool with a policy and where it comes from', async () => {
    const { sut } = setup({ calculator: FOUR_EYES });
    await expect(sut.list(admin)).resolves.toEqual([
      expect.objectContaining({ tool: 'calculator', policy: FOUR_EYES, source: 'override' }),
      { tool: 'notes.add', policy: REQUESTER, source: 'definition' },
    ]);
  });

  it('refuses non-admins (FORBIDDEN, audited as denied) and changes nothing', async () => {
    const { sut, rows, audits, announced, published } = setup();
    await expect(failure(sut.list(alice))).resolves.toMatchObject({ code: 'FORBIDDEN' });
    const e = await failure(sut.set(alice, 'calculator', FOUR_EYES));
    expect(e.code).toBe('FORBIDDEN');
    expect(rows.size).toBe(0);
    expect(announced()).toBe(0);
    expect(published).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({ category: 'admin', outcome: 'denied' }),
      expect.objectContaining({
        category: 'admin',
        action: 'tools.approval-policy.set',
        outcome: 'denied',
        resource: 'calculator',
      }),
    ]);
  });

  it('sets an override: stored, answered as effective, announced and audited', async () => {
    const { sut, rows, audits, tools, announced, published } = setup();
    // Read (and kept) before the change: the change must replace this replica's copy.
    await expect(sut.effectiveOf(tools[0]!, 'default')).resolves.toBeUndefined();
    await expect(sut.set(admin, 'calculator', FOUR_EYES)).resolves.toMatchObject({
      tool: 'calculator',
      policy: FOUR_EYES,
      source: 'override',
      setBy: 'root',
    });
    expect(rows.get(at('calculator'))?.policy).toEqual(FOUR_EYES);
    await expect(sut.effectiveOf(tools[0]!, 'default')).resolves.toEqual(FOUR_EYES);
    expect(announced()).toBe(1);
    expect(published).toEqual([
      { tenantId: 'default', tool: 'calculator', at: expect.any(String) as unknown },
    ]);
    expect(audits).toEqual([
      expect.objectContaining({
        category: 'admin',
        action: 'tools.approval-policy.set',
        outcome: 'success',
        resource: 'calculator',
        details: expect.objectContaining({ policy: FOUR_EYES, previous: null }) as unknown,
      }),
    ]);
  });

  it("removes an override (policy null): the definition's policy, or none, applies again", async () => {
    const { sut, rows, tools, audits } = setup({ 'notes.add': FOUR_EYES, calculator: FOUR_EYES });
    await expect(sut.set(admin, 'notes.add', null)).resolves.toEqual({
      tool: 'notes.add',
      policy: REQUESTER,
      source: 'definition',
    });
    await expect(sut.set(admin, 'calculator', null)).resolves.toEqual({
      tool: 'calculator',
      policy: null,
      source: 'none',
    });
    expect(rows.size).toBe(0);
    await expect(sut.effectiveOf(tools[0]!, 'default')).resolves.toBeUndefined();
    expect(audits.map((a) => a['action'])).toEqual([
      'tools.approval-policy.remove',
      'tools.approval-policy.remove',
    ]);
  });

  it('answers NOT_FOUND naming a tool the registry does not know, but removes a gone tool’s override', async () => {
    const { sut, rows } = setup({ gone__tool: FOUR_EYES });
    const e = await failure(sut.set(admin, 'no.such.tool', FOUR_EYES));
    expect(e).toMatchObject({ code: 'NOT_FOUND', details: { tool: 'no.such.tool' } });
    expect(e.message).toContain('no.such.tool');
    await expect(failure(sut.set(admin, 'gone__tool', REQUESTER))).resolves.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(sut.set(admin, 'gone__tool', null)).resolves.toMatchObject({ source: 'none' });
    expect(rows.size).toBe(0);
  });

  it('fingerprints the overrides in force: any change gives another version', async () => {
    const { sut } = setup();
    const empty = (await sut.overrides('default')).version;
    await sut.set(admin, 'calculator', REQUESTER);
    const one = (await sut.overrides('default')).version;
    await sut.set(admin, 'calculator', FOUR_EYES);
    const changed = (await sut.overrides('default')).version;
    expect(new Set([empty, one, changed]).size).toBe(3);
  });

  it("holds an admin's override in their own tenant only: listed, effective and fingerprinted there", async () => {
    const { sut, rows, tools } = setup({ 'notes.add': REQUESTER });
    const before = (await sut.overrides('default')).version;
    await sut.set(acmeAdmin, 'calculator', FOUR_EYES);
    expect([...rows.keys()].sort()).toEqual([at('calculator', 'acme'), at('notes.add')]);
    await expect(sut.effectiveOf(tools[0]!, 'acme')).resolves.toEqual(FOUR_EYES);
    await expect(sut.effectiveOf(tools[0]!, 'default')).resolves.toBeUndefined();
    // The default tenant's own override is not acme's: acme gets the definition's policy.
    await expect(sut.effectiveOf(tools[1]!, 'acme')).resolves.toEqual(REQUESTER);
    expect((await sut.overrides('default')).version).toBe(before);
    expect((await sut.list(admin)).map((e) => [e.tool, e.source])).toEqual([
      ['notes.add', 'override'],
    ]);
    expect((await sut.list(acmeAdmin)).map((e) => [e.tool, e.source])).toEqual([
      ['calculator', 'override'],
      ['notes.add', 'definition'],
    ]);
    // Removing acme's override leaves the default tenant's alone.
    await sut.set(acmeAdmin, 'notes.add', null);
    expect([...rows.keys()].sort()).toEqual([at('calculator', 'acme'), at('notes.add')]);
  });

  it('lets the platform operator set and list the policies of the tenant they act in', async () => {
    const { sut, rows } = setup();
    await sut.set(operator, 'calculator', FOUR_EYES);
    expect([...rows.keys()]).toEqual([at('calculator', 'globex')]);
    expect((await sut.list(operator)).map((e) => e.tool)).toEqual(['calculator', 'notes.add']);
    expect((await sut.list(admin)).map((e) => e.tool)).toEqual(['notes.add']);
  });
});
