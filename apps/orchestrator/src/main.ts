import 'reflect-metadata';
import { runService } from '@switchboard/runtime';
import { orchestratorService } from './orchestrator.service.js';

await runService(() => orchestratorService(process.env));
