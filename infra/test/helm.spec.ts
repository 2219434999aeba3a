// The Helm chart's manifests: helm template renders objects that validate against the Kubernetes
// schemas (kubernetes-models) for the default values, every file in k8s/switchboard/ci/ and an existing
// Secret; the pods are hardened, probed, spread and stopped gracefully; migrations need no hook; config
// and secret changes roll exactly the pods they concern; values.schema.json refuses wrong values by
// name. What each pod's environment amounts to is checked in chart-config.spec.ts.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { TenantDirectory } from '@switchboard/config';
import { NATS_IDENTITIES, natsPasswordVariable } from '@switchboard/contracts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  CHART,
  CI_VALUES,
  type Container,
  EXTERNAL_VALUES,
  GITOPS_VALUES,
  helm,
  type K8sObject,
  PORTS,
  readText,
  renderChart,
  ROOT,
  SERVICES,
  type ServiceName,
  validateAll,
} from './support/deploy.js';

type EnvVar = import('../../tools/helm/pods.mjs').EnvVar;

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; [key: string]: unknown }>;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: Array<{ topologyKey: string; labelSelector: unknown }>;
}
type Workload = K8sObject & {
  spec: { template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec } };
};
const RULES_FILE = 'k8s/switchboard/files/prometheus-rules.yaml';
const DASHBOARD_FILE = 'k8s/switchboard/files/grafana-dashboard.json';

const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const deployment = (objects: K8sObject[], svc: ServiceName) => {
  const d = find(objects, 'Deployment', `sb-switchboard-${svc}`) as Workload | undefined;
  if (!d) throw new Error(`no Deployment for ${svc}`);
  return d;
};
const container = (objects: K8sObject[], svc: ServiceName): Container => {
  const c = deployment(objects, svc).spec.template.spec.containers[0];
  if (!c) throw new Error(`no container for ${svc}`);
  return c;
};
const data = (obj: K8sObject | undefined) =>
  (obj as { data?: Record<string, string> } | undefined)?.data ?? {};
const decoded = (obj: K8sObject | undefined, key: string) =>
  Buffer.from(data(obj)[key] ?? '', 'base64').toString();
const annotations = (objects: K8sObject[], svc: ServiceName) =>
  deployment(objects, svc).spec.template.metadata.annotations ?? {};
