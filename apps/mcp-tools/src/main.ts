import 'reflect-metadata';
import { loadConfigOrExit, TenantDirectory } from '@switchboard/config';
import { bootstrapService } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { McpToolsEnv } from './config/mcp-tools.env.js';
import { CredentialStore } from './tools/credential-store.js';

const config = loadConfigOrExit('mcp-tools', McpToolsEnv);
// The service's own settings are never tool credentials (WEATHER_API_KEY is one, read only here).
const ownSettings = Object.keys(McpToolsEnv.shape).filter((name) => name !== 'WEATHER_API_KEY');
let credentials: CredentialStore;
let tenants: TenantDirectory;
try {
  tenants = TenantDirectory.load(config.TENANTS_FILE);
  // Tool credentials come from the environment (or a mounted secrets file) and, per tenant, from the
  // tenants' folder; they stay in this process.
  credentials = CredentialStore.load({
    env: process.env,
    file: config.CREDENTIALS_FILE,
    exclude: ownSettings,
    tenantDir: config.TENANT_CREDENTIALS_DIR,
    sharesPlatform: (tenant) => tenants.settingsOf(tenant)?.credentials?.platform ?? true,
  });
} catch (e) {
  process.stderr.write(`mcp-tools: ${(e as Error).message}\n`);
  process.exit(1);
}
await bootstrapService({
  service: 'mcp-tools',
  config,
  module: () => AppModule.register({ credentials, tenants }),
});
