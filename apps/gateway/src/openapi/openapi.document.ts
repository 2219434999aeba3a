import { A2a, Audit, ErrorCode, Tasks, Tools } from '@switchboard/contracts';
import { z } from 'zod';
import { AgUiRunInput } from '../agui/run-input.js';
import {
  AgUiEventsQuery,
  AuditQueryParams,
  AuthorizationsQuery,
  CancelAccepted,
  CancelBody,
  TaskAccepted,
  ToolsQuery,
} from '../http/api.schemas.js';
import { STATUS_OF } from '../http/error-status.js';

type JsonSchema = Record<string, unknown>;
type Method = 'get' | 'post' | 'put' | 'delete';

interface Operation {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  pathParams?: Record<string, { schema: z.ZodType; description: string }>;
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  body?: z.ZodType;
  bodyRequired?: boolean;
  responses: Record<
    number,
    { description: string; schema?: z.ZodType; sse?: string; headers?: string[] }
  >;
  errors: number[];
  public?: boolean;
}

const ErrorEnvelope = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  requestId: z.string(),
});

const taskId = { id: { schema: Tasks.TaskId, description: 'The task id (UUID).' } };
const grantParams = {
  userId: { schema: z.string(), description: 'The user.' },
  provider: { schema: Tools.ProviderName, description: 'The tool provider, e.g. `notes`.' },
};
const STREAM = [400, 401, 403, 413, 429, 503, 504];

