import { z } from 'zod';

/**
 * A tool's name: what models, MCP clients and the planner call it by (`notes.add`, `github__search`).
 * Kept apart from the tool schemas so that what names tools before a tool is looked up (a task's
 * constraints, its approval request) checks the same rule without importing them.
 */
export const ToolName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may hold letters, digits and . _ - only');
