import 'reflect-metadata';
import { runService } from '@switchboard/runtime';
import { a2aService } from './a2a.service.js';

await runService(() => a2aService(process.env));
