import { loadConfig, TenantDirectory } from '@switchboard/config';
import { type ServiceDefinition, ServiceSetupError } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { McpToolsEnv } from './config/mcp-tools.env.js';
import { CredentialStore } from './tools/credential-store.js';

/**
 * mcp-tools as a service to start, its settings read from `env` (a ConfigError lists what is wrong),
 * and its tool credentials too: `env` (or a mounted secrets file) and, per tenant, the tenants' folder.
 * They stay in this service. A credentials or tenants file it cannot read is a ServiceSetupError.
 * main.ts starts it as its own process, a cell beside others (apps/cell).
 */
export function mcpToolsService(
  env: Record<string, string | undefined>,
): ServiceDefinition<McpToolsEnv> {
  const config = loadConfig('mcp-tools', McpToolsEnv, env);
  // The service's own settings are never tool credentials (WEATHER_API_KEY is one, read only here).
  const ownSettings = Object.keys(McpToolsEnv.shape).filter((name) => name !== 'WEATHER_API_KEY');
  let credentials: CredentialStore;
  let tenants: TenantDirectory;
  try {
    tenants = TenantDirectory.load(config.TENANTS_FILE);
    credentials = CredentialStore.load({
      env,
      file: config.CREDENTIALS_FILE,
      exclude: ownSettings,
      tenantDir: config.TENANT_CREDENTIALS_DIR,
      sharesPlatform: (tenant) => tenants.settingsOf(tenant)?.credentials?.platform ?? true,
    });
  } catch (e) {
    throw new ServiceSetupError(`mcp-tools: ${(e as Error).message}`);
  }
  return {
    service: 'mcp-tools',
    config,
    module: () => AppModule.register({ credentials, tenants }),
  };
}
