// Generates the reference docs from the code, so they cannot drift:
//   docs/subjects.md, docs/asyncapi.yaml  — from libs/contracts (every subject, payload, direction, guarantee)
//   docs/state-machines.md                — from the state machines' definitions (tools/docs/state-machines.ts)
//   docs/architecture.md's walkthrough     — "One task, end to end", from TASK_WALKTHROUGH (tools/docs/walkthrough.ts)
//   docs/architecture.md's long functions  — the max-lines-per-function exceptions, as the lint counts
//                                           them (tools/docs/long-functions.ts)
//   docs/configuration.md, .env.example   — from each service's zod config (`.describe()` texts)
//   docs/architecture.md's services table — its "state" column is checked (not written) against the
//                                           same configs and the streams each service keeps state in
//   k8s/switchboard/values.schema.json, k8s/switchboard/files/settings.json — the Helm chart's values
//                                           schema and secret wiring, from the same configs (chart-values.ts)
//   infra/docker/nats-identities.conf, k8s/switchboard/files/nats-identities.conf — the NATS users of
//                                           docker-compose and the chart's bundled NATS (natsPermissions)
// Usage: npx tsx --tsconfig tsconfig.base.json tools/docs/generate.ts [--check]
// With --check nothing is written; exits 1 listing the files that are out of date.
import { isSecretKey } from '@switchboard/config';
import {
  allNatsPermissions,
  CATALOGUE,
  type CommandContract,
  type EventContract,
  NATS_IDENTITIES,
  natsPasswordVariable,
  renderNatsAuthorization,
  streamsLookedUpBy,
  Tasks,
} from '@switchboard/contracts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { asyncapiYaml } from './asyncapi.js';
import { chartFiles } from './chart-values.js';
import { commandDelivery } from './delivery.js';
import { longFunctions, withLongFunctions } from './long-functions.js';
import { type StoreFacts, storeFacts, storeProblems } from './service-stores.js';
import { stateMachinesMd } from './state-machines.js';
import { withWalkthrough } from './walkthrough.js';

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

