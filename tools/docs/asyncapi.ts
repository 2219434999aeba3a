// docs/asyncapi.yaml, from libs/contracts: every command and event of the platform as an AsyncAPI 3.0
// document. Written by tools/docs/generate.ts (`npm run docs:generate`); tools/docs/api-documents.spec.ts
// validates it with the official parser (@asyncapi/parser).
//
// What goes on the wire, as libs/messaging sends it:
//   - a command request is Nest's envelope `{pattern, data, id}` (the command server refuses a bare
//     payload); its reply goes to the request's reply subject (the caller's inbox): one packet
//     `{response | err, id, isDisposed}`, or for a `reply: 'stream'` command several bare parts;
//   - an event is `{pattern, data}` (consumers also take the bare payload);
//   - headers (libs/contracts/src/headers.ts): correlation id, source, the acting user, W3C trace
//     context; `x-sb-heartbeat` (and `x-sb-heartbeat-interval`) on the requests of `liveness:
//     'heartbeat'` commands; `Nats-Msg-Id` on JetStream publishes (the stream de-duplicates by it).
// Commands are served in a queue group named after the serving service (libs/messaging's
// natsServerOptions), hence the NATS operation bindings.
import {
  CATALOGUE,
  COMMAND_HEARTBEAT_MS,
  HEARTBEAT_INTERVAL_MS,
  type CommandContract,
  DeadLettered,
  ErrorBody,
  type EventContract,
  Headers,
  Role,
  TenantId,
  StreamHeartbeat,
  UserId,
} from '@switchboard/contracts';
import { stringify } from 'yaml';
import { z } from 'zod';
import { commandDelivery } from './delivery.js';

type Schema = Record<string, unknown>;

/** NATS operation bindings (AsyncAPI bindings, nats 0.1.0): only `queue` and `bindingVersion`. */
const NATS_BINDING_VERSION = '0.1.0';

/** An AsyncAPI Schema Object (a superset of JSON Schema draft 07) of a zod schema. */
function schemaOf(schema: z.ZodType): Schema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
    reused: 'inline',
  }) as Schema;
  // A definitions block would be referred to from the document's root, where it is not: refuse it.
  if ('definitions' in rest) throw new Error('a contract schema needs definitions: inline it');
  return rest;
}

/**
 * What each placeholder of an event's subject is. A placeholder without an entry fails the generation,
 * so a new one is described when it is added.
 */
const TOKENS: Record<string, { description: string; payloadField: string; examples?: string[] }> = {
  taskId: {
    description:
      'The task id (a UUID). A tool call or an audit record that belongs to no task has `_` here (NO_TOKEN): subscribe to one task with its id, to all with `*`.',
    payloadField: 'taskId',
  },
  event: {
    description:
      'The name of the last event the message holds (a batch of the events a task emitted together): the catalogue name, which spans several dotted tokens (e.g. `orchestrator.step.completed`), so the subject has 6 or more tokens. A terminal event is always last: `sb.evt.task.*.*.orchestrator.task.>` sees every task end. Subscribe to every event of one task with `sb.evt.task.<taskId>.>`, to every event of one tenant with `sb.evt.task.*.<tenantId>.>`, to all of them with `sb.evt.task.>`.',
    payloadField: 'name',
  },
  category: { description: 'The audit category of the record.', payloadField: 'category' },
  tenantId: {
    description:
      "The tenant the task or record belongs to (`default` with tenancy off; docs/tenancy.md). A tenant operator's NATS identity may subscribe to its own tenant's subjects only.",
    payloadField: 'tenantId',
  },
  stream: {
    description: 'The JetStream stream of the message that was dead-lettered.',
    payloadField: 'stream',
    examples: CATALOGUE.streams.filter((s) => s !== DeadLettered.stream).map((s) => s.name),
  },
  streamId: {
    description:
      'The stream id: the `id` of the sb.cmd.xmpp.http.stream request envelope the caller stopped reading.',
    payloadField: 'streamId',
  },
  delegationId: {
    description: 'The delegation id (a UUID), as the Delegate request carries it.',
    payloadField: 'delegationId',
  },
};

