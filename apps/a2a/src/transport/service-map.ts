/**
 * The hosts of SERVICE_MAP (the bridge's `host=jid,…` or JSON `{"host": "jid"}` form). The a2a service
 * only needs to know which hosts are mapped; the bridge resolves the JID itself.
 */
export function parseServiceMapHosts(raw: string): string[] {
  const text = raw.trim();
  if (!text) return [];
  let hosts: string[];
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      throw new Error('must be a JSON object {"host": "jid"}');
    for (const [host, jid] of Object.entries(json)) {
      if (typeof jid !== 'string' || !jid.includes('@'))
        throw new Error(`the JID of "${host}" must be a string like user@domain`);
    }
    hosts = Object.keys(json);
  } else {
    hosts = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((item) => {
        const eq = item.indexOf('=');
        if (eq <= 0 || !item.slice(eq + 1).includes('@'))
          throw new Error(`"${item}" must be host=user@domain`);
        return item.slice(0, eq).trim();
      });
  }
  return hosts.map((h) => {
    const host = h.toLowerCase();
    if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(host)) throw new Error(`"${h}" is not a host name`);
    return host;
  });
}

/** Whether a URL's host (with or without its port) is mapped to an XMPP address. */
export class ServiceMap {
  private readonly hosts: ReadonlySet<string>;

  constructor(hosts: readonly string[]) {
    this.hosts = new Set(hosts.map((h) => h.toLowerCase()));
  }

  isMapped(url: string | URL): boolean {
    const u = typeof url === 'string' ? new URL(url) : url;
    return this.hosts.has(u.host.toLowerCase()) || this.hosts.has(u.hostname.toLowerCase());
  }
}
