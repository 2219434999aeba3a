// Generates the reference docs from the code, so they cannot drift:
//   docs/subjects.md, docs/asyncapi.yaml  — from libs/contracts (every subject, payload, direction, guarantee)
//   docs/configuration.md, .env.example   — from each service's zod config (`.describe()` texts)
// Usage: npx tsx --tsconfig tsconfig.base.json tools/docs/generate.ts [--check]
// With --check nothing is written; exits 1 listing the files that are out of date.
import { isSecretKey } from '@switchboard/config';
import { CATALOGUE, type CommandContract, type EventContract, Tasks } from '@switchboard/contracts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';

const root = join(import.meta.dirname, '..', '..');
const services = ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit', 'xmpp-bridge'] as const;

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  description?: string;
  default?: unknown;
  const?: unknown;
  format?: string;
};

const jsonSchema = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as JsonSchema;

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(' | ');
  if (s.anyOf ?? s.oneOf) return (s.anyOf ?? s.oneOf ?? []).map(typeOf).join(' | ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type === 'string' && s.format) return `string (${s.format})`;
  return s.type ?? 'any';
}

/** Top-level fields of an object schema as `name: type` (optional ones marked `?`). */
function fields(schema: z.ZodType): string {
  const s = jsonSchema(schema);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map((v) => `{ ${fieldList(v)} }`).join(' or ');
  if (s.type !== 'object') return typeOf(s);
  return `{ ${fieldList(s)} }`;
}

