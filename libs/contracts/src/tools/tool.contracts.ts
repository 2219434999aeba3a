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
  idempotency: 'idempotent',
  description:
    "The acting user's tool manifest under optional constraints (user and role from headers). Cached per user.",
});

export const ToolsCall = defineCommand({
  subject: 'sb.cmd.tools.call.{taskId}',
  // The task's id in the subject (NO_TOKEN `_` for a call of no task): `sb.cmd.tools.call.<taskId>`
  // follows one task's tool calls with any NATS client.
  tokenOf: (request) => request.taskId,
  service: 'mcp-tools',
  callers: ['orchestrator', 'gateway'],
  request: ToolCallRequest,
  response: ToolCallResult,
  timeoutMs: TOOL_CALL_WAIT_MS,
  idempotency: 'keyed',
  liveness: 'heartbeat',
  description:
    "Runs one tool for the acting user after checking role, constraints and the input schema; the output is validated too. With an idempotencyKey a repeat gets the first outcome (or waits for the call still running) and the tool does not run twice. The subject's last token is the request's taskId (`_` when it has none); a request whose subject names another task than its taskId is refused (VALIDATION).",
});
