import { Inject, Injectable, Optional } from '@nestjs/common';
import { type Approvals, DomainError, Tools } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { CREDENTIALS } from '../tools/credential-store.js';
import type { ProviderInfo, ToolImplementation, ToolSource } from './tool-implementation.js';

export interface RegisteredTool {
  definition: Tools.ToolDefinition;
  implementation: ToolImplementation;
  /** Which source registered it: `builtin`, `file`, or `mcp:<server>`. */
  sourceId: string;
  /**
   * The unset settings and missing credentials it requires (names only): empty when it can run.
   * A tool that needs something is offered to nobody and refused by name with what it needs.
   */
  needs: readonly string[];
}

/** What the registry asks of the credential store: whether a credential is set (never its value). */
export interface CredentialPresence {
  has(name: string): boolean;
}

export type RegistryListener = (version: string) => void;

/** Validates a definition; the error names the tool and every failing field. */
export function parseDefinition(
  implementation: ToolImplementation,
  where: string,
): Tools.ToolDefinition {
  const parsed = Tools.ToolDefinition.safeParse(implementation.definition);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map(
    (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
  );
  throw new DomainError('VALIDATION', `${where}: ${issues.join('; ')}`);
}

export const sourceKind = (sourceId: string): ToolSource =>
  sourceId.startsWith('mcp:') ? 'mcp' : (sourceId as ToolSource);

/**
 * Every tool this service can run, by name, grouped by the source that registered it (built-ins, the
 * tools file, each external MCP server), plus the providers and whether they need a per-user grant.
 *
 * `version` is a fingerprint of the whole content: it changes whenever a tool or a provider setting
 * changes, and two replicas with the same tools have the same version, so a manifest cached by one is
 * valid for the other and one built from an older registry is never served.
 */
@Injectable()
export class ToolRegistry {
  private readonly sources = new Map<string, Map<string, RegisteredTool>>();
  private readonly declared = new Map<string, ProviderInfo>();
  private readonly listeners = new Set<RegistryListener>();
  private approvals: Readonly<Record<string, Approvals.ApprovalPolicy>> = {};
  private fingerprint = this.computeFingerprint();

  /** Without a credential store (unit tests) every credential a tool asks for counts as missing. */
  constructor(@Optional() @Inject(CREDENTIALS) private readonly credentials?: CredentialPresence) {}

  /**
   * The tools file's `approvals` section: each named tool registered from now on carries that policy
   * on its definition, whatever its source says. Set once at boot, before any tool is registered.
   */
  configureApprovals(byName: Readonly<Record<string, Approvals.ApprovalPolicy>>): void {
    this.approvals = { ...byName };
  }

  /** Declares a provider's settings (tools file, MCP server config). A later declaration replaces it. */
  declareProvider(info: ProviderInfo): void {
    this.declared.set(info.name, { ...info });
    this.changed();
  }

  /**
   * Replaces every tool of `sourceId` at once. Names must be unique across sources: a clash is a
   * CONFLICT naming the tool and both sources (callers decide whether to fail or skip).
   */
  replaceSource(
    sourceId: string,
    tools: readonly Omit<RegisteredTool, 'sourceId' | 'needs'>[],
  ): void {
    const next = new Map<string, RegisteredTool>();
    for (const tool of tools) {
      const name = tool.definition.name;
      const owner = this.ownerOf(name);
      if ((owner && owner !== sourceId) || next.has(name)) {
        throw new DomainError(
          'CONFLICT',
          `tool "${name}" of ${sourceId} is already defined by ${owner ?? sourceId}`,
          {
            details: { tool: name },
          },
        );
      }
      const approval = Object.hasOwn(this.approvals, name) ? this.approvals[name] : undefined;
      const definition = approval ? { ...tool.definition, approval } : tool.definition;
      next.set(name, { ...tool, definition, sourceId, needs: this.needsOf(tool) });
    }
    this.sources.set(sourceId, next);
    this.changed();
  }

  removeSource(sourceId: string): void {
    if (this.sources.delete(sourceId)) this.changed();
  }

  /** The source that registered `name`, if any. */
  ownerOf(name: string): string | undefined {
    for (const [sourceId, tools] of this.sources) if (tools.has(name)) return sourceId;
    return undefined;
  }

  get(name: string): RegisteredTool | undefined {
    for (const tools of this.sources.values()) {
      const tool = tools.get(name);
      if (tool) return tool;
    }
    return undefined;
  }

  list(): RegisteredTool[] {
    return [...this.sources.values()]
      .flatMap((tools) => [...tools.values()])
      .sort((a, b) => a.definition.name.localeCompare(b.definition.name));
  }

  /** A provider's settings; providers nobody declared need no authorization. */
  provider(name: string): ProviderInfo | undefined {
    const declared = this.declared.get(name);
    if (declared) return declared;
    return this.list().some((t) => t.definition.provider === name)
      ? { name, requiresAuthorization: false }
      : undefined;
  }

  /** Every known provider: declared ones and those that have tools. */
  providers(): ProviderInfo[] {
    const names = new Set([
      ...this.declared.keys(),
      ...this.list().map((t) => t.definition.provider),
    ]);
    return [...names]
      .sort()
      .map((n) => this.provider(n))
      .filter((p): p is ProviderInfo => p !== undefined);
  }

  /** The tools that can run here (nothing they require is unset). */
  configured(): RegisteredTool[] {
    return this.list().filter((t) => t.needs.length === 0);
  }

  get version(): string {
    return this.fingerprint;
  }

  /** Called (synchronously) after every change of the fingerprint. Returns an unsubscribe function. */
  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const next = this.computeFingerprint();
    if (next === this.fingerprint) return;
    this.fingerprint = next;
    for (const listener of this.listeners) listener(next);
  }

  /** Credentials are read once at boot, so what a tool needs is decided when it is registered. */
  private needsOf({ definition, implementation }: Omit<RegisteredTool, 'sourceId' | 'needs'>) {
    return [
      ...(implementation.unsetSettings ?? []),
      ...definition.requiredCredentials.filter((name) => !this.credentials?.has(name)),
    ];
  }

  private computeFingerprint(): string {
    // Field order matters: `sources` and `declared` exist before `fingerprint` is first computed.
    // What a tool needs is part of it: replicas whose credentials differ offer different tools, so
    // they must not share cached manifests.
    const tools = this.list().map((t) => ({ ...t.definition, needs: t.needs }));
    const providers = [...this.declared.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => [p.name, p.requiresAuthorization]);
    return createHash('sha256')
      .update(JSON.stringify({ tools, providers }))
      .digest('hex')
      .slice(0, 16);
  }
}
