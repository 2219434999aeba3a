// The Helm chart's generated files, from the services' zod configs, so the chart cannot drift from them:
//   k8s/switchboard/values.schema.json   every value the chart takes; each service's settings typed
//                                        from its config schema (helm lint/template/install refuse a
//                                        wrong or unknown value, naming it)
//   k8s/switchboard/files/settings.json  which secret settings each service reads, from which key of
//                                        the release's Secret (the templates wire exactly these)
// Written by tools/docs/generate.ts (`npm run docs:generate`), checked by `npm run docs:check`.
import { envBoolean, isSecretKey } from '@switchboard/config';
import {
  ALL_STREAMS,
  NATS_IDENTITIES,
  natsPasswordVariable,
  Tenancy,
} from '@switchboard/contracts';
import { join } from 'node:path';
import { z } from 'zod';
import { chartStructure, type JsonSchema } from './chart-structure.js';

/** The six services as the chart names them (values key) and as the repository does. */
export const CHART_SERVICES = [
  { key: 'gateway', service: 'gateway' },
  { key: 'orchestrator', service: 'orchestrator' },
  { key: 'mcpTools', service: 'mcp-tools' },
  { key: 'a2a', service: 'a2a' },
  { key: 'audit', service: 'audit' },
  { key: 'xmppBridge', service: 'xmpp-bridge' },
] as const;

/** URLs that carry credentials: only ever in the Secret. */
const CREDENTIAL_URLS = new Set(['DATABASE_URL', 'REDIS_URL']);

/** A setting whose value is a secret (a `*_FILE` setting is the path of a mounted one, not a secret). */
const isSecretSetting = (env: string) =>
  CREDENTIAL_URLS.has(env) || (isSecretKey(env) && !env.endsWith('_FILE'));

/**
 * Settings the chart sets itself from its own values (ports, the replica's name, nats.*, xmpp.*):
 * not accepted under `config`, so there is one place for each.
 */
export const CHART_OWNED: Record<string, string> = {
  PORT: 'services.<service>.port',
  HOST: 'the chart (0.0.0.0)',
  INSTANCE_ID: 'the pod name',
  NATS_SERVERS: 'nats.servers (or the bundled NATS)',
  NATS_USER: "nats.identities (the service's own name) or nats.user",
  AZTM_HOST: 'xmpp.host (or the bundled Prosody)',
  AZTM_PORT: 'xmpp.port',
  AZTM_DOMAIN: 'xmpp.domain',
  AZTM_TLS: 'xmpp.tls',
  AZTM_VALIDATE_CERT: 'xmpp.validateCert',
  AZTM_XMPP_TIMEOUT: 'xmpp.timeout',
  AZTM_JID: 'xmpp.jid',
  AZTM_USERID: 'xmpp.jid',
  AZTM_LOG_LEVEL: 'xmpp.logLevel',
  XMPP_HOST: 'xmpp.host',
  XMPP_PORT: 'xmpp.port',
  XMPP_DOMAIN: 'xmpp.domain',
  XMPP_BRIDGE_CA_FILE: 'xmpp.caSecret (or the bundled Prosody CA)',
};

/** Node's own environment settings, accepted under `config` beside the services' settings. */
export const RUNTIME_ENV: Record<string, JsonSchema> = {
  NODE_EXTRA_CA_CERTS: {
    type: 'string',
    minLength: 1,
    description:
      "PEM file of extra CA certificates Node trusts for every TLS connection (mount it with extraVolumes). The xmpp-bridge's own is set from xmpp.caSecret.",
  },
  NODE_OPTIONS: {
    type: 'string',
    description: 'Options for the Node runtime, e.g. --max-old-space-size=512.',
  },
};

/** A map of `default` and stream names to a value (JETSTREAM_MAX_BYTES, JETSTREAM_MAX_AGE). */
const perStreamMap = (value: JsonSchema): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(
    ['default', ...ALL_STREAMS.map((s) => s.name)].map((k) => [k, value]),
  ),
});

/**
 * Settings that also take a structured value (a YAML map or list, rendered as JSON), because the
 * service parses JSON for them.
 */
const STRUCTURED: Record<string, JsonSchema[]> = {
  JETSTREAM_MAX_BYTES: [
    perStreamMap({ anyOf: [{ type: 'string' }, { type: 'integer', minimum: 1_048_576 }] }),
  ],
  JETSTREAM_MAX_AGE: [perStreamMap({ type: 'string' })],
  SERVICE_MAP: [{ type: 'object', additionalProperties: { type: 'string' } }],
  A2A_AGENTS: [
    { type: 'object', additionalProperties: { type: 'string' } },
    {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'url'],
        additionalProperties: false,
        properties: { name: { type: 'string' }, url: { type: 'string' } },
      },
    },
  ],
  A2A_AGENT_POLICY: [{ type: 'object' }],
  MCP_SERVERS: [{ type: 'object' }, { type: 'array' }],
  LLM_PRICES: [{ type: 'object' }],
  XMPP_APPROVERS: [{ type: 'object' }],
};

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'];
const caseless = (w: string) =>
  [...w].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
const BOOLEAN_TEXT = `^\\s*(${BOOLEAN_WORDS.map(caseless).join('|')})\\s*$`;
const INTEGER_TEXT = '^\\s*[-+]?\\d+\\s*$';
const NUMBER_TEXT = '^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*$';

