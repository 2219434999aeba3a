import { cosine, fromBytes, normalized, toBytes } from './memory-vector.js';

describe('memory vectors', () => {
  it('normalizes to unit length, so the cosine of a vector with itself is 1 and of opposites -1', () => {
    const v = normalized([3, 4]);
    expect(Array.from(v)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(cosine(v, v)).toBeCloseTo(1, 6);
    expect(cosine(v, normalized([-3, -4]))).toBeCloseTo(-1, 6);
    expect(cosine(normalized([1, 0]), normalized([0, 5]))).toBeCloseTo(0, 6);
  });

  it('leaves a zero vector zero (it matches nothing) instead of dividing by zero', () => {
    expect(Array.from(normalized([0, 0, 0]))).toEqual([0, 0, 0]);
  });

  it('round-trips through bytes, also from a slice of a larger buffer', () => {
    const v = normalized([1, -2, 3.5, 0.25]);
    const bytes = toBytes(v);
    expect(bytes.byteLength).toBe(16);
    const framed = new Uint8Array(20);
    framed.set(bytes, 3);
    expect(Array.from(fromBytes(framed.subarray(3, 19)))).toEqual(Array.from(v));
  });

  it('compares only vectors of the same length (another model or dimension setting: undefined)', () => {
    expect(cosine(normalized([1, 2]), normalized([1, 2, 3]))).toBeUndefined();
  });
});
