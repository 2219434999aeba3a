import {
  embeddedIpv4,
  formatIp,
  inRange,
  type IpAddress,
  type IpRange,
  parseIp,
  parseRange,
} from './ip-range.js';

/** What the URL policy is configured with (WEBHOOK_HTTPS_ONLY, WEBHOOK_ALLOWED/DENIED_TARGETS). */
export interface TargetPolicySettings {
  httpsOnly: boolean;
  /** Ranges a webhook may reach although the defaults refuse them (a test's 127.0.0.1, a VPC). */
  allowed: readonly IpRange[];
  /** Ranges no webhook may reach, whatever else allows them. */
  denied: readonly IpRange[];
}

const range = (cidr: string, what: string) => ({ range: parseRange(cidr), what });

/**
 * Cloud instance metadata services, named as such in refusals (the ranges below refuse them too):
 * AWS, GCP, Azure, OpenStack and DigitalOcean's 169.254.169.254, AWS ECS's 169.254.170.2, AWS's IPv6
 * fd00:ec2::254, Oracle's 192.0.0.192, Alibaba's 100.100.100.200.
 */
const METADATA = [
  '169.254.169.254',
  '169.254.170.2',
  'fd00:ec2::254',
  '192.0.0.192',
  '100.100.100.200',
].map((a) => range(a, 'a cloud metadata address'));

/**
 * Addresses no webhook reaches unless WEBHOOK_ALLOWED_TARGETS allows them: the machine itself, the
 * private networks behind the platform, link-local (where cloud metadata lives), and addresses that
 * are not a destination on the internet at all.
 */
const REFUSED_BY_DEFAULT = [
  ...METADATA,
  range('0.0.0.0/8', 'an unspecified ("this network") address'),
  range('127.0.0.0/8', 'a loopback address'),
  range('10.0.0.0/8', 'a private address'),
  range('172.16.0.0/12', 'a private address'),
  range('192.168.0.0/16', 'a private address'),
  range('100.64.0.0/10', 'a shared (carrier-grade NAT) address'),
  range('169.254.0.0/16', 'a link-local address'),
  range('192.0.0.0/24', 'an IETF protocol address'),
  range('192.0.2.0/24', 'a documentation address'),
  range('198.51.100.0/24', 'a documentation address'),
  range('203.0.113.0/24', 'a documentation address'),
  range('198.18.0.0/15', 'a benchmarking address'),
  range('192.88.99.0/24', 'a 6to4 relay address'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved address'),
  range('::/128', 'an unspecified address'),
  range('::1/128', 'a loopback address'),
  range('fc00::/7', 'a private (unique local) address'),
  range('fe80::/10', 'a link-local address'),
  range('fec0::/10', 'a site-local address'),
  range('ff00::/8', 'a multicast address'),
  range('100::/64', 'a discard-only address'),
  range('2001:db8::/32', 'a documentation address'),
  range('2001::/32', 'a Teredo tunnel address'),
  range('64:ff9b:1::/48', 'a local-use NAT64 address'),
];

/**
 * Which webhook targets the platform may call (docs/webhooks.md, "URL policy"). The URL's scheme is
 * judged as written; every address its host resolves to is judged, and one refused address refuses
 * the target (a host that resolves to a public and a private address must not reach the private
 * one). An IPv6 address that embeds an IPv4 one (::ffff:127.0.0.1, 64:ff9b::a.b.c.d, 6to4) is judged
 * as that IPv4 address too. WEBHOOK_DENIED_TARGETS wins over everything, WEBHOOK_ALLOWED_TARGETS
 * over the defaults.
 */
export class WebhookTargetPolicy {
  constructor(private readonly settings: TargetPolicySettings) {}

  /** Why the URL may not be called whatever it resolves to, or undefined. */
  refuseUrl(url: URL): string | undefined {
    if (this.settings.httpsOnly && url.protocol !== 'https:')
      return 'must be an https URL (WEBHOOK_HTTPS_ONLY is on)';
    return undefined;
  }

  /** Why the platform may not connect to `address` ("<address> is …"), or undefined when it may. */
  refuseAddress(address: string): string | undefined {
    const r = this.judge(address);
    return r && `${r.address} is ${r.verdict}`;
  }

  /**
   * The same for an address `host` resolved to ("<host> resolves to <address>, …"), or undefined.
   */
  refuseResolved(host: string, address: string): string | undefined {
    const r = this.judge(address);
    return r && `${host} resolves to ${r.address}, ${r.verdict}`;
  }

  private judge(address: string): { address: string; verdict: string } | undefined {
    const ip = parseIp(address);
    if (!ip) return { address, verdict: 'not an IP address' };
    const views = [ip, embeddedIpv4(ip)].filter((v): v is IpAddress => v !== undefined);
    const shown = views.length > 1 ? `${address} (${formatIp(views[1] as IpAddress)})` : address;
    if (views.some((v) => this.settings.denied.some((r) => inRange(v, r))))
      return { address: shown, verdict: 'refused by WEBHOOK_DENIED_TARGETS' };
    if (views.some((v) => this.settings.allowed.some((r) => inRange(v, r)))) return undefined;
    for (const v of views) {
      const hit = REFUSED_BY_DEFAULT.find((f) => inRange(v, f.range));
      if (hit)
        return {
          address: shown,
          verdict: `${hit.what}, which the URL policy refuses (WEBHOOK_ALLOWED_TARGETS can allow it)`,
        };
    }
    return undefined;
  }
}