interface ServiceSettings {
  key: string;
  service: string;
  /** The value schema of each setting the chart accepts under `config`. */
  config: Map<string, JsonSchema>;
  /** Env name -> key in the release's Secret, and whether the service cannot start without it. */
  secrets: Map<string, { secretKey: string; required: boolean; schema: JsonSchema }>;
}

type Def = { _zod?: { def?: Record<string, unknown> } };

/** Whether a setting is read with the platform's boolean parser (true/false/1/0/yes/no/on/off). */
function readsBoolean(type: unknown, seen = new Set<unknown>()): boolean {
  if (!type || typeof type !== 'object' || seen.has(type)) return false;
  seen.add(type);
  if (type === envBoolean) return true;
  const def = (type as Def)._zod?.def ?? {};
  return ['innerType', 'in', 'out'].some((k) => readsBoolean(def[k], seen));
}

const pick = (p: JsonSchema, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));

/** The schema of one setting's value in values.yaml: its env form, or what renders to it. */
function valueSchema(key: string, p: JsonSchema, type: z.ZodType): JsonSchema {
  const bounds = pick(p, ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);
  let forms: JsonSchema[];
  if (readsBoolean(type)) forms = [{ type: 'boolean' }, { type: 'string', pattern: BOOLEAN_TEXT }];
  else if (p['type'] === 'integer')
    forms = [
      { type: 'integer', ...bounds },
      { type: 'string', pattern: INTEGER_TEXT },
    ];
  else if (p['type'] === 'number')
    forms = [
      { type: 'number', ...bounds },
      { type: 'string', pattern: NUMBER_TEXT },
    ];
  else
    forms = [
      { type: 'string', ...pick(p, ['enum', 'minLength', 'maxLength', 'pattern', 'format']) },
    ];
  forms.push(...(STRUCTURED[key] ?? []));
  const about = {
    ...(p['description'] ? { description: p['description'] } : {}),
    ...(p['default'] !== undefined ? { default: p['default'] } : {}),
  };
  return forms.length === 1 ? { ...forms[0], ...about } : { anyOf: forms, ...about };
}

const secretKeyOf = (service: string, env: string) =>
  env === 'DATABASE_URL' ? `${service.toUpperCase().replace(/-/g, '_')}_DATABASE_URL` : env;

async function serviceSettings(
  root: string,
  entry: (typeof CHART_SERVICES)[number],
): Promise<ServiceSettings> {
  const file = join(root, 'apps', entry.service, 'src', 'config', `${entry.service}.env.ts`);
  const mod = (await import(file)) as Record<string, unknown>;
  const schema = Object.values(mod).find((v): v is z.ZodObject => v instanceof z.ZodObject);
  if (!schema) throw new Error(`${file} exports no zod object schema`);
  const js = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonSchema;
  const props = (js['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js['required'] as string[] | undefined) ?? []);
  const settings: ServiceSettings = {
    ...entry,
    config: new Map(Object.entries(RUNTIME_ENV)),
    secrets: new Map(),
  };
  for (const [env, p] of Object.entries(props)) {
    const value = valueSchema(env, p, schema.shape[env] as z.ZodType);
    if (isSecretSetting(env)) {
      settings.secrets.set(env, {
        secretKey: secretKeyOf(entry.service, env),
        required: CREDENTIAL_URLS.has(env) || (required.has(env) && p['default'] === undefined),
        schema: value,
      });
    } else if (!(env in CHART_OWNED)) {
      settings.config.set(env, value);
    }
  }
  return settings;
}

const strict = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
});

/** values.schema.json and files/settings.json, as objects. */
export async function chartFiles(root: string): Promise<{ schema: unknown; settings: unknown }> {
  const all: ServiceSettings[] = [];
  for (const entry of CHART_SERVICES) all.push(await serviceSettings(root, entry));
  const common = [...(all[0]?.config.keys() ?? [])].filter((k) =>
    all.every((s) => s.config.has(k)),
  );
  const secretValues: Record<string, JsonSchema> = {};
  for (const s of all)
    for (const [, { secretKey, schema }] of s.secrets) secretValues[secretKey] ??= schema;
  // The NATS identities' passwords (nats.identities): each service's, and the operator's. The bundled
  // NATS reads them from its environment as configuration values: a letter first, then letters,
  // digits, - and _ only, or the server cannot parse them.
  for (const identity of NATS_IDENTITIES)
    secretValues[natsPasswordVariable(identity)] = {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_-]{15,}$',
      description: `NATS password of the ${identity} identity (generated for the bundled NATS): 16 or more letters, digits, - or _, a letter first`,
    };
  const schema = chartStructure({
    commonConfig: strict(
      Object.fromEntries(common.map((k) => [k, all[0]?.config.get(k) ?? {}] as const)),
    ),
    serviceConfig: Object.fromEntries(
      all.map((s) => [s.key, strict(Object.fromEntries(s.config))] as const),
    ),
    secretValues,
    tenantSettings: {
      ...(z.toJSONSchema(Tenancy.TenantsFile.shape.tenants, {
        io: 'input',
        unrepresentable: 'any',
        reused: 'inline',
      }) as JsonSchema),
      $schema: undefined,
      description: "the tenants file's tenants (docs/tenancy.md), mounted as TENANTS_FILE",
    },
  });
  const settings = {
    services: Object.fromEntries(
      all.map((s) => [
        s.key,
        {
          service: s.service,
          secrets: Object.fromEntries([...s.secrets].map(([env, v]) => [env, v.secretKey])),
          required: [...s.secrets].filter(([, v]) => v.required).map(([env]) => env),
        },
      ]),
    ),
  };
  return { schema, settings };
}
