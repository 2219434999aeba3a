import { redactSecrets } from './redact.js';
import { ReadinessRegistry } from './readiness.registry.js';

describe(redactSecrets.name, () => {
  it('masks secret-looking keys at any depth and known secret values inside strings', () => {
    const out = redactSecrets(
      {
        user: 'ann',
        password: 'p',
        nested: { apiKey: 'k', list: [{ token: 't', note: 'key is sk-123456 ok' }] },
        authorization: 'Bearer x',
      },
      ['sk-123456'],
    );
    expect(out).toEqual({
      user: 'ann',
      password: '[redacted]',
      nested: {
        apiKey: '[redacted]',
        list: [{ token: '[redacted]', note: 'key is [redacted] ok' }],
      },
      authorization: '[redacted]',
    });
  });

  it('leaves ordinary values alone and ignores too-short secrets', () => {
    expect(redactSecrets({ n: 1, s: 'abc', b: true }, ['ab'])).toEqual({ n: 1, s: 'abc', b: true });
  });
});

describe(ReadinessRegistry.name, () => {
  it('reports each check, including failures and checks that never answer', async () => {
    const sut = new ReadinessRegistry();
    sut.register('ok', async () => undefined);
    sut.register('down', async () => {
      throw new Error('refused');
    });
    sut.register('hung', () => new Promise(() => undefined));
    expect(await sut.run(50)).toEqual({
      ok: { status: 'up' },
      down: { status: 'down', detail: 'refused' },
      hung: { status: 'down', detail: 'no answer within 50 ms' },
    });
  });
});
