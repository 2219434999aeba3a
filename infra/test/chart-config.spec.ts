// The chart boots as written, proven without a cluster: for the default values and every file in
// k8s/switchboard/ci/, each service's pod environment is resolved from the rendered ConfigMaps and
// Secrets the way the kubelet does it (tools/helm/pods.mjs), and the service's own config validation
// (loadConfig with its zod schema, what main.ts runs first) accepts it. Every variable a pod gets is a
// setting its service reads, and every setting the values give reaches it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isSecretKey, loadConfig } from '@switchboard/config';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  CHART,
  CI_VALUES,
  chartPods,
  type Container,
  helm,
  type K8sObject,
  type Pod,
  ROOT,
  SERVICES,
  type ServiceName,
} from './support/deploy.js';

const CHART_KEY: Record<ServiceName, string> = {
  gateway: 'gateway',
  orchestrator: 'orchestrator',
  'mcp-tools': 'mcpTools',
  a2a: 'a2a',
  audit: 'audit',
  'xmpp-bridge': 'xmppBridge',
};
/** Node's own variables, which the chart may set beside the services' settings. */
const RUNTIME_ENV = new Set(['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS']);
const CREDENTIAL_URLS = new Set(['DATABASE_URL', 'REDIS_URL']);

const PEM = '-----BEGIN CERTIFICATE-----\nexample\n-----END CERTIFICATE-----\n';
const secret = (name: string, data: Record<string, string>): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  stringData: data,
});

/** What the cluster holds beside the release, per values file (Secrets you or cert-manager made). */
const CLUSTER: Record<string, K8sObject[]> = {
  'default values': [],
  'external-deps-values.yaml': [
    secret('xmpp-private-ca', { 'ca.crt': PEM }),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'corporate-ca' },
      data: { 'ca.crt': PEM },
    },
  ],
  'gitops-values.yaml': [
    secret('switchboard-prosody-tls', { 'ca.crt': PEM, 'tls.crt': PEM, 'tls.key': 'key' }),
    secret('switchboard-test-token', { token: 'a-token' }),
  ],
};

const CASES: Array<[string, string[]]> = [
  ['default values', []],
  ...CI_VALUES.map((f): [string, string[]] => [f, ['-f', join(CHART, 'ci', f)]]),
];

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's merge of a values file over values.yaml: maps merge, anything else replaces, null deletes. */
function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? mergeValues(out[k], v) : v;
  }
  return out;
}