function fieldList(s: JsonSchema): string {
  return Object.entries(s.properties ?? {})
    .map(([k, v]) => `${k}${s.required?.includes(k) ? '' : '?'}: ${typeOf(v)}`)
    .join(', ');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The delivery guarantee of a command, as the contract declares it (one reply or a stream of them). */
function commandDelivery(c: CommandContract): string {
  const wait = `${c.timeoutMs / 1000} s`;
  return c.reply === 'stream'
    ? `request/streamed reply (parts in \`seq\` order), at most once; by default the caller times out after ${wait} without the first part, then after the same silence between parts`
    : `request/reply, at most once; by default the caller times out after ${wait}`;
}

function subjectsMd(): string {
  const out: string[] = [
    '# NATS subjects',
    '',
    '<!-- Generated from libs/contracts by `npm run docs:generate`; do not edit by hand. -->',
    '',
    'Every message the platform exchanges on NATS, from the contracts library (`libs/contracts`). Payloads are JSON in',
    "Nest's envelope (`{pattern, data, id?}`); headers carry `x-correlation-id`, `x-sb-user-id`/`x-sb-user-role`",
    '(the acting user), `traceparent` and `x-sb-source`. Tail them with `npm run tail` (docs/operations.md).',
    '',
    '## Commands (request/reply)',
    '',
    'Served by a queue group named after the service, so replicas share the work. Errors come back as',
    '`{code, message, details?, retryable}` (the platform error vocabulary); no responders → `UPSTREAM_UNAVAILABLE`,',
    'no answer in time → `TIMEOUT`. Commands are core NATS, hence at most once: a request reaches one replica or',
    'none and the transport never redelivers it (a caller that retries sends a new request); a caller that timed',
    'out cannot tell whether it ran. Callers `operators`: no service sends it.',
    '',
    '| subject | served by | callers | delivery | description |',
    '|---|---|---|---|---|',
  ];
  for (const c of CATALOGUE.commands) {
    out.push(
      `| \`${c.subject}\` | ${c.service} | ${c.callers.join(', ') || 'operators'} | ${commandDelivery(c)} | ${cell(c.description)} |`,
    );
  }
  out.push('', '### Command payloads', '');
  for (const c of CATALOGUE.commands as CommandContract[]) {
    if (c.subject.startsWith('sb.health.') && c.service !== 'gateway') continue;
    out.push(`- \`${c.subject.startsWith('sb.health.') ? 'sb.health.<service>' : c.subject}\``);
    out.push(`  - request: \`${cell(fields(c.request))}\``);
    out.push(`  - reply: \`${cell(fields(c.response))}\``);
  }
  out.push(
    '',
    '## Events',
    '',
    '`at-least-once` events are stored in a JetStream stream (published with `Nats-Msg-Id` for de-duplication; consumers ack',
    'after processing and must be idempotent). `at-most-once` events are plain NATS publishes.',
    '',
    '| subject | subscribe with | delivery | stream | producers → consumers | description |',
    '|---|---|---|---|---|---|',
  );
  for (const e of CATALOGUE.events as EventContract[]) {
    out.push(
      `| \`${e.template}\` | \`${e.pattern}\` | ${e.delivery} | ${e.stream?.name ?? '–'} | ${e.producers.join(', ') || '–'} → ${e.consumers.join(', ') || 'operators'} | ${cell(e.description)} |`,
    );
  }
  out.push('', '### Event payloads', '');
  for (const e of CATALOGUE.events as EventContract[]) {
    if (e.template.startsWith('sb.evt.task.')) continue;
    out.push(`- \`${e.template}\`: \`${cell(fields(e.payload))}\``);
  }
  out.push(
    '',
    '## Task events',
    '',
    'Published on `sb.evt.task.<taskId>.<event>` with the envelope `{ taskId, seq, name, at, source, message?, data }`;',
    '`seq` counts 1, 2, 3… per task without gaps (the SSE `id`, for `Last-Event-ID`). Tail one task with',
    '`sb.evt.task.<taskId>.>`. The gateway streams `name` as the SSE `event:`.',
    '',
    '| event | data |',
    '|---|---|',
  );
  for (const name of Object.values(Tasks.TaskEventName)) {
    out.push(`| \`${name}\` | \`${cell(fields(Tasks.TaskEventData[name]))}\` |`);
  }
  out.push(
    '',
    '## JetStream streams',
    '',
    '| stream | subjects | retention | max age | de-dup window | description |',
    '|---|---|---|---|---|---|',
  );
  for (const s of CATALOGUE.streams) {
    out.push(
      `| \`${s.name}\` | ${s.subjects.map((x) => `\`${x}\``).join(', ')} | ${s.retention} | ${s.maxAgeMs / 86_400_000} d | ${s.duplicateWindowMs / 1000} s | ${cell(s.description)} |`,
    );
  }
  return `${out.join('\n')}\n`;
}

function asyncapi(): string {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const id = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
  for (const c of CATALOGUE.commands) {
    const key = id(c.subject);
    messages[`${key}_request`] = { payload: jsonSchema(c.request) };
    messages[`${key}_reply`] = { payload: jsonSchema(c.response) };
    channels[key] = {
      address: c.subject,
      description: `${c.description} Delivery: ${commandDelivery(c)}.`,
      messages: {
        request: { $ref: `#/components/messages/${key}_request` },
        reply: { $ref: `#/components/messages/${key}_reply` },
      },
    };
    operations[key] = {
      action: 'receive',
      channel: { $ref: `#/channels/${key}` },
      summary: `served by ${c.service} (queue group ${c.service})`,
      reply: {
        channel: { $ref: `#/channels/${key}` },
        messages: [{ $ref: `#/channels/${key}/messages/reply` }],
      },
    };
  }
  for (const e of CATALOGUE.events) {
    const key = id(e.template);
    messages[key] = { payload: jsonSchema(e.payload) };
    channels[key] = {
      address: e.template,
      description: `${e.description} Delivery: ${e.delivery}${e.stream ? ` (stream ${e.stream.name})` : ''}.`,
      messages: { event: { $ref: `#/components/messages/${key}` } },
    };
    operations[`publish_${key}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      summary: `published by ${e.producers.join(', ')}`,
    };
  }
  return `# Generated from libs/contracts by \`npm run docs:generate\`; do not edit by hand.\n${stringify(
    {
      asyncapi: '3.0.0',
      info: {
        title: 'Switchboard NATS API',
        version: '0.1.0',
        description: 'Subjects and payloads of the Switchboard platform.',
      },
      defaultContentType: 'application/json',
      servers: { local: { host: '127.0.0.1:4222', protocol: 'nats' } },
      channels,
      operations,
      components: { messages },
    },
  )}`;
}

interface Setting {
  key: string;
  description: string;
  default?: unknown;
  required: boolean;
  secret: boolean;
  type: string;
}

async function settingsOf(service: string): Promise<Setting[]> {
  const file = join(root, 'apps', service, 'src', 'config', `${service}.env.ts`);
  const mod = (await import(file)) as Record<string, unknown>;
  const schema = Object.values(mod).find((v): v is z.ZodType => v instanceof z.ZodType);
  if (!schema) throw new Error(`${file} exports no zod schema`);
  const js = jsonSchema(schema);
  return Object.entries(js.properties ?? {}).map(([key, p]) => ({
    key,
    description: p.description ?? '',
    default: p.default,
    required: (js.required ?? []).includes(key) && p.default === undefined,
    secret: isSecretKey(key),
    type: typeOf(p),
  }));
}

async function configuration(): Promise<{ md: string; env: string }> {
  const per = new Map<string, Setting[]>();
  for (const s of services) per.set(s, await settingsOf(s));
  const all = [...per.values()];
  const common = (all[0] ?? []).filter((s) =>
    all.every((list) => list.some((x) => x.key === s.key)),
  );
  const commonKeys = new Set(common.map((s) => s.key));
  const md: string[] = [
    '# Configuration',
    '',
    "<!-- Generated from the services' zod configs by `npm run docs:generate`; do not edit by hand. -->",
    '',
    'Every service reads its settings from the environment once at start-up and validates them; a missing or invalid',
    'value stops it with one message listing every problem. `.env.example` lists the same keys.',
    '',
    '## Every service',
    '',
    '| variable | default | description |',
    '|---|---|---|',
    ...common.filter((s) => s.key !== 'PORT').map((s) => row(s)),
    '',
  ];
  const env: string[] = [
    "# Switchboard settings. Generated from the services' zod configs by `npm run docs:generate` (docs/configuration.md).",
    '# Copy to .env and uncomment what you change: `npm run up` reads it. Secrets belong in a secret store in production.',
    '',
    '# --- every service ---',
    ...common.filter((s) => s.key !== 'PORT').map((s) => envLine(s)),
  ];
  for (const [service, list] of per) {
    const own = list.filter((s) => !commonKeys.has(s.key) || s.key === 'PORT');
    md.push(
      `## ${service}`,
      '',
      '| variable | default | description |',
      '|---|---|---|',
      ...own.map((s) => row(s)),
      '',
    );
    env.push('', `# --- ${service} ---`, ...own.map((s) => envLine(s)));
  }
  return { md: `${md.join('\n')}`, env: `${env.join('\n')}\n` };
}