/** The schemas of a top-level field in an object schema, or in every variant of a union. */
function fieldSchemas(schema: Schema, field: string): Schema[] | undefined {
  const variants = (schema['oneOf'] ?? schema['anyOf']) as Schema[] | undefined;
  if (variants) {
    const each = variants.map((v) => fieldSchemas(v, field));
    return each.every((s) => s !== undefined) ? each.flat() : undefined;
  }
  const property = (schema['properties'] as Record<string, Schema> | undefined)?.[field];
  return property ? [property] : undefined;
}

/** The string values a field can take, when the schema lists them all. */
function valuesOf(schemas: Schema[]): string[] | undefined {
  const values: unknown[] = [];
  for (const s of schemas) {
    if (s['const'] !== undefined) values.push(s['const']);
    else if (Array.isArray(s['enum'])) values.push(...(s['enum'] as unknown[]));
    else return undefined;
  }
  return values.every((v) => typeof v === 'string') ? [...new Set(values as string[])] : undefined;
}

/** The channel address (one `{name}` per placeholder) and its parameters, for an event's template. */
function addressOf(e: EventContract): { address: string; parameters?: Record<string, Schema> } {
  const address = e.template.replace(/\{([A-Za-z0-9_]+)\.\.\.\}/g, '{$1}');
  if (!e.tokens.length) return { address };
  return { address, parameters: parametersOf(e.template, e.tokens, schemaOf(e.payload)) };
}

/** The channel parameters of a subject's placeholders, located in the payload (`data`) when it has them. */
function parametersOf(
  template: string,
  tokens: readonly string[],
  payload: Schema,
): Record<string, Schema> {
  const parameters: Record<string, Schema> = {};
  for (const token of tokens) {
    const known = TOKENS[token];
    if (!known) throw new Error(`${template}: describe the placeholder {${token}} in TOKENS`);
    const field = fieldSchemas(payload, known.payloadField);
    const values = field && valuesOf(field);
    parameters[token] = {
      description: known.description,
      ...(values ? { enum: values } : {}),
      ...(known.examples ? { examples: known.examples } : {}),
      // The same value is in the message: where, as a runtime expression.
      ...(field ? { location: `$message.payload#/data/${known.payloadField}` } : {}),
    };
  }
  return parameters;
}

const header = (description: string, schema: Schema = { type: 'string' }): Schema => ({
  ...schema,
  description,
});

/** The headers every message of the platform carries (those of the acting user when there is one). */
const COMMON_HEADERS: Record<string, Schema> = {
  [Headers.correlationId]: header(
    'The id of the work the message belongs to: the HTTP request id (`X-Request-Id`) it began with. Always set by the platform; a receiver makes one up when it is missing.',
  ),
  [Headers.source]: header(
    'The service that sent the message (for operators tailing subjects), e.g. `gateway`.',
  ),
  [Headers.userId]: header(
    'The acting user, as the gateway authenticated them. Commands that act for a user (most of them) need it.',
    schemaOf(UserId),
  ),
  [Headers.userRole]: header("The acting user's role (with `x-sb-user-id`).", schemaOf(Role)),
  [Headers.tenantId]: header(
    "The acting user's tenant (absent: `default`); every service checks it against what it touches (docs/tenancy.md).",
    schemaOf(TenantId),
  ),
  [Headers.userEmail]: header("The acting user's email, when known.", {
    type: 'string',
    format: 'email',
    maxLength: 320,
  }),
  [Headers.traceparent]: header('W3C trace context: the sending span.', {
    type: 'string',
    pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
  }),
  [Headers.tracestate]: header('W3C trace context, when the trace has vendor state.'),
};

const headersSchema = (
  description: string,
  extra: Record<string, Schema> = {},
  required: string[] = [],
): Schema => ({
  type: 'object',
  description,
  properties: { ...COMMON_HEADERS, ...extra },
  ...(required.length ? { required } : {}),
});

