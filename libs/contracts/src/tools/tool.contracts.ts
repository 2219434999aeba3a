import { NoArguments } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import {
  Manifest,
  ManifestRequest,
  TOOL_CALL_WAIT_MS,
  ToolCallRequest,
  ToolCallResult,
} from './tool.schemas.js';
import { ToolCatalogue } from './tool-catalogue.schemas.js';
import { ToolSearchRequest, ToolSearchResult } from './tool-search.schemas.js';

/** The tool commands, sb.cmd.tools.<action>: the orchestrator's steps and the gateway send them. */
const tools = commandGroup('sb.cmd.tools', { callers: ['orchestrator', 'gateway'] });

export const ToolsManifest = tools.query('manifest', {
  request: ManifestRequest,
  response: Manifest,
  description:
    "The acting user's tool manifest under optional constraints (user and role from headers). Cached per user.",
});

export const ToolsCall = tools.command('call.{taskId}', {
  // The task's id in the subject (NO_TOKEN `_` for a call of no task): `sb.cmd.tools.call.<taskId>`
  // follows one task's tool calls with any NATS client.
  tokenOf: (request) => request.taskId,
  request: ToolCallRequest,
  response: ToolCallResult,
  timeoutMs: TOOL_CALL_WAIT_MS,
  idempotency: 'keyed',
  liveness: 'heartbeat',
  description:
    "Runs one tool for the acting user after checking role, constraints and the input schema; the output is validated too. With an idempotencyKey a repeat gets the first outcome (or waits for the call still running) and the tool does not run twice. The subject's last token is the request's taskId (`_` when it has none); a request whose subject names another task than its taskId is refused (VALIDATION). A tool of an external MCP server that asks a question (`input_required`) is answered FORBIDDEN with `details.reason: input-required` and `details.inputRequired` (Tools.ToolInputRequired); the call made again with `answer` (a decided approval of the task) carries the person's answer to the server.",
});

export const ToolsCatalogue = tools.query('catalogue', {
  callers: ['gateway'],
  request: NoArguments,
  response: ToolCatalogue,
  description:
    'Every tool and provider the registry knows, whoever may use them, each tool with whether it is configured (and, if not, what it needs: names only). The gateway keeps a copy, asked again after `sb.evt.tools.changed`, to refuse constraints that name nothing real (or an unconfigured tool) before a task is created.',
});

export const ToolsSearch = tools.query('search', {
  request: ToolSearchRequest,
  response: ToolSearchResult,
  description:
    "Searches the acting user's tools (user and role from headers) by words: BM25 over names, titles, descriptions and parameter names, over only the tools the user may call under the optional constraints (deferred ones included), best first, each with its schemas, its effective approval policy and its fingerprint. Finding a tool grants nothing: each call is checked again.",
});
