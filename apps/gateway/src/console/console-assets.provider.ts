import type { Provider } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { fileURLToPath } from 'node:url';
import type { GatewayEnv } from '../config/gateway.env.js';
import { ConsoleAssets } from './console-assets.js';

export const CONSOLE_ASSETS = Symbol.for('switchboard.console-assets');

/** dist/apps/gateway/src/console/ → dist/apps/console/ (where `nx run console:build` writes). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

/** The built console, loaded once at start-up (nothing when CONSOLE_ENABLED=false). */
export const consoleAssetsProvider: Provider = {
  provide: CONSOLE_ASSETS,
  inject: [APP_CONFIG, LOGGER],
  useFactory: (config: GatewayEnv, logger: Logger): ConsoleAssets => {
    if (!config.CONSOLE_ENABLED) return ConsoleAssets.load('');
    const dir = config.CONSOLE_DIR ?? DEFAULT_CONSOLE_DIR;
    const assets = ConsoleAssets.load(dir);
    if (assets.built)
      logger.info({ dir, files: assets.names.length }, 'console served at /console/');
    else logger.warn({ dir }, 'the console is not built: /console/ answers 404');
    return assets;
  },
};
