import type { BaseEnv, EnvVars as Env } from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';
import type { ServiceDefinition } from '@switchboard/runtime';

/** A service's definition made from its settings (e.g. orchestratorService in orchestrator.service.ts). */
export type DefineService = (env: Env) => ServiceDefinition<BaseEnv>;

/** The name a service's definition is exported under: `mcpToolsService` for mcp-tools. */
export function definitionExport(service: ServiceName): string {
  return `${service.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Service`;
}

/**
 * Loads a service's definition from its build output, `dist/apps/<service>/src/<service>.service.js`
 * (beside this file's `dist/apps/cell/src/`). Imported at run time, never at build time: an app may
 * not import another (Nx module boundaries), and a cell loads only the services it runs.
 */
export async function loadDefinition(service: ServiceName): Promise<DefineService> {
  const url = new URL(`../../${service}/src/${service}.service.js`, import.meta.url);
  const name = definitionExport(service);
  const mod = (await import(url.href)) as Record<string, unknown>;
  const define = mod[name];
  if (typeof define !== 'function')
    throw new Error(`${url.pathname} does not export ${name} (is the build complete?)`);
  return define as DefineService;
}
