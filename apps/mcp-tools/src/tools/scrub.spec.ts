import { scrubValues } from './scrub.js';

describe('scrubValues', () => {
  it('masks secrets in strings and keys at any depth, also URL-encoded, and keeps other fields', () => {
    const secret = 'sk live/123+x';
    const value = {
      tokens: 42,
      note: `key=${secret}`,
      url: `https://x?k=${encodeURIComponent(secret)}`,
      nested: [{ [secret]: secret }],
    };
    expect(scrubValues(value, [secret])).toEqual({
      tokens: 42,
      note: 'key=[redacted]',
      url: 'https://x?k=[redacted]',
      nested: [{ '[redacted]': '[redacted]' }],
    });
  });

  it('ignores secrets too short to be meaningful and leaves values without secrets alone', () => {
    expect(scrubValues({ a: 'abc' }, ['ab'])).toEqual({ a: 'abc' });
    expect(scrubValues(7, ['secret'])).toBe(7);
  });
});