/** A setting as its service receives it: the chart's rendering of a values entry. */
function asEnv(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

async function schemaOf(service: ServiceName): Promise<z.ZodObject> {
  const file = join(ROOT, 'apps', service, 'src', 'config', `${service}.env.ts`);
  const mod = (await import(file)) as Record<string, unknown>;
  const schema = Object.values(mod).find((v): v is z.ZodObject => v instanceof z.ZodObject);
  if (!schema) throw new Error(`${file} exports no zod object schema`);
  return schema;
}

interface Resolved {
  pod: Pod;
  container: Container;
  /** The environment as rendered and resolved. */
  raw: Record<string, string>;
  /** The same, with paths under the pod's mounts pointing at the files written for them. */
  env: Record<string, string>;
}

describe.each(CASES)('the chart rendered with %s', (label, args) => {
  let objects: K8sObject[] = [];
  let cluster: K8sObject[] = [];
  let values: Values = {};
  let dir = '';
  const resolved = new Map<string, Resolved>();

  /** A pod's container as a process would get it: env resolved, mounted paths made local. */
  const resolve = (pod: Pod, container: Container): Resolved => {
    const raw = chartPods.resolveEnv(container, { objects: cluster, podName: `${pod.name}-0` });
    const mounts = chartPods.materializeMounts(pod, container, {
      objects: cluster,
      dir: join(dir, pod.name, container.name),
      imageRoot: { '/app': ROOT },
    });
    return { pod, container, raw, env: chartPods.processOf(container, raw, mounts).env };
  };

  beforeAll(() => {
    const held = CLUSTER[label];
    if (!held) throw new Error(`say in CLUSTER what the cluster holds for ${label}`);
    objects = chartPods.renderChart(args);
    cluster = [...objects, ...held];
    const file = args[1];
    values = mergeValues(
      parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Values,
      file ? (parse(readFileSync(file, 'utf8')) as Values) : {},
    );
    dir = mkdtempSync(join(tmpdir(), 'sb-chart-'));
    for (const pod of chartPods.podsOf(objects)) {
      for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers])
        resolved.set(`${pod.name}/${container.name}`, resolve(pod, container));
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const main = (svc: ServiceName): Resolved => {
    const found = resolved.get(`sb-switchboard-${svc}/${svc}`);
    if (!found) throw new Error(`no Deployment sb-switchboard-${svc}`);
    return found;
  };

  it('passes helm lint --strict', () => {
    expect(helm(['lint', CHART, '--strict', ...args])).toMatch(/0 chart\(s\) failed/);
  });

  it.each(SERVICES)(
    "gives %s an environment that the service's own validation accepts",
    async (svc) => {
      const { env } = main(svc);
      const schema = await schemaOf(svc);
      expect(() => loadConfig(svc, schema, env)).not.toThrow();
      const unknown = Object.keys(env).filter((k) => !(k in schema.shape) && !RUNTIME_ENV.has(k));
      expect({ svc, unknown }).toEqual({ svc, unknown: [] });
    },
  );

  it.each(SERVICES)('passes every setting the values give to %s', (svc) => {
    const { raw: env } = main(svc);
    const services = values['services'] as Record<string, { config?: Values }>;
    const given = { ...(values['config'] as Values), ...services[CHART_KEY[svc]]?.config };
    for (const [key, value] of Object.entries(given)) {
      if (value === '' || value === null) continue;
      const got = env[key];
      if (isMap(value) || Array.isArray(value))
        expect({ key, value: JSON.parse(got ?? 'null') as unknown }).toEqual({ key, value });
      else expect({ key, value: got }).toEqual({ key, value: asEnv(value) });
    }
  });

  it.each(SERVICES)('gives %s its secrets only from a Secret, never from a ConfigMap', (svc) => {
    const { container } = main(svc);
    const secretNames = (container.env ?? [])
      .filter((e) => isSecretKey(e.name) || CREDENTIAL_URLS.has(e.name))
      .map((e) => ({ name: e.name, from: e.valueFrom?.secretKeyRef ? 'Secret' : 'elsewhere' }));
    expect(secretNames.every((s) => s.from === 'Secret')).toBe(true);
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
      const keys = Object.keys((cm as { data?: Values }).data ?? {}).filter(
        (k) => /^[A-Z][A-Z0-9_]*$/.test(k) && !k.endsWith('_FILE'),
      );
      const leaked = keys.filter((k) => isSecretKey(k) || CREDENTIAL_URLS.has(k));
      expect({ configMap: cm.metadata.name, leaked }).toEqual({
        configMap: cm.metadata.name,
        leaked: [],
      });
    }
  });

  it('keeps the audit replicas from writing task logs, as the values say', async () => {
    const config = loadConfig('audit', await schemaOf('audit'), main('audit').env);
    expect(config.TASK_LOGS_ENABLED).toBe(false);
  });

  it('migrates each database before its service starts, with the same DATABASE_URL', () => {
    for (const svc of ['orchestrator', 'mcp-tools', 'audit'] as const) {
      const migrate = resolved.get(`sb-switchboard-${svc}/migrate`);
      expect({ svc, migrates: Boolean(migrate) }).toEqual({ svc, migrates: true });
      expect(migrate?.env['DATABASE_URL']).toBe(main(svc).env['DATABASE_URL']);
      expect(migrate?.container.command?.slice(-1)).toEqual([svc]);
    }
  });

  it('gives the helm test pod a way to authenticate as the gateway expects', () => {
    const test = resolved.get('sb-switchboard-test-demo/demo');
    expect(test).toBeDefined();
    const env = test?.env ?? {};
    expect(env['SB_TEST_GATEWAY_URL']).toBe('http://sb-switchboard-gateway:3000');
    const mode = env['AUTH_MODE'] ?? 'jwt';
    const credential =
      mode === 'dev' ||
      (mode === 'trusted-headers' && Boolean(env['TRUSTED_PROXY_SECRET'])) ||
      Boolean(env['JWT_SECRET'] ?? env['SB_TEST_TOKEN']);
    expect({ mode, credential }).toEqual({ mode, credential: true });
  });
});
