import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { McpUpstreamsModule } from '../mcp/mcp-upstreams.module.js';
import { MEMORY_TOOLS, MemoryModule } from '../memory/memory.module.js';
import { BUILTIN_TOOLS, type ToolImplementation } from '../registry/tool-implementation.js';
import { AdminDebugTool } from './admin-debug.tool.js';
import { CalculatorTool } from './calculator.tool.js';
import { ClockTool } from './clock.tool.js';
import { NotesRepository } from './notes.repository.js';
import { NotesAddTool, NotesGetTool, NotesListTool } from './notes.tool.js';
import { createWeatherTool } from './weather.tool.js';

const OWN_TOOLS = [CalculatorTool, ClockTool, NotesAddTool, NotesGetTool, NotesListTool];

/**
 * The tools mcp-tools implements itself (calculator, clock, notes, weather, admin debug, and the
 * memory feature's tools), handed to the registry as BUILTIN_TOOLS.
 */
@Module({
  imports: [MemoryModule, McpUpstreamsModule],
  providers: [
    ...OWN_TOOLS,
    AdminDebugTool,
    NotesRepository,
    {
      provide: BUILTIN_TOOLS,
      useFactory: (config: McpToolsEnv, ...tools: ToolImplementation[]) => [
        ...tools,
        createWeatherTool(config),
      ],
      inject: [APP_CONFIG, ...OWN_TOOLS, ...MEMORY_TOOLS, AdminDebugTool],
    },
  ],
  exports: [BUILTIN_TOOLS],
})
export class BuiltinsModule {}
