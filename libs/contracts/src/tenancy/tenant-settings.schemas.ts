import { z } from 'zod';
import { AgentName } from '../a2a/a2a.schemas.js';
import { TenantId } from '../identity.schemas.js';
import { ProviderName, ToolName } from '../tools/tool.schemas.js';

/** A regular expression as written in a settings file: it must compile (with the `u` flag). */
const Pattern = z
  .string()
  .min(1)
  .max(500)
  .superRefine((p, ctx) => {
    try {
      new RegExp(p, 'iu');
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid regular expression: ${(e as Error).message}`,
      });
    }
  });

/**
 * Which tools a tenant may use: the tools of the listed providers and the listed tools (the same
 * shape as a task's `custom` tool constraints). Absent: every tool the platform has. It narrows what
 * roles, authorizations and constraints allow; it never widens it.
 */
export const TenantTools = z
  .object({
    providers: z
      .array(ProviderName)
      .max(500)
      .default([])
      .describe('Providers whose tools it may use.'),
    tools: z.array(ToolName).max(2000).default([]).describe('Tools it may use by name.'),
  })
  .strict();
export type TenantTools = z.infer<typeof TenantTools>;

/** Input and output checks of a tenant's tasks, added to the platform's own (DISALLOWED_*). */
export const TenantGuardrails = z
  .object({
    disallowedKeywords: z
      .array(z.string().trim().min(1).max(200))
      .max(1000)
      .default([])
      .describe(
        'Words or phrases (whole words, case-insensitive) that block a task of the tenant.',
      ),
    disallowedPatterns: z
      .array(Pattern)
      .max(200)
      .default([])
      .describe('Regular expressions (case-insensitive) that block a task of the tenant.'),
  })
  .strict();
export type TenantGuardrails = z.infer<typeof TenantGuardrails>;

/** Where a tenant's tool calls take their credentials from. */
export const TenantCredentialPolicy = z
  .object({
    platform: z
      .boolean()
      .default(true)
      .describe(
        "Whether a credential the tenant does not have falls back to the platform's (environment, CREDENTIALS_FILE). false: the tenant's calls use only its own credentials.",
      ),
  })
  .strict();
export type TenantCredentialPolicy = z.infer<typeof TenantCredentialPolicy>;

const RetentionDays = z.number().int().min(0).max(36_500);

/** A tenant's long-term memory settings (docs/memory.md, "Retention"). */
export const TenantMemory = z
  .object({
    retentionDays: RetentionDays.optional().describe(
      "Days the tenant's memory items are kept after they were last written; 0 keeps them until forgotten. Absent: MEMORY_RETENTION_DAYS.",
    ),
    namespaces: z
      .record(
        z
          .string()
          .regex(
            /^(user|thread|agent|tenant)(:[^\s]{1,200})?$/,
            'must be a namespace kind (user, thread, agent, tenant), or kind:key',
          ),
        RetentionDays,
      )
      .refine((r) => Object.keys(r).length <= 200, 'at most 200 namespaces')
      .optional()
      .describe(
        'Days by namespace kind (`thread`) or namespace (`tenant:handbook`), winning over retentionDays; kind:key wins over kind; 0 keeps them until forgotten.',
      ),
  })
  .strict();
export type TenantMemory = z.infer<typeof TenantMemory>;

/** One tenant's settings in the tenants file. Every part is optional: absent means as the platform. */
export const TenantSettings = z
  .object({
    tools: TenantTools.optional(),
    agents: z
      .array(AgentName)
      .max(500)
      .optional()
      .describe('Remote agents the tenant may delegate to; absent: every configured agent.'),
    guardrails: TenantGuardrails.optional(),
    credentials: TenantCredentialPolicy.optional(),
    memory: TenantMemory.optional(),
  })
  .strict();
export type TenantSettings = z.infer<typeof TenantSettings>;

/** The tenants file (TENANTS_FILE): settings by tenant id. A tenant that is not listed has none. */
export const TenantsFile = z
  .object({
    tenants: z.record(TenantId, TenantSettings).default({}),
  })
  .strict();
export type TenantsFile = z.infer<typeof TenantsFile>;

/** Whether `settings` let a tenant use `tool` (of `provider`); no `tools` section lets it use all. */
export function tenantAllowsTool(
  settings: TenantSettings | undefined,
  tool: { name: string; provider: string },
): boolean {
  const allowed = settings?.tools;
  if (!allowed) return true;
  return allowed.providers.includes(tool.provider) || allowed.tools.includes(tool.name);
}

/** Whether `settings` let a tenant delegate to `agent`; no `agents` list lets it use all. */
export function tenantAllowsAgent(settings: TenantSettings | undefined, agent: string): boolean {
  return settings?.agents === undefined || settings.agents.includes(agent);
}
