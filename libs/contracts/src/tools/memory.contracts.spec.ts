import { validationError } from '../errors.js';
import { MEMORY_CONTENT_MAX, MemoryChange, MemoryUpdate } from './memory.contracts.js';

const id = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const refusal = (value: unknown): string => {
  const r = MemoryUpdate.request.safeParse(value);
  if (r.success) throw new Error('expected a refusal');
  return validationError('request', r.error).message;
};

describe('MemoryUpdate', () => {
  it('takes new content, new metadata or both', () => {
    expect(MemoryUpdate.request.parse({ id, content: 'my favourite number is 9' })).toEqual({
      id,
      content: 'my favourite number is 9',
    });
    expect(MemoryUpdate.request.parse({ id, metadata: { source: 'console' } })).toEqual({
      id,
      metadata: { source: 'console' },
    });
    expect(MemoryChange.parse({ content: 'line one\nline two\ttab' })).toBeTruthy();
  });

  it('refuses an edit that changes nothing, or a bad field, naming the field', () => {
    expect(refusal({ id })).toBe('invalid request: content: give content, metadata or both');
    expect(refusal({ id, content: '' })).toMatch(/^invalid request: content: /);
    expect(refusal({ id, content: 'x'.repeat(MEMORY_CONTENT_MAX + 1) })).toMatch(/content: /);
    expect(refusal({ id, content: 'bell \u0007' })).toMatch(/content: must not contain control/);
    expect(refusal({ id, metadata: { blob: 'y'.repeat(5_000) } })).toMatch(
      /metadata: must be at most 4096 bytes/,
    );
    expect(refusal({ id, metadata: { a: 'nul \u0000' } })).toMatch(/metadata\.a: must not contain/);
    expect(refusal({ id, metadata: [1] })).toMatch(/^invalid request: metadata: .*expected record/);
    // An item stays in its namespace: moving it would be a write elsewhere, with other rights.
    expect(refusal({ id, content: 'x', namespace: { kind: 'user', key: 'a' } })).toBe(
      'invalid request: (root): Unrecognized key: "namespace"',
    );
    expect(refusal({ id: 'nope', content: 'x' })).toMatch(/^invalid request: id: /);
  });
});
