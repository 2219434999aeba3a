// The Helm chart: helm lint and helm template pass (default values, external dependencies, an existing
// Secret), every rendered object validates against the Kubernetes schemas (kubernetes-models), and
// every setting of every service is wired through its ConfigMap or the Secret.
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  CHART,
  COMMON_ENV,
  EXTERNAL_VALUES,
  helm,
  type K8sObject,
  PORTS,
  renderChart,
  SECRET_ENV,
  SERVICE_ENV,
  SERVICES,
  type ServiceName,
} from './support/deploy.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  envFrom?: unknown[];
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  containers: Container[];
}
type Workload = K8sObject & { spec: { template: { spec: PodSpec } } };

type ModelClass = new (data: unknown) => { validate(): void };

/** Builds each object with its kubernetes-models class and validates it against the schema. */
async function validateAll(objects: K8sObject[]): Promise<void> {
  for (const obj of objects) {
    const mod = (await import(`kubernetes-models/${obj.apiVersion}`)) as Record<
      string,
      ModelClass | undefined
    >;
    const Model = mod[obj.kind];
    if (!Model) throw new Error(`no kubernetes-models class for ${obj.apiVersion} ${obj.kind}`);
    try {
      new Model(obj).validate();
    } catch (err) {
      throw new Error(`${obj.kind}/${obj.metadata.name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const deployment = (objects: K8sObject[], svc: ServiceName) =>
  find(objects, 'Deployment', `sb-switchboard-${svc}`) as Workload | undefined;
const container = (objects: K8sObject[], svc: ServiceName): Container => {
  const c = deployment(objects, svc)?.spec.template.spec.containers[0];
  if (!c) throw new Error(`no Deployment/container for ${svc}`);
  return c;
};
const data = (obj: K8sObject | undefined) =>
  (obj as { data?: Record<string, string> } | undefined)?.data ?? {};

describe('k8s/switchboard chart', () => {
  it('passes helm lint with default values', () => {
    expect(helm(['lint', CHART, '--strict'])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('passes helm lint with external dependencies', () => {
    expect(helm(['lint', CHART, '--strict', '-f', EXTERNAL_VALUES])).toMatch(/0 chart\(s\) failed/);
  });

  it('refuses to render external dependencies without their addresses', () => {
    expect(() => renderChart(['--set', 'nats.bundled=false'])).toThrow(/nats.servers is required/);
    expect(() => renderChart(['--set', 'redis.bundled=false'])).toThrow(/redis.url/);
    expect(() => renderChart(['--set', 'postgresql.bundled=false'])).toThrow(/postgresql.host/);
  });

  describe.each([
    ['default values', [] as string[]],
    ['external dependencies', ['-f', EXTERNAL_VALUES]],
    ['an existing Secret', ['--set', 'secrets.existingSecret=my-secrets']],
  ])('rendered with %s', (_label, args) => {
    let objects: K8sObject[] = [];
    beforeAll(() => {
      objects = renderChart(args);
    });

    it('validates against the Kubernetes schemas', async () => {
      expect(objects.length).toBeGreaterThan(20);
      await validateAll(objects);
    });

    it.each(SERVICES)(
      'has a Deployment, Service, PodDisruptionBudget and ConfigMap for %s',
      (svc) => {
        const name = `sb-switchboard-${svc}`;
        for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'ConfigMap']) {
          expect(find(objects, kind, name)).toBeDefined();
        }
        const service = find(objects, 'Service', name) as K8sObject & {
          spec: { ports: Array<{ port: number }> };
        };
        expect(service.spec.ports[0]?.port).toBe(PORTS[svc]);
      },
    );

    it.each(SERVICES)(
      'probes %s on /health (liveness) and /readiness, with resources and no privileges',
      (svc) => {
        const c = container(objects, svc);
        expect(c.livenessProbe?.httpGet?.path).toBe('/health');
        expect(c.readinessProbe?.httpGet?.path).toBe('/readiness');
        expect(c.ports?.[0]?.containerPort).toBe(PORTS[svc]);
        expect(c.resources?.requests?.['cpu']).toBeDefined();
        expect(c.resources?.requests?.['memory']).toBeDefined();
        expect(c.resources?.limits?.['memory']).toBeDefined();
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
      },
    );

    it.each(SERVICES)('wires every setting of %s, secrets only from the Secret', (svc) => {
      const secretName = args.includes('secrets.existingSecret=my-secrets')
        ? 'my-secrets'
        : 'sb-switchboard';
      const env = new Map((container(objects, svc).env ?? []).map((e) => [e.name, e]));
      expect(env.size).toBe((container(objects, svc).env ?? []).length); // no duplicates
      for (const name of [...COMMON_ENV, ...SERVICE_ENV[svc]]) {
        const e = env.get(name);
        expect({ name, wired: Boolean(e) }).toEqual({ name, wired: true });
        if (SECRET_ENV.has(name)) {
          expect({ name, secret: e?.valueFrom?.secretKeyRef?.name }).toEqual({
            name,
            secret: secretName,
          });
        } else if (e?.valueFrom?.configMapKeyRef) {
          expect(e.valueFrom.configMapKeyRef.name).toBe(`sb-switchboard-${svc}`);
          expect(e.valueFrom.configMapKeyRef.key).toBe(name);
        } else {
          expect({
            name,
            literalOrField: e?.value !== undefined || Boolean(e?.valueFrom?.fieldRef),
          }).toEqual({
            name,
            literalOrField: true,
          });
        }
      }
    });

    it('keeps secrets out of every ConfigMap', () => {
      for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
        for (const key of Object.keys(data(cm))) expect(SECRET_ENV.has(key)).toBe(false);
      }
    });

    it('runs the three migrations in a hook Job from the Secret', () => {
      const job = find(objects, 'Job', 'sb-switchboard-migrate') as Workload | undefined;
      expect(job?.metadata.annotations?.['helm.sh/hook']).toMatch(/pre-upgrade/);
      expect(job?.metadata.annotations?.['helm.sh/hook']).toMatch(/pre-install|post-install/);
      const c = job?.spec.template.spec.containers[0];
      expect(c?.image).toMatch(/\/migrate:/);
      expect(
        (c?.env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef)
          .map((e) => e.name)
          .sort(),
      ).toEqual(['AUDIT_DATABASE_URL', 'MCP_TOOLS_DATABASE_URL', 'ORCHESTRATOR_DATABASE_URL']);
    });

    it('opens the gateway and restricts everything else to the release', () => {
      const internal = find(objects, 'NetworkPolicy', 'sb-switchboard-internal') as
        (K8sObject & { spec: { ingress: Array<{ from?: unknown[] }> } }) | undefined;
      expect(internal?.spec.ingress).toHaveLength(1);
      expect(JSON.stringify(internal?.spec.ingress[0]?.from)).toContain(
        '"app.kubernetes.io/instance":"sb"',
      );
      const gw = find(objects, 'NetworkPolicy', 'sb-switchboard-gateway-ingress') as
        | (K8sObject & { spec: { podSelector: { matchLabels: Record<string, string> } } })
        | undefined;
      expect(gw?.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('gateway');
    });

    it('autoscales every service but the single-login xmpp-bridge', () => {
      const hpas = objects
        .filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((o) => o.metadata.name);
      expect(hpas.sort()).toEqual(
        SERVICES.filter((s) => s !== 'xmpp-bridge')
          .map((s) => `sb-switchboard-${s}`)
          .sort(),
      );
    });
  });

  describe('with default values (bundled dependencies)', () => {
    let objects: K8sObject[] = [];
    beforeAll(() => {
      objects = renderChart();
    });

    it('bundles NATS with JetStream, PostgreSQL, Redis and Prosody, and points the services at them', () => {
      for (const [kind, name] of [
        ['StatefulSet', 'nats'],
        ['StatefulSet', 'postgresql'],
        ['Deployment', 'redis'],
        ['Deployment', 'prosody'],
      ] as const) {
        expect(find(objects, kind, `sb-switchboard-${name}`)).toBeDefined();
      }
      const nats = find(objects, 'StatefulSet', 'sb-switchboard-nats') as Workload;
      expect(JSON.stringify(nats.spec.template.spec.containers[0])).toContain('"-js"');
      // 8 MB messages, as in infra/docker/nats.conf: the xmpp-bridge returns bodies inside replies.
      expect(JSON.stringify(nats.spec.template.spec.containers[0])).toContain(
        '"-c","/etc/nats/switchboard/nats.conf"',
      );
      expect(data(find(objects, 'ConfigMap', 'sb-switchboard-nats'))['nats.conf']).toMatch(
        /^max_payload: 8MB$/m,
      );
      expect(data(find(objects, 'ConfigMap', 'sb-switchboard-gateway'))['NATS_SERVERS']).toBe(
        'nats://sb-switchboard-nats:4222',
      );
      const bridge = data(find(objects, 'ConfigMap', 'sb-switchboard-xmpp-bridge'));
      expect(bridge['AZTM_HOST']).toBe('sb-switchboard-prosody');
      // Server mode would forward to this release's gateway, but nobody is allowed by default.
      expect(bridge['XMPP_BRIDGE_HTTP_TARGET']).toBe('http://sb-switchboard-gateway:3000');
      expect(bridge['XMPP_BRIDGE_ALLOWED_JIDS']).toBeUndefined();
      const secret = data(find(objects, 'Secret', 'sb-switchboard'));
      const url = Buffer.from(secret['ORCHESTRATOR_DATABASE_URL'] ?? '', 'base64').toString();
      expect(url).toMatch(
        /^postgresql:\/\/postgres:[A-Za-z0-9]+@sb-switchboard-postgresql:5432\/sb_orchestrator$/,
      );
      expect(Buffer.from(secret['REDIS_URL'] ?? '', 'base64').toString()).toBe(
        'redis://sb-switchboard-redis:6379',
      );
    });

    it('migrates after install (the bundled PostgreSQL must exist first)', () => {
      const job = find(objects, 'Job', 'sb-switchboard-migrate');
      expect(job?.metadata.annotations?.['helm.sh/hook']).toBe('post-install,pre-upgrade');
    });

    it('gives the bridge the CA of the bundled Prosody certificate', () => {
      const tls = data(find(objects, 'Secret', 'sb-switchboard-prosody-tls'));
      expect(Object.keys(tls).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
      const bridge = container(objects, 'xmpp-bridge');
      expect(bridge.env?.find((e) => e.name === 'NODE_EXTRA_CA_CERTS')?.value).toBe(
        '/etc/switchboard/xmpp-ca/ca.crt',
      );
    });
  });

  describe('with external dependencies', () => {
    let objects: K8sObject[] = [];
    beforeAll(() => {
      objects = renderChart(['-f', EXTERNAL_VALUES]);
    });

    it('renders no bundled dependency', () => {
      for (const name of ['nats', 'postgresql', 'redis', 'prosody']) {
        expect(objects.find((o) => o.metadata.name === `sb-switchboard-${name}`)).toBeUndefined();
      }
    });

    it('puts every configured setting into the ConfigMaps and the Secret', () => {
      const secret = find(objects, 'Secret', 'sb-switchboard');
      expect(secret?.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      for (const svc of SERVICES) {
        const cm = data(find(objects, 'ConfigMap', `sb-switchboard-${svc}`));
        for (const e of container(objects, svc).env ?? []) {
          const cmRef = e.valueFrom?.configMapKeyRef;
          if (cmRef)
            expect({ svc, key: cmRef.key, present: cmRef.key in cm }).toEqual({
              svc,
              key: cmRef.key,
              present: true,
            });
          const sRef = e.valueFrom?.secretKeyRef;
          if (sRef && sRef.key !== 'NATS_TOKEN') {
            expect({ key: sRef.key, present: sRef.key in data(secret) }).toEqual({
              key: sRef.key,
              present: true,
            });
          }
        }
      }
      const db = Buffer.from(data(secret)['MCP_TOOLS_DATABASE_URL'] ?? '', 'base64').toString();
      expect(db).toBe(
        'postgresql://switchboard:example-db-password@postgres.databases.svc.cluster.local:5432/sb_tools?sslmode=require',
      );
      expect(data(find(objects, 'ConfigMap', 'sb-switchboard-mcp-tools'))['TOOLS_FILE']).toBe(
        '/etc/switchboard/tools.json',
      );
    });

    it('runs migrations before install against the external database', () => {
      expect(
        find(objects, 'Job', 'sb-switchboard-migrate')?.metadata.annotations?.['helm.sh/hook'],
      ).toBe('pre-install,pre-upgrade');
    });

    it('exposes the gateway through the optional Ingress', () => {
      const ing = find(objects, 'Ingress', 'sb-switchboard-gateway');
      expect(JSON.stringify(ing)).toContain('"name":"sb-switchboard-gateway"');
    });
  });

  describe('with an existing Secret', () => {
    it('creates no Secret of its own and references the given one', () => {
      const objects = renderChart([
        '-f',
        EXTERNAL_VALUES,
        '--set',
        'secrets.existingSecret=my-secrets',
      ]);
      expect(objects.filter((o) => o.kind === 'Secret')).toHaveLength(0);
      const refs = (container(objects, 'orchestrator').env ?? [])
        .map((e) => e.valueFrom?.secretKeyRef?.name)
        .filter(Boolean);
      expect(new Set(refs)).toEqual(new Set(['my-secrets']));
    });
  });
});
