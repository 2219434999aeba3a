import { z } from 'zod';
import { DomainError, type Issue } from '../errors.js';
import type { ToolConstraints } from '../task/task.schemas.js';
import { ProviderName, ToolName } from './tool.schemas.js';

/** Separator between an external MCP server's alias and its tools' names (`github__search_issues`). */
export const MCP_TOOL_SEPARATOR = '__';

/**
 * What a tool still lacks before it can run on this platform: names of settings or credentials
 * (`WEATHER_API_URL`, `WEATHER_API_KEY`) that are unset. Names only, never a value.
 */
export const ToolNeeds = z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/)).max(50);
export type ToolNeeds = z.infer<typeof ToolNeeds>;

/** One tool the platform knows, whoever may use it. */
export const CatalogueTool = z.object({
  name: ToolName,
  provider: ProviderName,
  /** False when a setting or credential it requires is unset: it is then offered to nobody. */
  configured: z.boolean(),
  /** What it lacks (only when not configured). */
  needs: ToolNeeds.optional(),
  /** Why it is not offered, in words a user can act on (only when not configured). */
  reason: z.string().optional(),
});
export type CatalogueTool = z.infer<typeof CatalogueTool>;

export const CatalogueProvider = z.object({
  name: ProviderName,
  requiresAuthorization: z.boolean(),
  /**
   * An external MCP server that is not connected now: its tools (`<name>__<tool>`) are not known until
   * it is, so such names are not taken for unknown.
   */
  toolsPending: z.boolean(),
});
export type CatalogueProvider = z.infer<typeof CatalogueProvider>;

/** Every tool and provider of the registry: the names constraints may use. */
export const ToolCatalogue = z.object({
  /** The registry's fingerprint (`ToolsChanged.registryVersion`): a change means a new catalogue. */
  registryVersion: z.string().min(1).max(64),
  tools: z.array(CatalogueTool),
  providers: z.array(CatalogueProvider),
});
export type ToolCatalogue = z.infer<typeof ToolCatalogue>;

/**
 * The one wording of an unconfigured tool's refusal, wherever it is met (a call, constraints, the
 * manifest): what to set, and where the settings are described. Names only.
 */
export function unconfiguredReason(tool: string, needs: readonly string[]): string {
  return `${tool} is not configured on this platform: it needs ${needs.join(', ')} (docs/tools.md)`;
}

/**
 * What is wrong with `constraints` against the catalogue: each provider or tool they name that does not
 * exist, or that exists but cannot run here (unconfigured), with its path under `prefix`
 * (`tool_constraints.tools.0`). Constraints that name only real, configured things have none.
 */
export function constraintIssues(
  constraints: ToolConstraints,
  catalogue: ToolCatalogue,
  prefix: string,
): Issue[] {
  const at = (field: string, i: number) => [prefix, field, String(i)].filter(Boolean).join('.');
  const providers = new Map(catalogue.providers.map((p) => [p.name, p]));
  const tools = new Map(catalogue.tools.map((t) => [t.name, t]));
  const issues: Issue[] = [];
  constraints.providers?.forEach((name, i) => {
    if (!providers.has(name)) {
      issues.push({ path: at('providers', i), message: `no provider "${name}"` });
      return;
    }
    const own = catalogue.tools.filter((t) => t.provider === name);
    if (own.length > 0 && own.every((t) => !t.configured)) {
      const why = own.map((t) => t.reason ?? `${t.name} is not configured`).join('; ');
      issues.push({
        path: at('providers', i),
        message: `provider "${name}" has no usable tool: ${why}`,
      });
    }
  });
  constraints.tools?.forEach((name, i) => {
    const tool = tools.get(name);
    if (tool) {
      if (!tool.configured)
        issues.push({
          path: at('tools', i),
          message: tool.reason ?? unconfiguredReason(name, tool.needs ?? []),
        });
      return;
    }
    const server = name.split(MCP_TOOL_SEPARATOR)[0] ?? '';
    const pending = name.includes(MCP_TOOL_SEPARATOR) && providers.get(server)?.toolsPending;
    if (!pending) issues.push({ path: at('tools', i), message: `no tool "${name}"` });
  });
  return issues;
}

/** The VALIDATION error for constraint issues, in the shape every request rejection has. */
export function constraintsRejected(what: string, issues: readonly Issue[]): DomainError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new DomainError('VALIDATION', `invalid ${what}: ${summary}`, {
    details: { issues: [...issues] },
  });
}
