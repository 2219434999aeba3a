import { Gateway, Tasks, Tools } from '@switchboard/contracts';
import { z } from 'zod';
import { AgUiRunInput } from '../agui/run-input.js';

import { FAILED_TASK_STATUS_OF, STATUS_OF } from '../http/error-status.js';
import { AGENT_CONFIG_OPERATIONS } from './openapi.agent-config-operations.js';
import { EVALUATION_OPERATIONS } from './openapi.evaluation-operations.js';
import { CONSOLE_OPERATIONS } from './openapi.console-operations.js';
import type { Operation } from './openapi.operation.js';
import { PLATFORM_OPERATIONS } from './openapi.platform-operations.js';
import { TASK_OPERATIONS } from './openapi.task-operations.js';
import { USAGE_OPERATIONS } from './openapi.usage-operations.js';
import { SCHEDULE_OPERATIONS } from './openapi.schedule-operations.js';
import { WEBHOOK_OPERATIONS } from './openapi.webhook-operations.js';
import { tagged } from './openapi.operation-builders.js';

type JsonSchema = Record<string, unknown>;

/** Every route of the API. Kept beside the controllers; a unit test checks they agree. */
export const OPERATIONS: Operation[] = [
  ...TASK_OPERATIONS,
  ...PLATFORM_OPERATIONS,
  ...CONSOLE_OPERATIONS,
  ...tagged('quotas', USAGE_OPERATIONS),
  ...tagged('webhooks', WEBHOOK_OPERATIONS),
  ...tagged('schedules', SCHEDULE_OPERATIONS),
  ...tagged('agent-configs', AGENT_CONFIG_OPERATIONS),
  ...tagged('evaluations', EVALUATION_OPERATIONS),
];

/**
 * The API's one naming convention: JSON bodies in camelCase, query parameters in snake_case. Two
 * exceptions, both kept as users know them: the compatibility surface users migrate from, whose
 * request and JSON answer bodies keep their documented snake_case names (`task_id`, `duration_ms`,
 * `tool_constraints`; the task events `/orchestrate/stream` sends are camelCase like every task event),
 * and the endpoints of other protocols, which use their protocol's names.
 */
export const FIELD_NAMES = {
  bodies: 'camelCase',
  queryParameters: 'snake_case',
  snakeCaseBodies: [
    'post /orchestrate',
    'post /orchestrate/stream',
    'get /ag-ui/events',
    // a replay or fork is a task submission: its body and answer are those of POST /orchestrate's
    'post /tasks/{id}/replay',
    'post /tasks/{id}/fork',
  ],
  protocolBodies: [
    'post /ag-ui',
    'get /.well-known/agent-card.json',
    'post /a2a',
    'post /a2a/notifications/{delegationId}',
    'post /mcp',
    'get /mcp',
    'delete /mcp',
    'get /.well-known/oauth-protected-resource/mcp',
    'get /.well-known/oauth-protected-resource',
  ],
  durations: 'milliseconds, to 0.1 ms',
} as const;

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

/**
 * Where a `text/event-stream` media type describes one of its events. The document is OpenAPI 3.1, which
 * has no keyword for the items of a stream (3.2's `itemSchema`), and the common validators and code
 * generators do not take 3.2 yet; so the stream is a string, as 3.1 sees it, and the schema of one event,
 * the one 3.2 would put under `itemSchema`, is this extension.
 */
export const SSE_ITEM_SCHEMA = 'x-itemSchema';

/** One Server-Sent Event (the fields of the event stream format) whose `data` is a JSON `data` schema. */
const sseEvent = (data: JsonSchema): JsonSchema => ({
  type: 'object',
  description:
    'One event of the stream (OpenAPI 3.2 `itemSchema`): `data` is the JSON document described by `contentSchema`.',
  properties: {
    event: { type: 'string', description: 'The event type, for named events.' },
    data: { type: 'string', contentMediaType: 'application/json', contentSchema: data },
    id: { type: 'string', description: 'The event id, where the stream resumes (Last-Event-ID).' },
    retry: { type: 'integer', minimum: 0 },
  },
  required: ['data'],
});

const REASON: Record<number, string> = {
  400: 'Invalid input (the message names the field).',
  401: 'Not authenticated.',
  403: 'Not allowed.',
  404: 'Not found (or not yours).',
  409: 'Conflict (e.g. the task was cancelled).',
  413: 'Body too large.',
  422: 'The task could not be carried out.',
  415: 'The body is not JSON (send Content-Type: application/json).',
  429: 'Rate limit, stream cap, refused-authentication limit or tenant quota reached (see Retry-After; a quota is named in `details.quota`).',
  503: 'A service is unavailable.',
  504: 'A service did not answer in time.',
};

