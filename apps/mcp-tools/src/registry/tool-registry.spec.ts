import { Approvals, type Tools } from '@switchboard/contracts';
import type { ToolImplementation } from './tool-implementation.js';
import { parseDefinition, ToolRegistry } from './tool-registry.service.js';

const impl = (
  name: string,
  provider = 'p',
  extra: Partial<Tools.ToolDefinitionInput> = {},
): ToolImplementation => ({
  definition: {
    name,
    title: name,
    description: name,
    provider,
    inputSchema: { type: 'object' },
    handler: { kind: 'builtin', ref: name },
    ...extra,
  },
  run: async () => ({}),
});
const entry = (i: ToolImplementation) => ({
  definition: parseDefinition(i, 'test'),
  implementation: i,
});

describe('the tool registry', () => {
  it('replaces a source at once and keeps names unique across sources', () => {
    const registry = new ToolRegistry();
    registry.replaceSource('builtin', [entry(impl('a')), entry(impl('b'))]);
    registry.replaceSource('mcp:x', [entry(impl('x__c', 'x'))]);
    expect(registry.list().map((t) => t.definition.name)).toEqual(['a', 'b', 'x__c']);
    expect(() => registry.replaceSource('file', [entry(impl('a'))])).toThrow(
      'tool "a" of file is already defined by builtin',
    );
    registry.replaceSource('mcp:x', []);
    expect(registry.get('x__c')).toBeUndefined();
    expect(registry.ownerOf('a')).toBe('builtin');
  });

  it('changes its version (a content fingerprint) exactly when tools or provider settings change', () => {
    const a = new ToolRegistry();
    const b = new ToolRegistry();
    const seen: string[] = [];
    a.onChange((v) => seen.push(v));
    a.replaceSource('builtin', [entry(impl('a'))]);
    b.replaceSource('builtin', [entry(impl('a'))]);
    expect(a.version).toBe(b.version);
    a.replaceSource('builtin', [entry(impl('a'))]);
    expect(seen).toHaveLength(1);
    a.declareProvider({ name: 'p', requiresAuthorization: true });
    expect(a.version).not.toBe(b.version);
    expect(seen).toHaveLength(2);
    a.replaceSource('builtin', [entry(impl('a', 'p', { description: 'changed' }))]);
    expect(seen).toHaveLength(3);
  });

  it('knows declared providers and those with tools; undeclared ones need no authorization', () => {
    const registry = new ToolRegistry();
    registry.declareProvider({ name: 'partner', requiresAuthorization: true });
    registry.replaceSource('builtin', [entry(impl('a', 'math'))]);
    expect(registry.providers()).toEqual([
      { name: 'math', requiresAuthorization: false },
      { name: 'partner', requiresAuthorization: true },
    ]);
    expect(registry.provider('nobody')).toBeUndefined();
  });

  it('knows what each tool needs: unset settings and missing credentials, part of its version', () => {
    const withKey = new ToolRegistry({ has: (name) => name === 'SET_KEY' });
    const without = new ToolRegistry({ has: () => false });
    const tools = [
      entry(impl('ready', 'p', { requiredCredentials: ['SET_KEY'] })),
      entry(impl('keyless', 'p', { requiredCredentials: ['SET_KEY', 'OTHER_KEY'] })),
      {
        ...entry(impl('unset', 'p')),
        implementation: { ...impl('unset'), unsetSettings: ['API_URL'] },
      },
    ];
    withKey.replaceSource('builtin', tools);
    without.replaceSource('builtin', tools);
    expect(withKey.list().map((t) => [t.definition.name, t.needs])).toEqual([
      ['keyless', ['OTHER_KEY']],
      ['ready', []],
      ['unset', ['API_URL']],
    ]);
    expect(withKey.configured().map((t) => t.definition.name)).toEqual(['ready']);
    expect(without.get('ready')?.needs).toEqual(['SET_KEY']);
    // Replicas with different credentials offer different tools: they must not share manifests.
    expect(withKey.version).not.toBe(without.version);
  });

  it("puts the approvals section's policy on the named tools of any source, part of its version", () => {
    const plain = new ToolRegistry();
    const approving = new ToolRegistry();
    const policy = Approvals.ApprovalPolicy.parse({});
    const own = Approvals.ApprovalPolicy.parse({ expiresInMs: 60_000 });
    approving.configureApprovals({ a: policy, x__c: policy });
    for (const registry of [plain, approving]) {
      registry.replaceSource('builtin', [
        entry(impl('a')),
        entry(impl('b', 'p', { approval: own })),
      ]);
      registry.replaceSource('mcp:x', [entry(impl('x__c', 'x'))]);
    }
    expect(approving.list().map((t) => [t.definition.name, t.definition.approval])).toEqual([
      ['a', policy],
      ['b', own],
      ['x__c', policy],
    ]);
    expect(plain.get('a')?.definition.approval).toBeUndefined();
    expect(approving.version).not.toBe(plain.version);
  });

  it('names the tool and field of an invalid definition', () => {
    expect(() => parseDefinition(impl('bad name'), 'built-in tool')).toThrow(
      /^built-in tool: name: may hold letters/,
    );
  });
});
