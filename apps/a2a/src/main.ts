import 'reflect-metadata';
import { loadConfigOrExit } from '@switchboard/config';
import { bootstrapService } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { A2aEnv } from './config/a2a.env.js';

const config = loadConfigOrExit('a2a', A2aEnv);
await bootstrapService({ service: 'a2a', config, module: () => AppModule });
