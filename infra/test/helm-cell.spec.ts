// The chart's cell shape (shape: cell): the services in cell.services run in one process per pod (the
// `cell` Deployment), each with what its own Deployment would have given it under its `<SERVICE>__`
// prefix; the others keep their own Deployment; each service keeps its Service, which leads to the
// cells. That the rendered cell pod really runs and serves the demo task is shown by
// apps/e2e/test/chart-pods.e2e-spec.ts; here, what it renders and what it refuses.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { serviceEnv } from '@switchboard/config';
import {
  chartPods,
  type Container,
  GITOPS_VALUES,
  type K8sObject,
  PORTS,
  renderChart,
  SERVICES,
  type ServiceName,
  validateAll,
} from './support/deploy.js';

type Workload = K8sObject & {
  spec: {
    replicas?: number;
    template: {
      metadata: { annotations?: Record<string, string>; labels?: Record<string, string> };
      spec: { containers: Container[]; initContainers?: Container[]; volumes?: unknown[] };
    };
  };
};
type ServiceObject = K8sObject & {
  spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: unknown }> };
};

const IN_CELL: ServiceName[] = ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit'];
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const workload = (objects: K8sObject[], name: string) => {
  const w = find(objects, 'Deployment', `sb-switchboard-${name}`) as Workload | undefined;
  if (!w) throw new Error(`no Deployment ${name}`);
  return w;
};
const cellContainer = (objects: K8sObject[]) =>
  workload(objects, 'cell').spec.template.spec.containers[0]!;

/** What one service of a cell reads: the cell's own function, on the rendered environment. */
const viewOf = (svc: ServiceName, env: Record<string, string>) => serviceEnv(svc, env);