type Answer = Operation['responses'][number];

/** Path and header parameters, each declared with its own description and schema. */
const namedParameters = (
  where: 'path' | 'header',
  params: Operation['pathParams'] | Operation['headers'],
): JsonSchema[] =>
  Object.entries(params ?? {}).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path',
    description: p.description,
    schema: schemaOf(p.schema, 'input'),
  }));

/** One query parameter per property of the route's query schema, its description lifted out. */
const queryParameters = (query: z.ZodObject | undefined): JsonSchema[] => {
  if (!query) return [];
  const js = schemaOf(query, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: 'query',
      required: js.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
};

const json = (s: z.ZodType, io: 'input' | 'output'): JsonSchema => ({
  'application/json': { schema: schemaOf(s, io) },
});

/** The media types of an answer: JSON, or an event stream (with `orJson`, either). */
const contentOf = (r: Answer): JsonSchema | undefined => {
  if (!r.sse) return r.schema ? json(r.schema, 'output') : undefined;
  return {
    ...(r.orJson && r.schema ? json(r.schema, 'output') : {}),
    'text/event-stream': {
      schema: { type: 'string', description: r.sse },
      ...(r.schema ? { [SSE_ITEM_SCHEMA]: sseEvent(schemaOf(r.schema, 'output')) } : {}),
    },
  };
};

const answerOf = (r: Answer): JsonSchema => {
  const content = contentOf(r);
  return {
    description: r.description,
    ...(content ? { content } : {}),
    ...(r.headers
      ? { headers: Object.fromEntries(r.headers.map((h) => [h, { schema: { type: 'string' } }])) }
      : {}),
  };
};

/** Every error is the error envelope; a 429 also says how long to wait. */
const errorOf = (status: number): JsonSchema => ({
  description: REASON[status] ?? 'Error.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  ...(status === 429
    ? {
        headers: {
          'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' },
        },
      }
    : {}),
});

const responsesOf = (op: Operation): Record<string, unknown> => {
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(op.responses)) responses[status] = answerOf(r);
  for (const status of op.errors) responses[String(status)] = errorOf(status);
  return responses;
};

/** `get /tasks/{id}/events` → `getTasksIdEvents`. */
const operationIdOf = (op: Operation): string =>
  `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

const operationOf = (op: Operation): JsonSchema => {
  const parameters = [
    ...namedParameters('path', op.pathParams),
    ...queryParameters(op.query),
    ...namedParameters('header', op.headers),
  ];
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.externalDocs ? { externalDocs: op.externalDocs } : {}),
    operationId: operationIdOf(op),
    ...(op.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? { requestBody: { required: op.bodyRequired ?? false, content: json(op.body, 'input') } }
      : {}),
    responses: responsesOf(op),
  };
};

/** The OpenAPI 3.1 document of the gateway, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationOf(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard gateway',
      version,
      description:
        "The HTTP API of the Switchboard platform. Errors are `{code, message, details?, requestId}` with the status from `code` (see `x-error-status` on the Error schema); only the A2A and MCP endpoints answer their protocol's errors in that protocol. Every answer carries `X-Request-Id`. Bodies are JSON only (415 otherwise). Field names (`x-field-names`): JSON bodies are camelCase (`taskId`, `durationMs`) and query parameters snake_case (`user_id`, `task_id`), except the compatibility surface — the request and JSON answer bodies of `/orchestrate` and `/orchestrate/stream`, and the `/ag-ui/events` events, keep their snake_case names (`task_id`, `duration_ms`, `tool_constraints`) — and the AG-UI 1.0, A2A and MCP endpoints, which use their protocol's names. Durations are in milliseconds, to 0.1 ms. Authentication depends on AUTH_MODE (docs/auth.md): a bearer JWT, trusted proxy headers, or X-User-Id in development. A Server-Sent Events answer (`text/event-stream`) is a string to OpenAPI 3.1; the schema of one of its events is the media type's `x-itemSchema` (what OpenAPI 3.2 calls `itemSchema`).",
    },
    servers: [{ url: 'http://127.0.0.1:3000' }],
    'x-field-names': FIELD_NAMES,
    security: [{ bearerAuth: [] }],
    tags: [
      'tasks',
      'approvals',
      'ag-ui',
      'tools',
      'agents',
      'authorizations',
      'memory',
      'audit',
      'quotas',
      'webhooks',
      'schedules',
      'agent-configs',
      'evaluations',
      'a2a',
      'mcp',
      'operations',
      'console',
      'meta',
    ].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          ...inline(Gateway.ErrorEnvelope, 'output'),
          'x-error-status': STATUS_OF,
          'x-failed-task-status': FAILED_TASK_STATUS_OF,
        },
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