function row(s: Setting): string {
  const def =
    s.default === undefined
      ? s.required
        ? '**required**'
        : '–'
      : `\`${JSON.stringify(s.default)}\``;
  return `| \`${s.key}\` | ${def} | ${cell(s.description)}${s.secret ? ' *(secret)*' : ''} |`;
}

function envLine(s: Setting): string {
  const value =
    s.default === undefined
      ? ''
      : Array.isArray(s.default)
        ? s.default.join(',')
        : String(s.default);
  return `# ${s.description || s.key}${s.secret ? ' (secret)' : ''}\n# ${s.key}=${value}`;
}

const check = process.argv.includes('--check');
const { md, env } = await configuration();
const outputs: [string, string][] = [
  ['docs/subjects.md', subjectsMd()],
  ['docs/asyncapi.yaml', asyncapi()],
  ['docs/configuration.md', md],
  ['.env.example', env],
];
const stale: string[] = [];
for (const [file, content] of outputs) {
  const path = join(root, file);
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    /* missing */
  }
  if (current === content) continue;
  if (check) stale.push(file);
  else writeFileSync(path, content);
}
if (stale.length) {
  console.error(`out of date (run \`npm run docs:generate\`): ${stale.join(', ')}`);
  process.exit(1);
}
console.log(check ? 'generated docs are current' : `wrote ${outputs.map(([f]) => f).join(', ')}`);