const HEADER_SCHEMAS = {
  Headers: headersSchema('NATS headers of a request or a core NATS event.'),
  HeartbeatRequestHeaders: headersSchema(
    'NATS headers of a request to a command with heartbeats.',
    {
      [Headers.heartbeat]: header(
        `Where the responder sends a heartbeat while it works (every ${COMMAND_HEARTBEAT_MS / 1000} s unless \`${Headers.heartbeatInterval}\` asks otherwise): a subject under the caller's own inbox prefix (\`_INBOX.\u2026\`). Optional; a value outside the inbox is refused (VALIDATION).`,
        { type: 'string', pattern: '^_INBOX\\.' },
      ),
      [Headers.heartbeatInterval]: header(
        `How often, in milliseconds, the caller wants those heartbeats (its NATS_COMMAND_HEARTBEAT_MS); the responder beats at that interval. Optional (default ${COMMAND_HEARTBEAT_MS}); a value that is not a whole number from ${HEARTBEAT_INTERVAL_MS.min} to ${HEARTBEAT_INTERVAL_MS.max} is refused (VALIDATION).`,
        { type: 'string', pattern: '^[0-9]+$' },
      ),
    },
  ),
  StoredEventHeaders: headersSchema(
    'NATS headers of an event published to JetStream.',
    {
      'Nats-Msg-Id': header(
        'The message id the stream de-duplicates by within its duplicate window (the event description names it).',
      ),
    },
    ['Nats-Msg-Id'],
  ),
};

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

const CORRELATION = {
  correlationId: {
    description: 'The work the message belongs to.',
    location: `$message.header#/${Headers.correlationId}`,
  },
};

/** Nest's envelope around a request or an event's payload. */
function envelope(subject: string | undefined, data: Schema, id?: string): Schema {
  return {
    type: 'object',
    description: "Nest's envelope: the payload is `data`.",
    properties: {
      pattern: {
        type: 'string',
        description: 'The subject the message was sent on.',
        ...(subject ? { examples: [subject] } : {}),
      },
      data,
      ...(id
        ? {
            id: {
              anyOf: [{ type: 'string', maxLength: 256 }, { type: 'number' }],
              description: id,
            },
          }
        : {}),
    },
    required: ['data'],
    additionalProperties: false,
  };
}

/** The one reply of a command: Nest's packet with the response, or with the platform's error. */
function replyPacket(response: Schema): Schema {
  const common = {
    id: { description: "The request envelope's id." },
    isDisposed: { type: 'boolean', const: true },
  };
  return {
    oneOf: [
      {
        type: 'object',
        title: 'response',
        properties: { response, ...common },
        required: ['response', 'isDisposed'],
      },
      {
        type: 'object',
        title: 'error',
        properties: { err: ref('schemas', 'ErrorBody'), ...common },
        required: ['err', 'isDisposed'],
      },
    ],
  };
}

