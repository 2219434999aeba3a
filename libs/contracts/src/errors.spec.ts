import { DomainError, errorBodyOf } from './errors.js';

describe(errorBodyOf.name, () => {
  it("keeps a domain error's body, details and retryable included", () => {
    const e = new DomainError('RATE_LIMITED', 'slow down', {
      retryable: true,
      details: { retryAfterMs: 5 },
    });
    expect(errorBodyOf(e, 'unused')).toEqual({
      code: 'RATE_LIMITED',
      message: 'slow down',
      details: { retryAfterMs: 5 },
      retryable: true,
    });
  });

  it("turns anything else into INTERNAL in the caller's words, never its own message", () => {
    const body = errorBodyOf(new Error('connect ECONNREFUSED postgres://u:secret@db'), 'it failed');
    expect(body).toEqual({ code: 'INTERNAL', message: 'it failed', retryable: false });
    expect(errorBodyOf('thrown text', 'admission failed', true)).toEqual({
      code: 'INTERNAL',
      message: 'admission failed',
      retryable: true,
    });
  });
});
