import 'reflect-metadata';
import { runService } from '@switchboard/runtime';
import { auditService } from './audit.service.js';

await runService(() => auditService(process.env));
