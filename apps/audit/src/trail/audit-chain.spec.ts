import type { Audit } from '@switchboard/contracts';
import { canonicalJson } from '@switchboard/runtime';
import { chainHash, GENESIS_HASH } from './audit-chain.js';

const record: Audit.AuditRecord = {
  id: '0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d',
  at: '2026-11-22T10:00:00.000Z',
  category: 'tool',
  action: 'tool.call',
  outcome: 'success',
  source: 'mcp-tools',
  actor: { userId: 'ann', role: 'user' },
  details: { b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } },
};

const link = { tenantId: 'acme', tenantSeq: 1, tenantPrevHash: GENESIS_HASH };

describe('audit chain', () => {
  it('serializes with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: [{ z: 1, y: 2 }] } })).toBe(
      '{"a":{"c":[{"y":2,"z":1}],"d":1},"b":1}',
    );
  });

  it('hashes the same record the same way whatever the key order, and differently for any change', () => {
    const reordered = { ...record, details: { a: { c: null, d: [2, { y: 2, z: 1 }] }, b: 1 } };
    expect(chainHash(GENESIS_HASH, reordered)).toBe(chainHash(GENESIS_HASH, record));
    expect(chainHash(GENESIS_HASH, { ...record, outcome: 'failure' })).not.toBe(
      chainHash(GENESIS_HASH, record),
    );
    expect(chainHash('f'.repeat(64), record)).not.toBe(chainHash(GENESIS_HASH, record));
  });

  it('keeps the format of rows stored before tenants (version 1) unchanged', () => {
    // The hash the release before tenants gave this record: rows it stored must keep verifying.
    expect(chainHash(GENESIS_HASH, record)).toBe(
      'ebacf1fd8fb5fedf118cb78cc644677594e65668764a6a5c41c17488c7aec637',
    );
    // What the producer said about the tenant is not part of a version 1 hash (it was not stored).
    expect(chainHash(GENESIS_HASH, { ...record, tenantId: 'acme' })).toBe(
      chainHash(GENESIS_HASH, record),
    );
  });

  it("covers the row's place in its tenant's chain from version 2 on", () => {
    const v2 = chainHash(GENESIS_HASH, record, link);
    expect(v2).not.toBe(chainHash(GENESIS_HASH, record));
    for (const changed of [
      { ...link, tenantId: 'globex' },
      { ...link, tenantSeq: 2 },
      { ...link, tenantPrevHash: 'f'.repeat(64) },
    ])
      expect(chainHash(GENESIS_HASH, record, changed)).not.toBe(v2);
  });
});