export function asyncapiDocument(): Schema {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const id = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
  for (const c of CATALOGUE.commands as CommandContract[]) {
    // keyed by the subject without its placeholder: `sb.cmd.tools.call.{taskId}` → sb_cmd_tools_call
    const key = id(c.token ? c.subject.slice(0, c.subject.lastIndexOf('.')) : c.subject);
    const stream = c.reply === 'stream';
    const heartbeats = c.liveness === 'heartbeat';
    messages[`${key}_request`] = {
      name: `${key}_request`,
      title: `${c.subject} request`,
      headers: ref('schemas', heartbeats ? 'HeartbeatRequestHeaders' : 'Headers'),
      payload: envelope(
        c.subject,
        schemaOf(c.request),
        stream
          ? 'The stream id (also the placeholder of its cancel subject).'
          : 'Echoed in the reply.',
      ),
      ...CORRELATION,
    };
    messages[`${key}_reply`] = {
      name: `${key}_reply`,
      title: `${c.subject} reply`,
      ...(stream
        ? {
            summary: 'One part of the streamed reply (a bare message, no envelope).',
            payload: schemaOf(c.response),
          }
        : { payload: replyPacket(schemaOf(c.response)) }),
    };
    channels[key] = {
      address: c.subject,
      ...(c.token ? { parameters: parametersOf(c.subject, [c.token], schemaOf(c.request)) } : {}),
      description: `${c.description} Delivery: ${commandDelivery(c)}.`,
      messages: { request: ref('messages', `${key}_request`) },
    };
    channels[`${key}_reply`] = {
      address: null,
      description: `Replies to ${c.subject}: the request's reply subject (the caller's inbox).`,
      messages: { reply: ref('messages', `${key}_reply`) },
    };
    operations[key] = {
      action: 'receive',
      channel: { $ref: `#/channels/${key}` },
      summary: `served by ${c.service} (queue group ${c.service}${c.pattern !== c.subject ? `, subscribed to ${c.pattern}` : ''})`,
      messages: [{ $ref: `#/channels/${key}/messages/request` }],
      bindings: { nats: { queue: c.service, bindingVersion: NATS_BINDING_VERSION } },
      reply: {
        channel: { $ref: `#/channels/${key}_reply` },
        messages: [{ $ref: `#/channels/${key}_reply/messages/reply` }],
      },
    };
    if (heartbeats) {
      messages[`${key}_heartbeat`] = {
        name: `${key}_heartbeat`,
        title: `${c.subject} heartbeat`,
        payload: schemaOf(StreamHeartbeat),
      };
      channels[`${key}_heartbeat`] = {
        address: null,
        description: `Heartbeats of ${c.service} while it works on a ${c.subject} request, on the subject the request named in \`${Headers.heartbeat}\`.`,
        messages: { heartbeat: ref('messages', `${key}_heartbeat`) },
      };
      operations[`${key}_heartbeat`] = {
        action: 'send',
        channel: { $ref: `#/channels/${key}_heartbeat` },
        summary: `sent by ${c.service} while it works on a request that asked for them, every ${COMMAND_HEARTBEAT_MS / 1000} s or the interval the request asked for in \`${Headers.heartbeatInterval}\` (the first one interval after it took it)`,
      };
    }
  }
  for (const e of CATALOGUE.events as EventContract[]) {
    const key = id(e.template);
    const { address, parameters } = addressOf(e);
    messages[key] = {
      name: key,
      title: address,
      headers: ref('schemas', e.stream ? 'StoredEventHeaders' : 'Headers'),
      payload: envelope(e.tokens.length ? undefined : e.template, schemaOf(e.payload)),
      ...CORRELATION,
    };
    channels[key] = {
      address,
      ...(parameters ? { parameters } : {}),
      description: `${e.description} Delivery: ${e.delivery}${e.stream ? ` (stream ${e.stream.name})` : ''}.`,
      messages: { event: ref('messages', key) },
    };
    operations[`publish_${key}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      summary: `published by ${e.producers.join(', ')}`,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard NATS API',
      version: '0.1.0',
      description:
        "Subjects and payloads of the Switchboard platform (docs/subjects.md). Commands are request/reply on core NATS, served by a queue group named after the service; requests are Nest's envelope `{pattern, data, id}` and a reply is `{response | err, id, isDisposed}` on the request's reply subject. Events are `{pattern, data}`.",
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:4222', protocol: 'nats' } },
    channels,
    operations,
    components: {
      schemas: { ...HEADER_SCHEMAS, ErrorBody: schemaOf(ErrorBody) },
      messages,
    },
  };
}

/** docs/asyncapi.yaml as generate.ts writes it. */
export function asyncapiYaml(): string {
  return `# Generated from libs/contracts by \`npm run docs:generate\`; do not edit by hand.\n${stringify(asyncapiDocument(), { aliasDuplicateObjects: false })}`;
}
