import { isSecretKey, redactSecrets } from './redact.js';
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

  it('redacts the listed secret names in any spelling, and leaves usage counts such as totalTokens visible', () => {
    const secrets = {
      password: 1,
      NATS_PASSWORD: 1,
      apiKey: 1,
      api_key: 1,
      WEATHER_API_KEY: 1,
      'x-proxy-secret': 1,
      clientSecret: 1,
      Authorization: 1,
      'Proxy-Authorization': 1,
      'Set-Cookie': 1,
      token: 1,
      accessToken: 1,
      refresh_token: 1,
      NATS_TOKEN: 1,
      privateKey: 1,
      credentials: 1,
    };
    const visible = {
      totalTokens: 1200,
      promptTokens: 1000,
      completionTokens: 200,
      maxTokens: 4096,
      tokenCount: 3,
      tokenizer: 'cl100k',
      passed: true,
      secretName: 'openai',
      keyboard: 'us',
    };
    const out = redactSecrets({ usage: { ...visible }, ...secrets });
    expect(out.usage).toEqual(visible);
    for (const name of Object.keys(secrets))
      expect(out[name as keyof typeof secrets]).toBe('[redacted]');
    for (const name of Object.keys(visible)) expect(isSecretKey(name)).toBe(false);
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
