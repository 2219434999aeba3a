import 'reflect-metadata';
import { runService } from '@switchboard/runtime';
import { mcpToolsService } from './mcp-tools.service.js';

await runService(() => mcpToolsService(process.env));