function subjectsMd(): string {
  const out: string[] = [
    '# NATS subjects',
    '',
    '<!-- Generated from libs/contracts by `npm run docs:generate`; do not edit by hand. -->',
    '',
    'Every message the platform exchanges on NATS, from the contracts library (`libs/contracts`). Payloads are JSON in',
    "Nest's envelope (`{pattern, data, id?}`); headers carry `x-correlation-id`, `x-sb-user-id`/`x-sb-user-role`",
    '(the acting user), `traceparent` and `x-sb-source`. Tail them with `switchboard tail` (docs/operations.md).',
    '',
    "A task's traffic names it in the subject: its events (`sb.evt.task.<taskId>.…`), its tool calls",
    '(`sb.cmd.tools.call.<taskId>`) and its audit records (`sb.audit.<category>.<taskId>`), so any NATS client',
    'follows one task by subject (`nats sub "sb.*.*.*.<taskId>"`… or one per kind). A tool call or an audit record',
    'of no task has `_` there.',
    '',
    '`traceparent` (W3C trace context, with `tracestate` when the trace has one) names the sending span:',
    'every message of a task, JetStream submissions, task events and audit records included, carries its',
    'trace, and the receiver continues it (docs/operations.md, "Traces"). `x-correlation-id` is the HTTP',
    'request id (`X-Request-Id`) the work began with.',
    '',
    '## Commands (request/reply)',
    '',
    'Served by a queue group named after the service, so replicas share the work. Errors come back as',
    '`{code, message, details?, retryable}` (the platform error vocabulary); no responders → `UPSTREAM_UNAVAILABLE`,',
    'no answer in time → `TIMEOUT`. Commands are core NATS, hence at most once: a request reaches one replica or',
    'none and the transport never redelivers it; a caller that timed out cannot tell whether it ran. So `NatsBus`',
    'sends a request again only when the contract says that is harmless (`idempotency`: idempotent, or keyed by',
    "the request's `idempotencyKey`), with capped backoff and within the caller's time (docs/reliability.md,",
    '"Requests, retries and idempotency"). A subject ending in a placeholder (`{taskId}`) is sent on with the',
    "request's value there (`_` without one) and served on its pattern (`*` there); a request whose subject",
    "disagrees with its payload is refused (`VALIDATION`). Caller `admin`: the NATS identity of the platform's",
    'administrators (`switchboard call`, `switchboard audit verify`); the read-only `operator` sends no command.',
    '',
    '| subject | served by (subscribed to) | callers | delivery | description |',
    '|---|---|---|---|---|',
  ];
  for (const c of CATALOGUE.commands) {
    const served = c.pattern === c.subject ? c.service : `${c.service} (\`${c.pattern}\`)`;
    out.push(
      `| \`${c.subject}\` | ${served} | ${c.callers.join(', ') || '–'} | ${commandDelivery(c)} | ${cell(c.description)} |`,
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
  out.push(...identitiesMd());
  return `${out.join('\n')}\n`;
}

/** Who may publish and subscribe to what: the NATS permissions the contracts derive, per identity. */
function identitiesMd(): string[] {
  const out = [
    '',
    '## NATS identities and permissions',
    '',
    'Each service connects as its own NATS user, allowed exactly what its contracts declare: to send the commands',
    'it is a caller of and receive those it serves, publish the events it produces and subscribe to those it',
    'consumes, read its own inbox (`_INBOX.<identity>.>`), answer each request it receives once within twice the',
    "callers' wait, set up only the streams it needs at start and create consumers only on the streams it reads.",
    "`operator` (for `switchboard tail`) reads every subject, every reply and the streams' stored messages, and sends",
    'nothing: no command, no event, no consumer. `admin` (for `switchboard call` and `switchboard audit verify`) reads',
    'what the operator reads and may send the commands that name it among their callers, nothing else. `live` is',
    "the gateway's second connection for the console's Live view (GET /live): it reads the traffic subjects and",
    'publishes nothing at all — no reply, no command, no inbox. `> *` in a deny list forbids joining any queue group. The rendered',
    'nats-server users are in `infra/docker/nats-identities.conf` (docs/operations.md, "NATS identities").',
    '',
    '| identity | may publish | may subscribe to | answers requests |',
    '|---|---|---|---|',
  ];
  const code = (subjects: readonly string[]) => subjects.map((x) => `\`${x}\``).join(' ');
  for (const p of allNatsPermissions()) {
    const subscribe = `${code(p.subscribe)}${p.subscribeDeny.length ? ` (denied: ${code(p.subscribeDeny)})` : ''}`;
    const answers = p.responses ? `once each, within ${p.responses.expiresMs / 1000} s` : 'no';
    out.push(`| \`${p.identity}\` | ${code(p.publish) || 'nothing'} | ${subscribe} | ${answers} |`);
  }
  return out;
}

/** The nats-server users of the platform, their passwords read from the server's environment. */
function natsIdentitiesConf(prefix: string): string {
  const auth = Object.fromEntries(
    NATS_IDENTITIES.map((i) => [i, { passwordVariable: natsPasswordVariable(i) }]),
  );
  return `${prefix}${renderNatsAuthorization(auth)}`;
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
  // Every setting is documented where it is declared: one without `.describe()` stops the generator
  // (and `docs:check`, so CI) naming it, instead of leaving a blank row in docs/configuration.md.
  const undescribed = Object.entries(js.properties ?? {}).filter(([, p]) => !p.description);
  if (undescribed.length)
    throw new Error(
      `${service}: settings without a description (.describe() in ${file}): ${undescribed.map(([k]) => k).join(', ')}`,
    );
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
  // The cell's own settings (apps/cell): not a service, so not part of the common ones above.
  const cell = await settingsOf('cell');
  md.push(
    '## cell',
    '',
    'The process that runs several services at once (docs/operations.md, "One process: the cell"). Each service it runs reads the settings above from the environment overlaid with its own `<SERVICE>__<KEY>` values (`GATEWAY__PORT`, `ORCHESTRATOR__DATABASE_URL`, …).',
    '',
    '| variable | default | description |',
    '|---|---|---|',
    ...cell.map((s) => row(s)),
    '',
  );
  env.push(
    '',
    '# --- cell (npm run up; SB_SHAPE=services runs one process per service instead) ---',
    ...cell.map((s) => envLine(s)),
  );
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

/** JSON as the repository's prettier writes it (the formatting check covers these files). */
async function prettyJson(file: string, value: unknown): Promise<string> {
  const path = join(root, file);
  const options = (await resolveConfig(path)) ?? {};
  return format(JSON.stringify(value), { ...options, filepath: path });
}

/** Markdown as the repository's prettier writes it (tables aligned). */
async function prettyMd(file: string, text: string): Promise<string> {
  const path = join(root, file);
  const options = (await resolveConfig(path)) ?? {};
  return format(text, { ...options, filepath: path });
}

const check = process.argv.includes('--check');
const facts = new Map<string, StoreFacts>();
for (const s of services)
  facts.set(
    s,
    storeFacts(
      await settingsOf(s),
      streamsLookedUpBy(s).map((st) => st.name),
    ),
  );
const wrongStores = storeProblems(readFileSync(join(root, 'docs/architecture.md'), 'utf8'), facts);
if (wrongStores.length) {
  console.error(
    `docs/architecture.md's services table (edit it by hand):\n${wrongStores.join('\n')}`,
  );
  process.exit(1);
}
const { md, env } = await configuration();
const chart = await chartFiles(root);
const outputs: [string, string][] = [
  ['docs/subjects.md', subjectsMd()],
  ['docs/state-machines.md', await prettyMd('docs/state-machines.md', stateMachinesMd())],
  [
    'docs/architecture.md',
    await prettyMd(
      'docs/architecture.md',
      withLongFunctions(
        withWalkthrough(readFileSync(join(root, 'docs/architecture.md'), 'utf8')),
        longFunctions(root),
      ),
    ),
  ],
  ['docs/asyncapi.yaml', asyncapiYaml()],
  ['docs/configuration.md', md],
  ['.env.example', env],
  [
    'k8s/switchboard/values.schema.json',
    await prettyJson('k8s/switchboard/values.schema.json', chart.schema),
  ],
  [
    'k8s/switchboard/files/settings.json',
    await prettyJson('k8s/switchboard/files/settings.json', chart.settings),
  ],
  [
    'infra/docker/nats-identities.conf',
    natsIdentitiesConf(
      "# docker-compose.yml's NATS: the stack's settings, and a user per identity whose password the\n# server reads from its environment (NATS_PASSWORD_<IDENTITY>).\ninclude ./nats.conf\n\n",
    ),
  ],
  ['k8s/switchboard/files/nats-identities.conf', natsIdentitiesConf('')],
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
