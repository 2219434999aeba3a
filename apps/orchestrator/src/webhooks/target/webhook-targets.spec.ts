import { describe, expect, it } from '@jest/globals';
import { isDomainError } from '@switchboard/contracts';
import { parseRange } from './ip-range.js';
import { type HostLookup, TargetRefused, WebhookTargets } from './webhook-targets.js';

const targets = (answers: Record<string, string[]>, allowed: string[] = []) => {
  const lookup: HostLookup = (host) => {
    const found = answers[host];
    if (!found) return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    return Promise.resolve(
      found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const),
    );
  };
  return new WebhookTargets(
    {
      WEBHOOK_HTTPS_ONLY: true,
      WEBHOOK_ALLOWED_TARGETS: allowed.map(parseRange),
      WEBHOOK_DENIED_TARGETS: [],
    },
    lookup,
  );
};

async function refusal(p: Promise<unknown>): Promise<TargetRefused> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof TargetRefused)) throw new Error(`expected a refusal, got ${String(e)}`);
  return e;
}

describe('webhook targets (resolution + URL policy)', () => {
  it('answers the addresses the host resolves to, which the delivery then connects to', async () => {
    const checked = await targets({ 'hooks.example.com': ['93.184.215.14'] }).check(
      'https://hooks.example.com/in?x=1',
      'url',
    );
    expect(checked.addresses).toEqual([{ address: '93.184.215.14', family: 4 }]);
    expect(checked.url.pathname).toBe('/in');
  });

  it('refuses a host with any refused address (one public, one private), naming field and reason', async () => {
    const e = await refusal(
      targets({ 'mixed.example.com': ['93.184.215.14', '10.0.0.7'] }).check(
        'https://mixed.example.com/',
        'webhook.url',
      ),
    );
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toBe(
      'webhook.url: mixed.example.com resolves to 10.0.0.7, a private address, which the URL policy refuses (WEBHOOK_ALLOWED_TARGETS can allow it)',
    );
    expect(e.details).toMatchObject({
      issues: [{ path: 'webhook.url' }],
      refusal: 'address',
    });
  });

  it('refuses metadata addresses written as IP literals, IPv6 in brackets too', async () => {
    const t = targets({});
    expect((await refusal(t.check('https://169.254.169.254/latest', 'url'))).message).toMatch(
      /^url: 169\.254\.169\.254 is a cloud metadata address/,
    );
    expect((await refusal(t.check('https://[fd00:ec2::254]/', 'url'))).message).toMatch(
      /^url: fd00:ec2::254 is a cloud metadata address/,
    );
    expect((await refusal(t.check('https://[::ffff:127.0.0.1]/', 'url'))).message).toMatch(
      /^url: ::ffff:7f00:1 \(127\.0\.0\.1\) is a loopback address/,
    );
  });

  it('refuses a host that does not resolve, and http when https is required', async () => {
    const t = targets({});
    const e = await refusal(t.check('https://nowhere.invalid/', 'url'));
    expect(e.message).toBe('url: nowhere.invalid does not resolve to any address');
    expect(e.kind).toBe('unresolvable');
    expect((await refusal(t.check('http://a.example/', 'url'))).message).toBe(
      'url: must be an https URL (WEBHOOK_HTTPS_ONLY is on)',
    );
  });

  it('lets an allowed loopback receiver through (what the tests configure)', async () => {
    const t = targets({ localhost: ['127.0.0.1'] }, ['127.0.0.1']);
    await expect(t.check('https://localhost:8443/hook', 'url')).resolves.toMatchObject({
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
  });

  it('reports a resolver failure as retryable, not as a refusal', async () => {
    const t = new WebhookTargets(
      { WEBHOOK_HTTPS_ONLY: true, WEBHOOK_ALLOWED_TARGETS: [], WEBHOOK_DENIED_TARGETS: [] },
      () => Promise.reject(Object.assign(new Error('try again'), { code: 'EAI_AGAIN' })),
    );
    const e = await t.check('https://a.example/', 'url').catch((err: unknown) => err);
    expect(isDomainError(e) && e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(isDomainError(e) && e.retryable).toBe(true);
  });
});
