import type { Tools } from '@switchboard/contracts';

/**
 * A tool the platform would offer the user but cannot run as configured (a setting or credential it
 * needs is unset). GET /tools lists these apart (`unconfigured`), or marks a tool `configured: false`.
 */
export interface UnconfiguredTool {
  name: string;
  title: string;
  provider: string;
  reason: string;
}

/** GET /tools as the console reads it: the manifest, and what is not configured here. */
export type Catalogue = Omit<Tools.Manifest, 'tools'> & {
  tools: (Tools.ManifestTool & { configured?: boolean; reason?: string })[];
  unconfigured?: (Partial<UnconfiguredTool> & { name: string })[];
};

export type CatalogueEntry =
  { configured: true; tool: Tools.ManifestTool } | ({ configured: false } & UnconfiguredTool);

/** The tools of the catalogue by provider, in the order the manifest lists them; unconfigured ones last. */
export function toolsByProvider(c: Catalogue): Map<string, CatalogueEntry[]> {
  const by = new Map<string, CatalogueEntry[]>();
  const add = (provider: string, e: CatalogueEntry) =>
    by.set(provider, [...(by.get(provider) ?? []), e]);
  for (const t of c.tools) {
    if (t.configured === false) add(t.provider, unconfigured(t));
    else add(t.provider, { configured: true, tool: t });
  }
  for (const u of c.unconfigured ?? []) {
    if (!u.provider) continue;
    add(u.provider, unconfigured({ ...u, provider: u.provider }));
  }
  return by;
}

function unconfigured(t: {
  name: string;
  title?: string | undefined;
  provider: string;
  reason?: string | undefined;
}): CatalogueEntry {
  return {
    configured: false,
    name: t.name,
    title: t.title ?? t.name,
    provider: t.provider,
    reason: t.reason ?? 'not configured on this platform',
  };
}

/** Who may use a tool, in words: admin-only wins over any role it names (admins pass every role). */
export function audienceOf(t: {
  adminOnly?: boolean | undefined;
  requiredRole?: string | undefined;
}): string {
  if (t.adminOnly) return 'admin-only';
  return t.requiredRole ? `role ${t.requiredRole}` : 'any role';
}
