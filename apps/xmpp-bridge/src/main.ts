import 'reflect-metadata';
import { loadConfigOrExit } from '@switchboard/config';
import { bootstrapService } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { resolveBridgeSettings } from './config/bridge-settings.js';
import { XmppBridgeEnv } from './config/xmpp-bridge.env.js';
import { bootstrapWithoutNats } from './standalone.bootstrap.js';

const config = loadConfigOrExit('xmpp-bridge', XmppBridgeEnv);
// The AZTM library's command-line switch, kept: `--no-server-mode` turns server mode off.
const settings = resolveBridgeSettings(config, process.argv.slice(2));
const module = AppModule.register(settings);
if (settings.natsCommands) {
  await bootstrapService({ service: 'xmpp-bridge', config, module: () => module });
} else {
  await bootstrapWithoutNats(config, module);
}
