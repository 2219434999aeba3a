import { describe, expect, it } from '@jest/globals';
import { approvalArgsHash, canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: [{ z: 1, y: 2 }] }, u: undefined })).toBe(
      '{"a":{"c":[{"y":2,"z":1}],"d":1},"b":1}',
    );
  });
});

describe('approvalArgsHash', () => {
  it('is the same for the same call whatever the key order', () => {
    expect(approvalArgsHash('notes.add', { title: 't', content: 'c' })).toBe(
      approvalArgsHash('notes.add', { content: 'c', title: 't' }),
    );
  });

  it('differs when the target or any argument differs', () => {
    const h = approvalArgsHash('notes.add', { content: 'c' });
    expect(approvalArgsHash('notes.get', { content: 'c' })).not.toBe(h);
    expect(approvalArgsHash('notes.add', { content: 'C' })).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });
});
