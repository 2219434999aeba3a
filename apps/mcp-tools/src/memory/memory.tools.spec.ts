import { describe, expect, it } from '@jest/globals';
import { Tools } from '@switchboard/contracts';
import type { MemoryStore } from './memory-store.service.js';
import { MemoryRememberTool, MemoryShareTool } from './memory.tools.js';

const store = {} as MemoryStore;

describe('memory write tools', () => {
  it('are non-idempotent built-ins of the memory provider, each found by its own name', () => {
    for (const tool of [new MemoryRememberTool(store), new MemoryShareTool(store)]) {
      const definition = Tools.ToolDefinition.parse(tool.definition);
      expect(definition).toMatchObject({
        provider: 'memory',
        handler: { kind: 'builtin', ref: definition.name },
        idempotent: false,
      });
      expect(tool.keyed).toBe(true);
    }
  });

  it('keep a user their own namespaces, and shared ones for admins, who must name one', () => {
    const remember = Tools.ToolDefinition.parse(new MemoryRememberTool(store).definition);
    const share = Tools.ToolDefinition.parse(new MemoryShareTool(store).definition);
    const kinds = (d: Tools.ToolDefinition) =>
      (d.inputSchema as { properties: { namespace: { properties: { kind: { enum: string[] } } } } })
        .properties.namespace.properties.kind.enum;
    expect(remember).toMatchObject({ name: 'memory.remember', adminOnly: false });
    expect(remember.inputSchema['required']).toEqual(['content']);
    expect(kinds(remember)).toEqual(['user', 'thread']);
    expect(share).toMatchObject({ name: 'memory.share', adminOnly: true });
    expect(share.inputSchema['required']).toEqual(['content', 'namespace']);
    expect(kinds(share)).toEqual(['agent', 'tenant']);
  });
});