const renderError = (args: string[]): string => {
  try {
    renderChart(args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error(`rendering with ${args.join(' ')} succeeded`);
};

/** Every NATS identity's password, as --set arguments (what autoGenerate would make). */
const NATS_PASSWORDS = NATS_IDENTITIES.flatMap((i) => [
  '--set',
  `secrets.${natsPasswordVariable(i)}=Password-of-${i}-for-tests`,
]);

const CASES: Array<[string, string[]]> = [
  ['default values', []],
  ...CI_VALUES.map((f): [string, string[]] => [f, ['-f', join(CHART, 'ci', f)]]),
  ['an existing Secret', ['--set', 'secrets.existingSecret=my-secrets']],
];

describe('k8s/switchboard chart', () => {
  describe.each(CASES)('rendered with %s', (_label, args) => {
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
        for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'ConfigMap'])
          expect({ kind, found: Boolean(find(objects, kind, name)) }).toEqual({
            kind,
            found: true,
          });
        const service = find(objects, 'Service', name) as K8sObject & {
          spec: { ports: Array<{ port: number }> };
        };
        expect(service.spec.ports[0]?.port).toBe(PORTS[svc]);
      },
    );

    it.each(SERVICES)(
      'runs %s with its entry point, probed, with resources, no privileges, a graceful stop',
      (svc) => {
        const c = container(objects, svc) as Container & {
          livenessProbe?: { httpGet?: { path: string } };
          readinessProbe?: { httpGet?: { path: string } };
          resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
          securityContext?: {
            allowPrivilegeEscalation?: boolean;
            capabilities?: { drop?: string[] };
          };
          lifecycle?: { preStop?: { exec?: { command: string[] } } };
        };
        expect(c.command).toEqual(['node', `dist/apps/${svc}/src/main.js`]);
        expect(c.workingDir).toBe('/app');
        expect(c.livenessProbe?.httpGet?.path).toBe('/health');
        expect(c.readinessProbe?.httpGet?.path).toBe('/readiness');
        expect(c.ports?.[0]?.containerPort).toBe(PORTS[svc]);
        expect(c.resources?.requests?.['cpu']).toBeDefined();
        expect(c.resources?.limits?.['memory']).toBeDefined();
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
        expect(c.lifecycle?.preStop?.exec?.command).toEqual(['sleep', '5']);
        const grace = deployment(objects, svc).spec.template.spec.terminationGracePeriodSeconds;
        // the preStop pause and SHUTDOWN_GRACE_MS both fit
        expect(grace).toBeGreaterThanOrEqual(5 + 10);
      },
    );

    it.each(SERVICES)('spreads the replicas of %s over nodes and zones', (svc) => {
      const spread = deployment(objects, svc).spec.template.spec.topologySpreadConstraints ?? [];
      expect(spread.map((s) => s.topologyKey)).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
      expect(JSON.stringify(spread[0]?.labelSelector)).toContain(
        `"app.kubernetes.io/component":"${svc}"`,
      );
    });

    it('migrates in init containers, so nothing waits for a hook (helm --wait, Argo CD, Flux)', () => {
      const hooks = objects.filter((o) => o.metadata.annotations?.['helm.sh/hook']);
      expect(hooks.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        'Pod/sb-switchboard-test-demo',
      ]);
      expect(objects.filter((o) => o.kind === 'Job')).toEqual([]);
      for (const svc of SERVICES) {
        const init = deployment(objects, svc).spec.template.spec.initContainers ?? [];
        const expected = ['orchestrator', 'mcp-tools', 'audit'].includes(svc) ? ['migrate'] : [];
        expect({ svc, init: init.map((c) => c.name) }).toEqual({ svc, init: expected });
        if (init[0]) expect(init[0].image).toMatch(/\/migrate:/);
      }
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
      const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
      expect(hpas.map((o) => o.metadata.name).sort()).toEqual(
        SERVICES.filter((s) => s !== 'xmpp-bridge')
          .map((s) => `sb-switchboard-${s}`)
          .sort(),
      );
    });

    it('has a helm test pod that runs the demo task through the gateway', () => {
      const test = find(objects, 'Pod', 'sb-switchboard-test-demo') as
        (K8sObject & { spec: PodSpec }) | undefined;
      expect(test?.metadata.annotations?.['helm.sh/hook']).toBe('test');
      expect(test?.spec.containers[0]?.command).toEqual([
        'node',
        '/etc/switchboard/scripts/demo-task.mjs',
      ]);
      expect(data(find(objects, 'ConfigMap', 'sb-switchboard-scripts'))['demo-task.mjs']).toContain(
        '/orchestrate',
      );
    });
  });

  describe('with default values (bundled dependencies)', () => {
    let objects: K8sObject[] = [];
    beforeAll(() => {
      objects = renderChart();
    });

    it('bundles NATS with JetStream, PostgreSQL, Redis and Prosody on pinned images', () => {
      const images: Record<string, string> = {};
      for (const [kind, name] of [
        ['StatefulSet', 'nats'],
        ['StatefulSet', 'postgresql'],
        ['StatefulSet', 'redis'],
        ['Deployment', 'prosody'],
      ] as const) {
        const w = find(objects, kind, `sb-switchboard-${name}`) as Workload | undefined;
        images[name] = w?.spec.template.spec.containers[0]?.image ?? 'missing';
      }
      expect(images).toEqual({
        nats: 'nats:2.10.27-alpine', // infra/nats-server.env's version (nats-version.spec.ts)
        postgresql: 'postgres:15.10-alpine',
        redis: 'redis:7.4.1-alpine',
        prosody: 'ghcr.io/switchboard-platform/prosody:0.1.0',
      });
      const nats = find(objects, 'StatefulSet', 'sb-switchboard-nats') as Workload;
      expect(nats.spec.template.spec.containers[0]?.['args']).toEqual(
        expect.arrayContaining(['-js', '-c', '/etc/nats/switchboard/nats.conf']),
      );
      // 8 MB messages, as in infra/docker/nats.conf: the xmpp-bridge returns bodies inside replies.
      expect(data(find(objects, 'ConfigMap', 'sb-switchboard-nats'))['nats.conf']).toMatch(
        /^max_payload: 8MB$/m,
      );
    });

    it('gives each service its own NATS identity, and the bundled NATS a user for each', () => {
      const secret = find(objects, 'Secret', 'sb-switchboard');
      const nats = find(objects, 'StatefulSet', 'sb-switchboard-nats') as Workload;
      const natsEnv = (nats.spec.template.spec.containers[0]?.env ?? []) as EnvVar[];
      const conf = data(find(objects, 'ConfigMap', 'sb-switchboard-nats'))['nats.conf'] ?? '';
      expect(conf).toContain(readText('k8s/switchboard/files/nats-identities.conf'));
      for (const identity of NATS_IDENTITIES) {
        const key = natsPasswordVariable(identity);
        // generated, kept in the Secret, and readable by NATS as a password (a letter first)
        expect({ key, value: decoded(secret, key) }).toEqual({
          key,
          value: expect.stringMatching(/^[A-Za-z][A-Za-z0-9]{31}$/),
        });
        expect(conf).toContain(`user: "${identity}"\n      password: $${key}\n`);
        expect(natsEnv.find((e) => e.name === key)?.valueFrom?.secretKeyRef).toEqual({
          name: 'sb-switchboard',
          key,
        });
      }
      for (const svc of SERVICES) {
        expect(data(find(objects, 'ConfigMap', `sb-switchboard-${svc}`))['NATS_USER']).toBe(svc);
        const env = (container(objects, svc).env ?? []) as EnvVar[];
        const nats = env.filter((e) => e.name.startsWith('NATS_'));
        expect({ svc, nats }).toEqual({
          svc,
          nats: [
            {
              name: 'NATS_PASSWORD',
              valueFrom: {
                secretKeyRef: { name: 'sb-switchboard', key: natsPasswordVariable(svc) },
              },
            },
          ],
        });
      }
    });

    it.each([
      ['2.9', '/usr/sbin/nats-server'],
      ['2.10', join(ROOT, 'tools/bin/nats-server/nats-server')],
    ])('renders a bundled NATS configuration that nats-server %s loads', (_version, binary) => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-chart-nats-'));
      try {
        const file = join(dir, 'nats.conf');
        writeFileSync(
          file,
          data(find(objects, 'ConfigMap', 'sb-switchboard-nats'))['nats.conf'] ?? '',
        );
        const secret = find(objects, 'Secret', 'sb-switchboard');
        const env = Object.fromEntries(
          NATS_IDENTITIES.map((i) => [
            natsPasswordVariable(i),
            decoded(secret, natsPasswordVariable(i)),
          ]),
        );
        const r = spawnSync(binary, ['-t', '-c', file], { env, encoding: 'utf8' });
        expect({
          code: r.status,
          error: r.stderr.match(/.*(error|can not|could not).*/i)?.[0],
        }).toEqual({
          code: 0,
          error: undefined,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('points the services at the bundled dependencies', () => {
      expect(data(find(objects, 'ConfigMap', 'sb-switchboard-gateway'))['NATS_SERVERS']).toBe(
        'nats://sb-switchboard-nats:4222',
      );
      const bridge = data(find(objects, 'ConfigMap', 'sb-switchboard-xmpp-bridge'));
      expect(bridge['AZTM_HOST']).toBe('sb-switchboard-prosody');
      // Server mode would forward to this release's gateway, but nobody is allowed by default.
      expect(bridge['XMPP_BRIDGE_HTTP_TARGET']).toBe('http://sb-switchboard-gateway:3000');
      expect(bridge['XMPP_BRIDGE_ALLOWED_JIDS']).toBeUndefined();
      const secret = find(objects, 'Secret', 'sb-switchboard');
      expect(decoded(secret, 'ORCHESTRATOR_DATABASE_URL')).toMatch(
        /^postgresql:\/\/postgres:[A-Za-z0-9]{32}@sb-switchboard-postgresql:5432\/sb_orchestrator$/,
      );
      expect(decoded(secret, 'REDIS_URL')).toBe('redis://sb-switchboard-redis:6379');
    });

    it('generates what the release needs, and keeps the Secret holding it past an uninstall', () => {
      const secret = find(objects, 'Secret', 'sb-switchboard');
      expect(decoded(secret, 'JWT_SECRET')).toMatch(/^[A-Za-z0-9]{48}$/);
      expect(decoded(secret, 'AZTM_PASSWORD')).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(decoded(secret, 'POSTGRES_PASSWORD')).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(secret?.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
      const tls = data(find(objects, 'Secret', 'sb-switchboard-prosody-tls'));
      expect(Object.keys(tls).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    });

    it("offers the dashboard to Grafana's sidecar, and no PrometheusRule unless asked (it needs the operator's CRD)", () => {
      const dashboard = find(objects, 'ConfigMap', 'sb-switchboard-grafana-dashboard');
      expect(dashboard?.metadata.labels?.['grafana_dashboard']).toBe('1');
      expect(JSON.parse(data(dashboard)['switchboard.json'] ?? '')).toMatchObject({
        uid: 'switchboard-overview',
      });
      expect(objects.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    });

    it('gives the bridge the CA of the bundled Prosody certificate', () => {
      const env = container(objects, 'xmpp-bridge').env ?? [];
      expect(env.find((e) => e.name === 'XMPP_BRIDGE_CA_FILE')?.value).toBe(
        '/etc/switchboard/xmpp-ca/ca.crt',
      );
      const volumes = deployment(objects, 'xmpp-bridge').spec.template.spec.volumes ?? [];
      expect(JSON.stringify(volumes)).toContain('"secretName":"sb-switchboard-prosody-tls"');
    });
  });

  describe('with external dependencies (production-shaped values)', () => {
    let objects: K8sObject[] = [];
    beforeAll(() => {
      objects = renderChart(['-f', EXTERNAL_VALUES]);
    });

    it('renders no bundled dependency and generates nothing', () => {
      for (const name of ['nats', 'postgresql', 'redis', 'prosody'])
        expect(objects.find((o) => o.metadata.name === `sb-switchboard-${name}`)).toBeUndefined();
      const secret = find(objects, 'Secret', 'sb-switchboard');
      expect(secret?.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
      expect(decoded(secret, 'MCP_TOOLS_DATABASE_URL')).toBe(
        'postgresql://switchboard:example-db-password@postgres.databases.svc.cluster.local:5432/sb_tools?sslmode=require',
      );
    });

    it('pins the images given by digest', () => {
      expect(container(objects, 'gateway').image).toBe(
        'registry.example.com/switchboard/gateway:0.1.0@sha256:0000000000000000000000000000000000000000000000000000000000000001',
      );
      expect(container(objects, 'a2a').image).toBe('registry.example.com/switchboard/a2a:0.1.0');
      expect(deployment(objects, 'audit').spec.template.spec.initContainers?.[0]?.image).toMatch(
        /\/migrate:0\.1\.0@sha256:0+2$/,
      );
    });

    it('mounts extraVolumes into every service pod', () => {
      for (const svc of SERVICES) {
        const mounts = container(objects, svc).volumeMounts ?? [];
        expect(mounts.find((m) => m.name === 'private-ca')?.mountPath).toBe(
          '/etc/ssl/switchboard-ca',
        );
        const volumes = deployment(objects, svc).spec.template.spec.volumes ?? [];
        expect(volumes.find((v) => v.name === 'private-ca')).toEqual({
          name: 'private-ca',
          configMap: { name: 'corporate-ca' },
        });
      }
    });

    it('lets Prometheus scrape every service: a ServiceMonitor each, and the NetworkPolicy allows it', () => {
      for (const svc of SERVICES) {
        const sm = find(objects, 'ServiceMonitor', `sb-switchboard-${svc}`) as
          | (K8sObject & {
              spec: { selector: { matchLabels: Record<string, string> }; endpoints: unknown[] };
            })
          | undefined;
        expect(sm?.metadata.labels?.['release']).toBe('kube-prometheus-stack');
        expect(sm?.spec.endpoints).toEqual([
          {
            port: 'http',
            path: '/metrics',
            interval: '30s',
            scrapeTimeout: '10s',
            honorLabels: true,
          },
        ]);
        const service = find(objects, 'Service', `sb-switchboard-${svc}`);
        for (const [k, v] of Object.entries(sm?.spec.selector.matchLabels ?? {}))
          expect(service?.metadata.labels?.[k]).toBe(v);
      }
      const metrics = find(objects, 'NetworkPolicy', 'sb-switchboard-metrics') as
        | (K8sObject & { spec: { podSelector: unknown; ingress: Array<{ from: unknown[] }> } })
        | undefined;
      expect(JSON.stringify(metrics?.spec.ingress[0]?.from)).toContain('monitoring');
      expect(JSON.stringify(metrics?.spec.podSelector)).toContain('"xmpp-bridge"');
    });

    it("ships the alert rules as a PrometheusRule and the dashboard as a ConfigMap for Grafana's sidecar", () => {
      const rule = find(objects, 'PrometheusRule', 'sb-switchboard-alerts') as
        (K8sObject & { spec: unknown }) | undefined;
      expect(rule?.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(rule?.metadata.labels?.['release']).toBe('kube-prometheus-stack');
      // The file's rules as they are, their {{ $labels… }} templates untouched by Helm.
      expect(rule?.spec).toEqual(parseYaml(readText(RULES_FILE)));
      const dashboard = find(objects, 'ConfigMap', 'sb-switchboard-grafana-dashboard');
      expect(dashboard?.metadata.labels?.['grafana_dashboard']).toBe('1');
      expect(dashboard?.metadata.annotations?.['grafana_folder']).toBe('Switchboard');
      expect(JSON.parse(data(dashboard)['switchboard.json'] ?? '')).toEqual(
        JSON.parse(readText(DASHBOARD_FILE)),
      );
    });

    it('exposes the gateway through the optional Ingress', () => {
      const ing = find(objects, 'Ingress', 'sb-switchboard-gateway');
      expect(JSON.stringify(ing)).toContain('"name":"sb-switchboard-gateway"');
    });
  });

  describe('secrets', () => {
    it('with an existing Secret, creates none and reads every secret setting from it', () => {
      const objects = renderChart([
        '-f',
        EXTERNAL_VALUES,
        '--set',
        'secrets.existingSecret=my-secrets',
      ]);
      expect(objects.filter((o) => o.kind === 'Secret')).toHaveLength(0);
      for (const svc of SERVICES) {
        const refs = (container(objects, svc).env ?? [])
          .map((e) => e.valueFrom?.secretKeyRef?.name)
          .filter(Boolean);
        expect(new Set(refs)).toEqual(new Set(['my-secrets']));
      }
    });

    it('renders GitOps values the same way every time (nothing random, no cluster lookups)', () => {
      expect(helm(['template', 'sb', CHART, '-f', GITOPS_VALUES])).toBe(
        helm(['template', 'sb', CHART, '-f', GITOPS_VALUES]),
      );
    });

    it('with autoGenerate off, names each secret it would have generated', () => {
      const off = ['--set', 'secrets.autoGenerate=false'];
      expect(renderError(off)).toMatch(/POSTGRES_PASSWORD is needed .*postgresql\.password/);
      const pgAndXmpp = [
        ...off,
        '--set',
        'postgresql.password=pw',
        '--set',
        'secrets.AZTM_PASSWORD=xmpp-pw',
      ];
      expect(renderError(pgAndXmpp)).toMatch(
        /NATS_PASSWORD_A2A is needed .*secrets\.NATS_PASSWORD_A2A/,
      );
      expect(renderError([...pgAndXmpp, ...NATS_PASSWORDS])).toMatch(
        /JWT_SECRET is needed .*secrets\.JWT_SECRET or services\.gateway\.config\.JWT_JWKS_URL/,
      );
      expect(
        renderError([
          ...off,
          '--set',
          'postgresql.password=pw',
          '--set',
          'secrets.AZTM_PASSWORD=xmpp-pw',
          '--set',
          'secrets.JWT_SECRET=0123456789abcdef0123456789abcdef',
          ...NATS_PASSWORDS,
        ]),
      ).toMatch(/bundled Prosody needs a certificate .*xmpp\.prosody\.tlsSecret/);
    });

    it('refuses external dependencies without their addresses', () => {
      expect(renderError(['--set', 'nats.bundled=false'])).toMatch(/nats.servers is required/);
      // each service's NATS user is yours to create on an external NATS: its password is needed
      expect(
        renderError(['--set', 'nats.bundled=false', '--set', 'nats.servers=nats://nats:4222']),
      ).toMatch(
        /secrets\.NATS_PASSWORD_A2A \(the NATS password of the a2a user on your NATS\) is required/,
      );
      expect(renderError(['--set', 'redis.bundled=false'])).toMatch(/redis.url/);
      expect(renderError(['--set', 'postgresql.bundled=false'])).toMatch(/postgresql.host/);
      expect(renderError(['--set', 'xmpp.bundled=false', '--set', 'xmpp.host=x.example'])).toMatch(
        /secrets.AZTM_PASSWORD .* is required/,
      );
    });
  });

  describe('rolling the pods', () => {
    const checksums = (args: string[]) => {
      const objects = renderChart(['-f', GITOPS_VALUES, ...args]);
      return Object.fromEntries(SERVICES.map((s) => [s, annotations(objects, s)]));
    };
    const changed = (
      a: ReturnType<typeof checksums>,
      b: ReturnType<typeof checksums>,
      key: string,
    ) => SERVICES.filter((s) => a[s]?.[key] !== b[s]?.[key]);

    it('rolls every service when a setting of all changes, one service when its own does', () => {
      const base = checksums([]);
      expect(
        changed(base, checksums(['--set', 'config.LOG_LEVEL=debug']), 'checksum/config'),
      ).toEqual([...SERVICES]);
      expect(
        changed(
          base,
          checksums(['--set', 'services.audit.config.TASK_LOG_RETENTION_DAYS=7']),
          'checksum/config',
        ),
      ).toEqual(['audit']);
    });

    it('rolls the pods that read a secret when it changes, and only those', () => {
      // the chart's own Secret, every value given (GitOps: nothing generated)
      const own = [
        '--set',
        'secrets.existingSecret=',
        '--set',
        'postgresql.password=pw',
        ...NATS_PASSWORDS,
      ];
      const rotated = (...set: string[]) =>
        checksums([
          ...own,
          '--set',
          'secrets.AZTM_PASSWORD=xmpp-pw',
          ...set.flatMap((x) => ['--set', x]),
        ]);
      const base = rotated();
      expect(changed(base, rotated('secrets.OPENAI_API_KEY=sk-new'), 'checksum/secrets')).toEqual([
        'orchestrator',
      ]);
      // each service's own NATS identity: its password rolls it alone (and the bundled NATS)
      expect(
        changed(
          base,
          rotated('secrets.NATS_PASSWORD_AUDIT=Rotated-audit-password'),
          'checksum/secrets',
        ),
      ).toEqual(['audit']);
      // one shared NATS user (nats.identities off): its password rolls every service
      const shared = (...set: string[]) => rotated('nats.identities=false', 'nats.user=sb', ...set);
      expect(
        changed(
          shared('secrets.NATS_PASSWORD=a'),
          shared('secrets.NATS_PASSWORD=b'),
          'checksum/secrets',
        ),
      ).toEqual([...SERVICES]);
      expect(changed(base, rotated('postgresql.password=new'), 'checksum/secrets')).toEqual([
        'orchestrator',
        'mcp-tools',
        'audit',
      ]);
      expect(changed(base, rotated('secrets.AZTM_PASSWORD=new'), 'checksum/secrets')).toEqual([
        'xmpp-bridge',
      ]);
    });
  });

  describe('values.schema.json', () => {
    it.each([
      [
        'a secret among the settings',
        'services.gateway.config.JWT_SECRET=x',
        /\/services\/gateway\/config.*'JWT_SECRET' not allowed/,
      ],
      ['a short JWT secret', 'secrets.JWT_SECRET=short', /\/secrets\/JWT_SECRET.*minLength/],
      [
        'an unknown setting',
        'services.orchestrator.config.MAX_ITERATONS=3',
        /'MAX_ITERATONS' not allowed/,
      ],
      [
        'a value out of range',
        'services.orchestrator.config.MAX_ITERATIONS_PER_TURN=500',
        /MAX_ITERATIONS_PER_TURN.*maximum: got 500, want 100/s,
      ],
      ['a word that is not a boolean', 'config.LOG_PRETTY=maybe', /\/config\/LOG_PRETTY/],
      [
        'a setting the chart owns',
        'config.NATS_SERVERS=nats://x:4222',
        /'NATS_SERVERS' not allowed/,
      ],
      [
        'an agent without a name',
        'services.a2a.config.A2A_AGENTS[0]=https://x.example',
        /A2A_AGENTS\/0': got string, want object/,
      ],
      [
        'an image digest that is not one',
        'image.digests.gateway=latest',
        /\/image\/digests\/gateway/,
      ],
      [
        'a NATS password the server would not read as one',
        'secrets.NATS_PASSWORD_GATEWAY=12345678901234567',
        /\/secrets\/NATS_PASSWORD_GATEWAY/,
      ],
    ])('refuses %s, naming it', (_what, set, message) => {
      expect(renderError(['--set', set])).toMatch(message);
    });

    it('refuses AUTH_MODE=dev in production, naming the value to change', () => {
      expect(renderError(['--set', 'services.gateway.config.AUTH_MODE=dev'])).toMatch(
        /services\.gateway\.config\.AUTH_MODE=dev .* refused with NODE_ENV=production/,
      );
    });

    it('refuses JetStream settings the services would disagree on, or the bundled NATS cannot hold', () => {
      expect(renderError(['--set', 'services.audit.config.JETSTREAM_MAX_AGE=90d'])).toMatch(
        /services\.audit\.config\.JETSTREAM_MAX_AGE: every service sets up the JetStream streams/,
      );
      expect(
        renderError(['--set', 'services.gateway.config.JETSTREAM_TASKS_PER_DAY=5000']),
      ).toMatch(
        /services\.gateway\.config\.JETSTREAM_TASKS_PER_DAY: every service sets up the JetStream streams/,
      );
      expect(renderError(['--set', 'config.JETSTREAM_REPLICAS=3'])).toMatch(
        /config\.JETSTREAM_REPLICAS=3 needs a NATS cluster of 3 or more JetStream servers and the bundled NATS is one/,
      );
      expect(renderError(['--set', 'config.JETSTREAM_MAX_BYTES.SB_AUDITS=4GiB'])).toMatch(
        /JETSTREAM_MAX_BYTES.*'SB_AUDITS' not allowed/,
      );
    });

    it('gives every service the same JetStream stream settings, R3 on an external cluster', () => {
      const objects = renderChart(['-f', EXTERNAL_VALUES]);
      for (const name of ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit', 'xmpp-bridge']) {
        const settings = data(find(objects, 'ConfigMap', `sb-switchboard-${name}`));
        expect(settings['JETSTREAM_REPLICAS']).toBe('3');
        expect(JSON.parse(settings['JETSTREAM_MAX_BYTES'] ?? '')).toEqual({
          default: '1GiB',
          SB_AUDIT: '4GiB',
        });
        expect(settings['JETSTREAM_MAX_AGE']).toBe('{"SB_AUDIT":"60d"}');
      }
    });

    it('takes structured values for the settings that parse JSON', () => {
      const objects = renderChart(['-f', EXTERNAL_VALUES]);
      const a2a = data(find(objects, 'ConfigMap', 'sb-switchboard-a2a'));
      expect(JSON.parse(a2a['A2A_AGENTS'] ?? '')).toEqual([
        { name: 'researcher', url: 'https://researcher.agents.example.com' },
      ]);
      expect(a2a['A2A_AGENT_POLICY']).toBe('{"admin":["*"],"user":["researcher"]}');
      const orchestrator = data(find(objects, 'ConfigMap', 'sb-switchboard-orchestrator'));
      expect(orchestrator['LLM_TEMPERATURE']).toBe('0.2');
      expect(
        data(find(objects, 'ConfigMap', 'sb-switchboard-xmpp-bridge'))[
          'XMPP_BRIDGE_MAX_BODY_BYTES'
        ],
      ).toBe('4194304');
    });
  });

  describe('tenants', () => {
    const values = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-chart-tenants-'));
      const path = join(dir, 'tenants.yaml');
      writeFileSync(
        path,
        [
          'tenants:',
          '  settings:',
          '    acme:',
          '      tools: { providers: [math, notes] }',
          '      agents: [researcher]',
          '      guardrails: { disallowedKeywords: [merger] }',
          '      credentials: { platform: false }',
          '    globex: {}',
          '  credentialSecrets:',
          '    acme: acme-tool-credentials',
          '    Globex_2: globex-tool-credentials',
        ].join('\n'),
      );
      return path;
    };

    it("mounts the tenants file into the orchestrator, mcp-tools and a2a, and each tenant's Secret into mcp-tools only", async () => {
      const objects = renderChart(['-f', values()]);
      await validateAll(objects);
      const file = data(find(objects, 'ConfigMap', 'sb-switchboard-tenants-file'))['tenants.yaml'];
      const loaded = TenantDirectory.load(
        (() => {
          const path = join(mkdtempSync(join(tmpdir(), 'sb-chart-tenants-')), 'tenants.yaml');
          writeFileSync(path, file ?? '');
          return path;
        })(),
      );
      expect(loaded.settingsOf('acme')).toMatchObject({
        agents: ['researcher'],
        credentials: { platform: false },
      });
      for (const svc of SERVICES) {
        const settings = data(find(objects, 'ConfigMap', `sb-switchboard-${svc}`));
        const mounts = (container(objects, svc).volumeMounts ?? []) as Array<{ mountPath: string }>;
        const reads = ['orchestrator', 'mcp-tools', 'a2a'].includes(svc);
        expect([svc, settings['TENANTS_FILE']]).toEqual([
          svc,
          reads ? '/etc/switchboard/tenants/tenants.yaml' : undefined,
        ]);
        expect([svc, mounts.some((m) => m.mountPath === '/etc/switchboard/tenants')]).toEqual([
          svc,
          reads,
        ]);
        const secrets = mounts
          .map((m) => m.mountPath)
          .filter((p) => p.startsWith('/etc/switchboard/tenant-credentials/'))
          .sort();
        expect([svc, secrets]).toEqual([
          svc,
          svc === 'mcp-tools'
            ? [
                '/etc/switchboard/tenant-credentials/Globex_2',
                '/etc/switchboard/tenant-credentials/acme',
              ]
            : [],
        ]);
        expect([svc, settings['TENANT_CREDENTIALS_DIR']]).toEqual([
          svc,
          svc === 'mcp-tools' ? '/etc/switchboard/tenant-credentials' : undefined,
        ]);
      }
      const volumes = deployment(objects, 'mcp-tools').spec.template.spec.volumes ?? [];
      expect(
        volumes.filter((v) => v.name.startsWith('tenant-credentials-')).map((v) => v['secret']),
      ).toEqual(
        expect.arrayContaining([
          { secretName: 'acme-tool-credentials' },
          { secretName: 'globex-tool-credentials' },
        ]),
      );
    });

    it('rolls the pods that read the tenants file when it changes, and no other', () => {
      const before = renderChart(['-f', values()]);
      const after = renderChart([
        '-f',
        values(),
        '--set',
        'tenants.settings.acme.agents[0]=writer',
      ]);
      const checksum = (objects: K8sObject[], svc: ServiceName) =>
        deployment(objects, svc).spec.template.metadata.annotations?.['checksum/config'];
      for (const svc of SERVICES) {
        const rolls = ['orchestrator', 'mcp-tools', 'a2a'].includes(svc);
        expect([svc, checksum(before, svc) !== checksum(after, svc)]).toEqual([svc, rolls]);
      }
    });

    it('refuses a bad tenant setting by name', () => {
      expect(renderError(['--set', 'tenants.settings.acme.agents[0]=Bad Agent'])).toMatch(
        /tenants\.settings\.acme\.agents\.0|agents/,
      );
      expect(renderError(['--set', 'tenants.settings.acme.colour=blue'])).toMatch(/colour/);
      // Helm names a bad key by its value: the tenant id and the rule it breaks
      expect(renderError(['--set', 'tenants.credentialSecrets.bad!tenant=x'])).toMatch(
        /'bad!tenant' does not match pattern/,
      );
    });
  });
});
