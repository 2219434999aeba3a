import { loadConfig } from '@switchboard/config';
import type { ServiceDefinition } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { resolveBridgeSettings } from './config/bridge-settings.js';
import { XmppBridgeEnv } from './config/xmpp-bridge.env.js';
import { launchWithoutNats } from './standalone.bootstrap.js';

/**
 * The xmpp-bridge as a service to start, its settings read from `env` (a ConfigError lists what is
 * wrong) and `argv` (the AZTM library's switch, kept: `--no-server-mode` turns server mode off). An
 * agent's bridge (no NATS commands) starts without NATS at all. main.ts starts it as its own process,
 * a cell beside others (apps/cell).
 */
export function xmppBridgeService(
  env: Record<string, string | undefined>,
  argv: readonly string[] = [],
): ServiceDefinition<XmppBridgeEnv> {
  const config = loadConfig('xmpp-bridge', XmppBridgeEnv, env);
  const settings = resolveBridgeSettings(config, argv);
  const module = AppModule.register(settings);
  return {
    service: 'xmpp-bridge',
    config,
    module: () => module,
    ...(settings.natsCommands ? {} : { launch: () => launchWithoutNats(config, module) }),
  };
}
