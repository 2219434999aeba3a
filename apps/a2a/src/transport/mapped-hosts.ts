// SERVICE_MAP itself is read by @switchboard/config (envServiceMap), the same reading as the bridge's.

/** Whether a URL's host (with or without its port) is mapped to an XMPP address. */
export class MappedHosts {
  private readonly hosts: ReadonlySet<string>;

  constructor(hosts: Iterable<string>) {
    this.hosts = new Set([...hosts].map((h) => h.toLowerCase()));
  }

  isMapped(url: string | URL): boolean {
    const u = typeof url === 'string' ? new URL(url) : url;
    return this.hosts.has(u.host.toLowerCase()) || this.hosts.has(u.hostname.toLowerCase());
  }
}
