import { defineCommand } from '../define.js';
import {
  Manifest,
  ManifestRequest,
  TOOL_CALL_WAIT_MS,
  ToolCallRequest,
  ToolCallResult,
} from './tool.schemas.js';

export const ToolsManifest = defineCommand({
  subject: 'sb.cmd.tools.manifest',
  service: 'mcp-tools',
  callers: ['orchestrator', 'gateway'],
  request: ManifestRequest,
  response: Manifest,
  timeoutMs: 5_000,
  description:
    "The acting user's tool manifest under optional constraints (user and role from headers). Cached per user.",
});

export const ToolsCall = defineCommand({
  subject: 'sb.cmd.tools.call',
  service: 'mcp-tools',
  callers: ['orchestrator', 'gateway'],
  request: ToolCallRequest,
  response: ToolCallResult,
  timeoutMs: TOOL_CALL_WAIT_MS,
  description:
    'Runs one tool for the acting user after checking role, constraints and the input schema; the output is validated too.',
});
