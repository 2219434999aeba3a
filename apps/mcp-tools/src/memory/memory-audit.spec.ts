import { describe, expect, it } from '@jest/globals';
import type { Tools } from '@switchboard/contracts';
import { itemChanged, namespaceLabel } from './memory-audit.js';

const item: Tools.MemoryItem = {
  id: '0b5c1f8e-3c8a-4f59-9d3e-1c2b3a4d5e6f',
  namespace: { kind: 'thread', key: 't-1' },
  content: 'the secret plan',
  metadata: {},
  writtenBy: { userId: 'u-1', taskId: null },
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:00.000Z',
};

describe('memory audit records', () => {
  it('names a namespace kind:key', () => {
    expect(namespaceLabel({ kind: 'tenant', key: 'handbook' })).toBe('tenant:handbook');
  });

  it('records a change to an item by its id and namespace, with the details given, never its content', () => {
    const record = itemChanged('memory.forget', item, { contentSha256: 'abc' });
    expect(record).toEqual({
      category: 'tool',
      action: 'memory.forget',
      outcome: 'success',
      resource: `memory/${item.id}`,
      details: { namespace: 'thread:t-1', contentSha256: 'abc' },
    });
    expect(JSON.stringify(record)).not.toContain(item.content);
  });
});