/** Every route of the API. Kept beside the controllers; a unit test checks they agree. */
export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/orchestrate/stream',
    tag: 'tasks',
    summary: 'Run a task and stream its events (seed 2)',
    description:
      'Named SSE: each event has `id: <seq>`, `event: <name>` and the task event as data. The response carries `X-Task-Id`; resume with GET /tasks/{id}/events.',
    body: Tasks.TaskRequest,
    bodyRequired: true,
    responses: {
      200: {
        description: "The task's events until it ends.",
        sse: 'named events, data = TaskEvent',
        schema: Tasks.TaskEvent,
        headers: ['X-Task-Id'],
      },
    },
    errors: STREAM,
  },
  {
    method: 'post',
    path: '/orchestrate',
    tag: 'tasks',
    summary: 'Run a task and wait for its answer',
    description:
      'With `?async=true` or `Prefer: respond-async`: 202 at once with the task id and links.',
    query: z.object({
      async: z.enum(['true', '1', 'false', '0']).optional().describe('Answer 202 at once.'),
    }),
    body: Tasks.TaskRequest,
    bodyRequired: true,
    responses: {
      200: {
        description: 'The completed task.',
        schema: z.object({
          task_id: z.string(),
          status: z.literal('completed'),
          result: z.string(),
          output: z.unknown(),
          planner: Tasks.PlannerKind,
          steps: z.number(),
          duration_ms: z.number(),
          links: z.record(z.string(), z.string()),
        }),
      },
      202: {
        description: 'Accepted; poll or stream it.',
        schema: TaskAccepted,
        headers: ['Location'],
      },
    },
    errors: [400, 401, 403, 409, 413, 422, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/ag-ui/events',
    tag: 'ag-ui',
    summary: 'Run a task and stream seed-3 events',
    description:
      '`data: {"event_type", "data", "message"}` events of types AGENT_RESPONSE, TOOL_CALL_START, TOOL_OUTPUT, A2A_DELEGATION_START, A2A_DELEGATION_RESULT, GUARDRAIL_VIOLATION, ERROR.',
    query: AgUiEventsQuery,
    responses: {
      200: {
        description: 'Seed-3 events until the task ends.',
        sse: 'data-only events',
        headers: ['X-Task-Id'],
      },
    },
    errors: STREAM,
  },
  {
    method: 'post',
    path: '/ag-ui',
    tag: 'ag-ui',
    summary: 'AG-UI 1.0 run',
    description:
      'The standard AG-UI 1.0 protocol (what `@ag-ui/client` HttpAgent speaks): RunAgentInput in; RUN_STARTED, steps as tool calls, the answer as an assistant text message, then RUN_FINISHED or RUN_ERROR. `forwardedProps.tool_constraints` and `forwardedProps.max_steps` pass through.',
    body: AgUiRunInput,
    bodyRequired: true,
    responses: {
      200: {
        description: 'AG-UI events (`data: <json>` frames).',
        sse: 'AG-UI 1.0 events',
        headers: ['X-Task-Id'],
      },
    },
    errors: STREAM,
  },
  {
    method: 'get',
    path: '/tasks/{id}',
    tag: 'tasks',
    summary: 'A task with its steps',
    pathParams: taskId,
    responses: {
      200: {
        description:
          'The task (owner or admin). A task not picked up yet shows `{taskId, status: "queued"}`.',
        schema: Tasks.TaskView,
      },
    },
    errors: [400, 401, 403, 404, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/tasks/{id}/events',
    tag: 'tasks',
    summary: "Replay and follow a task's events",
    description:
      'From the first event (or after `Last-Event-ID`), then live until the task ends; no gaps, no duplicates, on any replica.',
    pathParams: taskId,
    query: z.object({
      after: z
        .string()
        .optional()
        .describe('Same as Last-Event-ID, for clients that cannot set headers.'),
    }),
    headers: {
      'Last-Event-ID': { schema: z.string(), description: 'The seq of the last event received.' },
    },
    responses: {
      200: {
        description: 'Named SSE events.',
        sse: 'named events, data = TaskEvent',
        schema: Tasks.TaskEvent,
      },
      204: { description: 'The task has ended and the client has its last event.' },
    },
    errors: [400, 401, 403, 404, 429, 503],
  },
  {
    method: 'post',
    path: '/tasks/{id}/cancel',
    tag: 'tasks',
    summary: 'Cancel a task',
    description:
      'The task stops and its events end with `orchestrator.task.cancelled`. 200 (unchanged) when it had already ended.',
    pathParams: taskId,
    body: CancelBody,
    responses: {
      202: { description: 'Cancellation requested.', schema: CancelAccepted },
      200: { description: 'The task had already ended.', schema: CancelAccepted },
    },
    errors: [400, 401, 403, 404, 409, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/tools',
    tag: 'tools',
    summary: "The caller's tool manifest",
    query: ToolsQuery,
    responses: {
      200: {
        description: 'Tools the caller may use under the constraints.',
        schema: Tools.Manifest,
      },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/agents',
    tag: 'agents',
    summary: 'Remote agents the caller may delegate to',
    responses: {
      200: { description: 'Known agents (from their cards).', schema: A2a.AgentsList.response },
    },
    errors: [401, 403, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/authorizations',
    tag: 'authorizations',
    summary: 'Provider authorizations of a user',
    query: AuthorizationsQuery,
    responses: {
      200: {
        description: "Grants and every provider's status.",
        schema: Tools.AuthorizationsList.response,
      },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'put',
    path: '/authorizations/{userId}/{provider}',
    tag: 'authorizations',
    summary: 'Grant a provider to a user (admin)',
    pathParams: grantParams,
    responses: { 200: { description: 'The grant.', schema: Tools.AuthorizationGrant.response } },
    errors: [400, 401, 403, 404, 429, 503, 504],
  },
  {
    method: 'delete',
    path: '/authorizations/{userId}/{provider}',
    tag: 'authorizations',
    summary: 'Revoke a provider from a user (admin)',
    pathParams: grantParams,
    responses: {
      200: {
        description: 'Whether a grant was removed.',
        schema: Tools.AuthorizationRevoke.response,
      },
    },
    errors: [400, 401, 403, 404, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'Query the audit trail (admin)',
    query: AuditQueryParams,
    responses: {
      200: {
        description: 'Rows, newest first; pass `nextBefore` as `before` for the next page.',
        schema: Audit.AuditQueryResponse,
      },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'This document',
    public: true,
    responses: { 200: { description: 'OpenAPI 3.1.' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/health',
    tag: 'meta',
    summary: 'Liveness',
    public: true,
    responses: { 200: { description: 'The process is up.' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/readiness',
    tag: 'meta',
    summary: 'Readiness (NATS, Redis)',
    public: true,
    responses: {
      200: { description: 'Every dependency answers.' },
      503: { description: 'A dependency is down.' },
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'meta',
    summary: 'Prometheus metrics',
    public: true,
    responses: { 200: { description: 'Prometheus text format.' } },
    errors: [],
  },
];

/** Large schemas used by several operations live once under components. */
const NAMED = new Map<z.ZodType, string>([
  [Tasks.TaskRequest, 'TaskRequest'],
  [Tasks.TaskEvent, 'TaskEvent'],
  [Tasks.TaskView, 'TaskView'],
  [AgUiRunInput, 'RunAgentInput'],
  [Tools.Manifest, 'Manifest'],
]);

const inline = (s: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, {
    io,
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonSchema;
  return rest;
};

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const name = NAMED.get(s);
  return name ? { $ref: `#/components/schemas/${name}` } : inline(s, io);
};

const REASON: Record<number, string> = {
  400: 'Invalid input (the message names the field).',
  401: 'Not authenticated.',
  403: 'Not allowed.',
  404: 'Not found (or not yours).',
  409: 'Conflict (e.g. the task was cancelled).',
  413: 'Body too large.',
  422: 'The task could not be carried out.',
  429: 'Rate limit or stream cap reached (see Retry-After).',
  503: 'A service is unavailable.',
  504: 'A service did not answer in time.',
};

/** The OpenAPI 3.1 document of the gateway, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const parameters: unknown[] = [];
    for (const [name, p] of Object.entries(op.pathParams ?? {}))
      parameters.push({
        name,
        in: 'path',
        required: true,
        description: p.description,
        schema: schemaOf(p.schema, 'input'),
      });
    if (op.query) {
      const js = schemaOf(op.query, 'input') as {
        properties?: Record<string, JsonSchema>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        const { description, ...rest } = schema;
        parameters.push({
          name,
          in: 'query',
          required: js.required?.includes(name) ?? false,
          ...(description ? { description } : {}),
          schema: rest,
        });
      }
    }
    for (const [name, h] of Object.entries(op.headers ?? {}))
      parameters.push({
        name,
        in: 'header',
        required: false,
        description: h.description,
        schema: schemaOf(h.schema, 'input'),
      });
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      const content = r.sse
        ? {
            'text/event-stream': {
              schema: { type: 'string', description: r.sse },
              ...(r.schema ? { itemSchema: schemaOf(r.schema, 'output') } : {}),
            },
          }
        : r.schema
          ? { 'application/json': { schema: schemaOf(r.schema, 'output') } }
          : undefined;
      responses[status] = {
        description: r.description,
        ...(content ? { content } : {}),
        ...(r.headers
          ? {
              headers: Object.fromEntries(
                r.headers.map((h) => [h, { schema: { type: 'string' } }]),
              ),
            }
          : {}),
      };
    }
    for (const status of op.errors) {
      responses[String(status)] = {
        description: REASON[status] ?? 'Error.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        ...(status === 429
          ? {
              headers: {
                'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' },
              },
            }
          : {}),
      };
    }
    (paths[op.path] ??= {})[op.method] = {
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(op.public ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: op.bodyRequired ?? false,
              content: { 'application/json': { schema: schemaOf(op.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard gateway',
      version,
      description:
        'The HTTP API of the Switchboard platform. Errors are always `{code, message, details?, requestId}`; the status follows from `code` (see `x-error-status`). Authentication depends on AUTH_MODE (docs/auth.md): a bearer JWT, trusted proxy headers, or X-User-Id in development.',
    },
    servers: [{ url: 'http://127.0.0.1:3000' }],
    security: [{ bearerAuth: [] }],
    tags: ['tasks', 'ag-ui', 'tools', 'agents', 'authorizations', 'audit', 'meta'].map((name) => ({
      name,
    })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: { ...inline(ErrorEnvelope, 'output'), 'x-error-status': STATUS_OF },
        ...Object.fromEntries(
          [...NAMED].map(([schema, name]) => [
            name,
            inline(schema, name === 'TaskRequest' || name === 'RunAgentInput' ? 'input' : 'output'),
          ]),
        ),
      },
    },
  };
}
