import 'reflect-metadata';
import { loadConfigOrExit } from '@switchboard/config';
import { bootstrapService } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { AuditEnv } from './config/audit.env.js';

const config = loadConfigOrExit('audit', AuditEnv);
await bootstrapService({ service: 'audit', config, module: () => AppModule });
