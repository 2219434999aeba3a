import 'reflect-metadata';
import { loadConfigOrExit } from '@switchboard/config';
import { bootstrapService } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { OrchestratorEnv } from './config/orchestrator.env.js';

const config = loadConfigOrExit('orchestrator', OrchestratorEnv);
await bootstrapService({ service: 'orchestrator', config, module: () => AppModule });