const renderError = (args: string[]): string => {
  try {
    renderChart(args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error(`rendering with ${args.join(' ')} succeeded`);
};

describe('the chart with shape=cell', () => {
  // GitOps values: nothing random, so both shapes resolve the same secrets
  const base = ['-f', GITOPS_VALUES];
  let cell: K8sObject[] = [];
  let apart: K8sObject[] = [];
  beforeAll(() => {
    cell = renderChart([...base, '--set', 'shape=cell']);
    apart = renderChart(base);
  });

  it('validates against the Kubernetes schemas', async () => {
    await validateAll(cell);
  });

  it('runs the cell services in one Deployment, and keeps the xmpp-bridge in its own', () => {
    const deployments = cell.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments).toContain('sb-switchboard-cell');
    expect(deployments).toContain('sb-switchboard-xmpp-bridge');
    for (const svc of IN_CELL) {
      for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'])
        expect({ svc, kind, found: Boolean(find(cell, kind, `sb-switchboard-${svc}`)) }).toEqual({
          svc,
          kind,
          found: false,
        });
    }
    for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget'])
      expect(find(cell, kind, 'sb-switchboard-cell')).toBeDefined();
    const c = cellContainer(cell);
    expect(c.command).toEqual(['node', 'dist/apps/cell/src/main.js']);
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    expect(env['SB_SERVICES']).toBe(IN_CELL.join(','));
    // One cell per pod unless asked: pods are what the HPA, the PDB and cell.resources size.
    expect(env['SB_CELLS']).toBe('1');
  });

  it('runs cell.cells cells in each pod when asked (SB_CELLS), and refuses what the cell would', () => {
    const envOf = (objects: K8sObject[]) =>
      Object.fromEntries((cellContainer(objects).env ?? []).map((e) => [e.name, e.value]));
    for (const cells of ['2', 'auto'])
      expect(
        envOf(renderChart([...base, '--set', 'shape=cell', '--set', `cell.cells=${cells}`]))[
          'SB_CELLS'
        ],
      ).toBe(cells);
    expect(renderError([...base, '--set', 'shape=cell', '--set', 'cell.cells=0'])).toMatch(/cells/);
    expect(renderError([...base, '--set', 'shape=cell', '--set', 'cell.cells=65'])).toMatch(
      /cells/,
    );
  });

  it("leads each cell service's Service to the cells, on the container port named after it", () => {
    const ports = cellContainer(cell).ports ?? [];
    for (const svc of IN_CELL) {
      const service = find(cell, 'Service', `sb-switchboard-${svc}`) as ServiceObject;
      expect(service.spec.selector['app.kubernetes.io/component']).toBe('cell');
      expect(service.spec.ports[0]).toMatchObject({ port: PORTS[svc], targetPort: svc });
      expect(ports.find((p) => p.name === svc)?.containerPort).toBe(PORTS[svc]);
    }
    const bridge = find(cell, 'Service', 'sb-switchboard-xmpp-bridge') as ServiceObject;
    expect(bridge.spec.selector['app.kubernetes.io/component']).toBe('xmpp-bridge');
  });

  it('gives each cell service exactly the settings its own Deployment would, under its prefix', () => {
    const cellEnv = chartPods.resolveEnv(cellContainer(cell), { objects: cell, podName: 'p-0' });
    for (const svc of IN_CELL) {
      const own = workload(apart, svc).spec.template.spec.containers[0]!;
      const alone = chartPods.resolveEnv(own, { objects: apart, podName: 'p-0' });
      const view = viewOf(svc, cellEnv);
      // NATS identity, database, secrets, port: all its own
      expect({ svc, env: view }).toEqual({ svc, env: expect.objectContaining(alone) });
      expect(view['NATS_USER']).toBe(svc);
    }
    // one service's database never reaches another
    expect(viewOf('gateway', cellEnv)['DATABASE_URL']).toBeUndefined();
    expect(viewOf('audit', cellEnv)['DATABASE_URL']).toMatch(/sb_audit/);
  });

  it('migrates each database of the cell in an init container of its own', () => {
    const inits = workload(cell, 'cell').spec.template.spec.initContainers ?? [];
    expect(inits.map((c) => [c.name, c.command?.at(-1)])).toEqual([
      ['migrate-orchestrator', 'orchestrator'],
      ['migrate-mcp-tools', 'mcp-tools'],
      ['migrate-audit', 'audit'],
    ]);
  });

  it('rolls the cells when a setting of one of its services changes, and not the bridge', () => {
    const after = renderChart([
      ...base,
      '--set',
      'shape=cell',
      '--set',
      'services.a2a.config.LOG_LEVEL=debug',
    ]);
    const sum = (objects: K8sObject[], name: string) =>
      workload(objects, name).spec.template.metadata.annotations?.['checksum/config'];
    expect(sum(after, 'cell')).not.toBe(sum(cell, 'cell'));
    expect(sum(after, 'xmpp-bridge')).toBe(sum(cell, 'xmpp-bridge'));
  });

  it('runs all six in one cell when it is not scaled out (the bridge holds one XMPP login)', () => {
    const all = renderChart([
      '--set',
      'shape=cell',
      '--set',
      'cell.services={gateway,orchestrator,mcpTools,a2a,audit,xmppBridge}',
      '--set',
      'cell.replicaCount=1',
      '--set',
      'cell.autoscaling.enabled=false',
    ]);
    const deployments = all.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    for (const svc of SERVICES) expect(deployments).not.toContain(`sb-switchboard-${svc}`);
    const cellPod = workload(all, 'cell');
    expect(cellPod.spec.replicas).toBe(1);
    // the bridge's CA of the bundled Prosody, mounted as its own Deployment would have it
    const mounts = cellPod.spec.template.spec.containers[0]!.volumeMounts ?? [];
    expect(mounts.map((m) => m.mountPath)).toContain('/etc/switchboard/xmpp-ca');
  });

  it.each([
    [
      'a scaled-out cell holding the bridge',
      ['--set', 'cell.services={gateway,xmppBridge}'],
      /xmpp-bridge holds one XMPP login/,
    ],
    [
      'two cell services on one port',
      ['--set', 'services.a2a.port=3000'],
      /gateway and a2a both listen on port 3000/,
    ],
    ['an empty cell', ['--set', 'cell.services=null'], /at least one service in the cell/],
    ['an unknown service', ['--set', 'cell.services={gateway,billing}'], /cell\/services\/1/],
    ['an unknown shape', ['--set', 'shape=monolith'], /shape/],
  ])('refuses %s, saying why', (_label, args, reason) => {
    expect(renderError([...base, '--set', 'shape=cell', ...args])).toMatch(reason);
  });
});
