import { describe, expect, it } from '@jest/globals';
import { embeddedIpv4, formatIp, inRange, parseIp, parseRange } from './ip-range.js';
import { WebhookTargetPolicy } from './webhook-target.policy.js';

const policy = (over: { httpsOnly?: boolean; allowed?: string[]; denied?: string[] } = {}) =>
  new WebhookTargetPolicy({
    httpsOnly: over.httpsOnly ?? true,
    allowed: (over.allowed ?? []).map(parseRange),
    denied: (over.denied ?? []).map(parseRange),
  });

describe('IP ranges', () => {
  it('parses IPv4, IPv6 (compressed, with a dotted tail) and CIDR ranges', () => {
    expect(parseIp('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('::ffff:127.0.0.1')).toEqual({ family: 6, value: 0xffff7f000001n });
    expect(parseIp('fd00:ec2::254')?.value).toBe(0xfd000ec2000000000000000000000254n);
    expect(parseIp('example.com')).toBeUndefined();
    expect(parseIp('fe80::1%eth0')).toBeUndefined();
    expect(inRange(parseIp('172.31.255.255')!, parseRange('172.16.0.0/12'))).toBe(true);
    expect(inRange(parseIp('172.32.0.0')!, parseRange('172.16.0.0/12'))).toBe(false);
    expect(inRange(parseIp('::1')!, parseRange('127.0.0.0/8'))).toBe(false);
  });

  it('refuses what is not a range, naming it', () => {
    expect(() => parseRange('10.0.0.0/33')).toThrow('"10.0.0.0/33": the prefix must be 0-32');
    expect(() => parseRange('::/129')).toThrow('the prefix must be 0-128');
    expect(() => parseRange('10.0.0.0/8/1')).toThrow('is not an IP address or CIDR range');
    expect(() => parseRange('intranet')).toThrow('"intranet" is not an IP address or CIDR range');
    expect(() => parseRange('10.0.0.0/x')).toThrow('the prefix must be');
  });

  it('finds the IPv4 address inside mapped, compatible, NAT64 and 6to4 IPv6 addresses', () => {
    const v4 = (s: string) => {
      const e = embeddedIpv4(parseIp(s)!);
      return e && formatIp(e);
    };
    expect(v4('::ffff:169.254.169.254')).toBe('169.254.169.254');
    expect(v4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(v4('::10.0.0.1')).toBe('10.0.0.1');
    expect(v4('64:ff9b::192.168.1.1')).toBe('192.168.1.1');
    expect(v4('2002:7f00:0001::')).toBe('127.0.0.1');
    expect(v4('::1')).toBeUndefined();
    expect(v4('2606:4700::1111')).toBeUndefined();
  });
});

describe('the webhook URL policy', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.8.9.10', 'a loopback address'],
    ['10.0.0.5', 'a private address'],
    ['172.20.1.1', 'a private address'],
    ['192.168.0.10', 'a private address'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['169.254.170.2', 'a cloud metadata address'],
    ['169.254.1.1', 'a link-local address'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['100.64.0.1', 'a shared (carrier-grade NAT) address'],
    ['0.0.0.0', 'an unspecified ("this network") address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['fd12:3456::1', 'a private (unique local) address'],
    ['fe80::1', 'a link-local address'],
    ['ff02::1', 'a multicast address'],
    ['2001:db8::1', 'a documentation address'],
  ])('refuses %s as %s', (address, what) => {
    expect(policy().refuseAddress(address)).toBe(
      `${address} is ${what}, which the URL policy refuses (WEBHOOK_ALLOWED_TARGETS can allow it)`,
    );
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1', 'a loopback address'],
    ['::ffff:169.254.169.254', '169.254.169.254', 'a cloud metadata address'],
    ['64:ff9b::a00:1', '10.0.0.1', 'a private address'],
    ['2002:a9fe:a9fe::1', '169.254.169.254', 'a cloud metadata address'],
  ])('refuses the IPv6 address %s as the IPv4 address it carries (%s)', (address, v4, what) => {
    expect(policy().refuseAddress(address)).toBe(
      `${address} (${v4}) is ${what}, which the URL policy refuses (WEBHOOK_ALLOWED_TARGETS can allow it)`,
    );
  });

  it('names the host a refused address came from', () => {
    expect(policy().refuseResolved('hooks.internal', '10.1.2.3')).toBe(
      'hooks.internal resolves to 10.1.2.3, a private address, which the URL policy refuses (WEBHOOK_ALLOWED_TARGETS can allow it)',
    );
    expect(policy().refuseResolved('a.example', '93.184.215.14')).toBeUndefined();
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'lets a public address through: %s',
    (address) => expect(policy().refuseAddress(address)).toBeUndefined(),
  );

  it('lets WEBHOOK_ALLOWED_TARGETS allow a refused range, mapped addresses included', () => {
    const p = policy({ allowed: ['127.0.0.1/32', '10.20.0.0/16'] });
    expect(p.refuseAddress('127.0.0.1')).toBeUndefined();
    expect(p.refuseAddress('::ffff:127.0.0.1')).toBeUndefined();
    expect(p.refuseAddress('10.20.3.4')).toBeUndefined();
    expect(p.refuseAddress('127.0.0.2')).toMatch(/a loopback address/);
    expect(p.refuseAddress('10.21.0.1')).toMatch(/a private address/);
    expect(p.refuseAddress('169.254.169.254')).toMatch(/a cloud metadata address/);
  });

  it('lets WEBHOOK_DENIED_TARGETS refuse anything, over an allowance too', () => {
    const p = policy({ allowed: ['10.0.0.0/8'], denied: ['10.9.0.0/16', '203.0.114.0/24'] });
    expect(p.refuseAddress('10.9.1.1')).toBe('10.9.1.1 is refused by WEBHOOK_DENIED_TARGETS');
    expect(p.refuseAddress('::ffff:10.9.1.1')).toBe(
      '::ffff:10.9.1.1 (10.9.1.1) is refused by WEBHOOK_DENIED_TARGETS',
    );
    expect(p.refuseAddress('203.0.114.7')).toBe('203.0.114.7 is refused by WEBHOOK_DENIED_TARGETS');
    expect(p.refuseAddress('10.8.1.1')).toBeUndefined();
  });

  it('asks for https unless WEBHOOK_HTTPS_ONLY is off', () => {
    expect(policy().refuseUrl(new URL('http://hooks.example.com/'))).toBe(
      'must be an https URL (WEBHOOK_HTTPS_ONLY is on)',
    );
    expect(policy().refuseUrl(new URL('https://hooks.example.com/'))).toBeUndefined();
    expect(policy({ httpsOnly: false }).refuseUrl(new URL('http://a.example/'))).toBeUndefined();
  });
});
