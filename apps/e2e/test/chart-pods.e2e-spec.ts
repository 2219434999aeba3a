// The Helm release as a new user installs it (default values: bundled dependencies, generated secrets),
// in both shapes (a Deployment per service, and shape=cell: five services in the cell's one process
// beside the xmpp-bridge's own Deployment), run without a cluster: every pod starts as a local process
// with exactly the command and environment the chart renders (support/chart-pods.ts), its init
// containers first; the
// bundled NATS runs from its rendered config, PostgreSQL is this machine's, Redis and Prosody are
// private instances (Prosody with the certificate and account the chart generated). Then the chart's
// own `helm test` pod runs the demo task through the gateway.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  cellPrefix,
  findProsodyInstanceModule,
  freePort,
  type ManagedProcess,
  natsServerBinary,
  type PrivateRedis,
  spawnManaged,
  startPrivateRedis,
  TEST_PG_URL,
  tempDir,
  waitFor,
  waitForPort,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import {
  chartPods,
  type ContainerProcess,
  type K8sObject,
  type Pod,
  type PodNetwork,
  runToCompletion,
  startContainer,
} from './support/chart-pods.js';

const SERVICES = ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'xmpp-bridge', 'gateway'] as const;
type Service = (typeof SERVICES)[number];
const MIGRATING = ['orchestrator', 'mcp-tools', 'audit'] as const;

/** The release's shapes: each pod (its name's suffix) with the services it runs, in start order. */
const SHAPES: Array<[string, string[], Array<[string, Service[]]>]> = [
  ['a Deployment per service', [], SERVICES.map((s): [string, Service[]] => [s, [s]])],
  [
    'shape=cell',
    ['--set', 'shape=cell'],
    [
      ['cell', ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway']],
      ['xmpp-bridge', ['xmpp-bridge']],
    ],
  ],
];

interface Prosody {
  c2sPort: number;
  tlsPort: number;
  stop(): Promise<void>;
}
interface ProsodyModule {
  startProsody(opts: {
    dir: string;
    accounts: Array<{ user: string; host: string; password: string }>;
    certificates: { certFile: string; keyFile: string; caFile: string };
  }): Promise<Prosody>;
}

const secretData = (obj: K8sObject | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries((obj as { data?: Record<string, string> } | undefined)?.data ?? {}).map(
      ([k, v]) => [k, Buffer.from(v, 'base64').toString()],
    ),
  );

async function query<T extends pg.QueryResultRow>(db: string, sql: string): Promise<T[]> {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${db}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.each(SHAPES)(
  'the Helm release (%s), its pods run as processes with exactly what the chart renders',
  (_shape, shapeArgs, workloads) => {
    const suffix = randomBytes(4).toString('hex');
    const databases = {
      orchestrator: `sbt_chart_${suffix}_orch`,
      'mcp-tools': `sbt_chart_${suffix}_tools`,
      audit: `sbt_chart_${suffix}_audit`,
    };
    const logDir = tempDir('chart-pods');
    const running: Array<ContainerProcess | ManagedProcess> = [];
    const servicePorts: Record<string, number> = {};
    let objects: K8sObject[] = [];
    let pods: Pod[] = [];
    let net: PodNetwork = { services: {}, listen: {} };
    let redis: PrivateRedis | undefined;
    let prosody: Prosody | undefined;
    let migrateLogs = '';
    let natsServer: ManagedProcess | undefined;
    /** The process of each workload (its pod name's suffix). */
    const processOf: Record<string, ContainerProcess> = {};

    const pod = (name: string): Pod => {
      const found = pods.find((p) => p.name === `sb-switchboard-${name}`);
      if (!found) throw new Error(`the chart renders no sb-switchboard-${name}`);
      return found;
    };

    /**
     * The bundled NATS: the rendered container's config, flags and environment (the identities'
     * passwords from the release's Secret), on a free loopback port.
     */
    async function startNats(): Promise<Record<string, number>> {
      const nats = pod('nats');
      const container = nats.spec.containers[0]!;
      const mounts = chartPods.materializeMounts(nats, container, {
        objects,
        dir: tempDir('chart-nats'),
      });
      const [client, monitor] = [await freePort(), await freePort()];
      const args = (container.args ?? []).map((a) => chartPods.localPath(a, mounts));
      const env = chartPods.resolveEnv(container, { objects, podName: `${nats.name}-0` });
      const proc = spawnManaged(
        natsServerBinary(),
        [...args, '-a', '127.0.0.1', '-p', String(client), '-m', String(monitor)],
        { name: 'nats', logDir, env },
      );
      natsServer = proc;
      running.push(proc);
      await waitForPort(client);
      return { '4222': client, '8222': monitor };
    }

    /** The bundled Prosody's stand-in: the chart's certificate and the account it registers. */
    async function startProsody(): Promise<Record<string, number>> {
      const tls = secretData(objects.find((o) => o.metadata.name === 'sb-switchboard-prosody-tls'));
      const dir = tempDir('chart-prosody');
      mkdirSync(join(dir, 'tls'));
      const file = (name: string) => {
        writeFileSync(join(dir, 'tls', name), tls[name] ?? '', { mode: 0o600 });
        return join(dir, 'tls', name);
      };
      const [user, host] = 'platform@agents.switchboard.local'.split('@') as [string, string];
      const mod = (await import(pathToFileURL(findProsodyInstanceModule()).href)) as ProsodyModule;
      prosody = await mod.startProsody({
        dir,
        accounts: [{ user, host, password: secretData(secretObject())['AZTM_PASSWORD'] ?? '' }],
        certificates: {
          certFile: file('tls.crt'),
          keyFile: file('tls.key'),
          caFile: file('ca.crt'),
        },
      });
      return { '5222': prosody.c2sPort, '5223': prosody.tlsPort };
    }

    const secretObject = () =>
      objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'sb-switchboard');

    /**
     * Starts a workload's pod: its init containers to completion (two replicas at once, as on a first
     * install), then its container, until each service it runs is ready on its own port.
     */
    async function startWorkload(name: string, runs: Service[]): Promise<ContainerProcess> {
      const p = pod(name);
      const podNet = (listen: Record<string, number>) => ({ services: net.services, listen });
      for (const init of p.spec.initContainers ?? []) {
        const replicas = [0, 1].map((i) =>
          startContainer(p, init, { objects, podName: `${p.name}-${i}`, net: podNet({}), logDir }),
        );
        running.push(...replicas);
        for (const r of replicas) migrateLogs += await runToCompletion(r, 180_000);
      }
      const container = p.spec.containers[0]!;
      // each container port (one per service it runs) on the free port chosen for that service
      const listen: Record<string, number> = {};
      for (const port of container.ports ?? []) {
        const svc = runs.find((s) => runs.length === 1 || s === port.name) ?? runs[0]!;
        listen[port.containerPort] = servicePorts[svc]!;
      }
      const proc = startContainer(p, container, {
        objects,
        podName: `${p.name}-0`,
        net: podNet(listen),
        logDir,
      });
      running.push(proc);
      processOf[name] = proc;
      let exit: number | string | undefined;
      void proc.exited.then((code) => (exit = code));
      for (const svc of runs)
        await waitFor(
          async () => {
            if (exit !== undefined)
              throw new Error(`${name} exited with ${exit}\n${proc.logs().slice(-4_000)}`);
            const r = await fetch(`http://127.0.0.1:${servicePorts[svc]}/readiness`).catch(
              () => undefined,
            );
            return r?.status === 200 ? true : undefined;
          },
          { timeoutMs: 60_000, what: `${svc} readiness` },
        ).catch((e: Error) => {
          throw new Error(`${e.message}\n--- ${name} ---\n${proc.logs().slice(-4_000)}`);
        });
      return proc;
    }

    beforeAll(async () => {
      objects = chartPods.renderChart([
        ...shapeArgs,
        '--set',
        `postgresql.databases.orchestrator=${databases.orchestrator}`,
        '--set',
        `postgresql.databases.mcpTools=${databases['mcp-tools']}`,
        '--set',
        `postgresql.databases.audit=${databases.audit}`,
      ]);
      pods = chartPods.podsOf(objects);
      for (const svc of SERVICES) servicePorts[svc] = await freePort();
      redis = await startPrivateRedis();
      const backends: Record<string, Record<string, number>> = {
        'sb-switchboard-nats': await startNats(),
        // the machine's PostgreSQL (trust authentication: the generated password is sent and not needed)
        'sb-switchboard-postgresql': { '5432': Number(new URL(TEST_PG_URL).port || 5432) },
        'sb-switchboard-redis': { '6379': redis.port },
        'sb-switchboard-prosody': await startProsody(),
      };
      for (const svc of SERVICES) {
        const service = objects.find(
          (o) => o.kind === 'Service' && o.metadata.name === `sb-switchboard-${svc}`,
        );
        const ports = (service as { spec?: { ports?: Array<{ port: number }> } } | undefined)?.spec
          ?.ports;
        backends[`sb-switchboard-${svc}`] = { [String(ports?.[0]?.port)]: servicePorts[svc]! };
      }
      net = { services: backends, listen: {} };
      for (const [name, runs] of workloads) await startWorkload(name, runs);
    }, 420_000);

    afterAll(async () => {
      for (const proc of [...running].reverse()) await proc.stop(10_000);
      await redis?.stop();
      await prosody?.stop();
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      for (const db of Object.values(databases))
        await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await admin.end();
    }, 120_000);

    it('backs every Service the release renders', () => {
      const rendered = objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
      expect(rendered.sort()).toEqual(Object.keys(net.services).sort());
    });

    it('migrated each database in its init containers, two replicas at once', async () => {
      for (const svc of MIGRATING) {
        const applied = await query<{ n: number }>(
          databases[svc],
          'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
        );
        expect({ svc, applied: applied[0]!.n > 0 }).toEqual({ svc, applied: true });
      }
      expect(migrateLogs).toMatch(
        /All migrations have been successfully applied|No pending migrations/,
      );
    });

    it('has every service ready on what it depends on, the bridge logged in over verified TLS', async () => {
      for (const svc of SERVICES) {
        const ready = (await (
          await fetch(`http://127.0.0.1:${servicePorts[svc]}/readiness`)
        ).json()) as unknown;
        expect(JSON.stringify(ready)).toContain('"nats"');
      }
      // Ready once its XMPP session is (a login that is still under way answers 503 until then).
      const bridge = await waitFor(
        async () => {
          const body = (await (
            await fetch(`http://127.0.0.1:${servicePorts['xmpp-bridge']}/readiness`)
          ).json()) as { info?: Record<string, { status: string }> };
          return body.info?.['xmpp'] ? body : undefined;
        },
        { what: "the bridge's XMPP session in its readiness" },
      );
      expect(bridge.info?.['xmpp']?.status).toBe('up');
      const env = processOf['xmpp-bridge'];
      expect(env?.env['AZTM_VALIDATE_CERT']).toBe('true');
      expect(env?.env['AZTM_TLS']).toBe('starttls');
    });

    it("passes the chart's helm test: the demo task through the gateway, its answer and its note", async () => {
      const test = pod('test-demo');
      const proc = startContainer(test, test.spec.containers[0]!, {
        objects,
        podName: test.name,
        net: { services: net.services, listen: {} },
        logDir,
      });
      running.push(proc);
      const output = await runToCompletion(proc, 120_000);
      expect(output).toContain('17 * 23 = 391');
      expect(output).toMatch(/steps calculator:completed, notes\.add:completed/);
      expect(output).toContain('helm test: ok');

      const notes = await query<{ content: string; userId: string }>(
        databases['mcp-tools'],
        'SELECT content, "userId" FROM "Note"',
      );
      expect(notes).toEqual([{ content: '391', userId: expect.stringMatching(/^helm-test-/) }]);
      const audit = await waitFor(
        async () => {
          const rows = await query<{ action: string; source: string }>(
            databases.audit,
            'SELECT action, source FROM "AuditEntry" ORDER BY seq',
          );
          // the end's record is relayed from the journal, the others consumed from SB_AUDIT
          const actions = new Set(rows.map((r) => r.action));
          return ['task.submit', 'tool.call', 'task.completed'].every((a) => actions.has(a))
            ? rows
            : undefined;
        },
        { what: 'the audit trail of the helm test task' },
      );
      expect(audit).toEqual(
        expect.arrayContaining([
          { action: 'task.submit', source: 'gateway' },
          { action: 'tool.call', source: 'mcp-tools' },
          { action: 'task.completed', source: 'orchestrator' },
        ]),
      );
    });

    it('runs every service as its own NATS identity, which the bundled NATS enforces and never refused', () => {
      for (const [name, runs] of workloads)
        for (const svc of runs) {
          // in a cell, each service reads its own settings under its prefix
          const key = runs.length > 1 ? `${cellPrefix(svc)}NATS_USER` : 'NATS_USER';
          expect({ svc, user: processOf[name]?.env[key] }).toEqual({ svc, user: svc });
        }
      const log = natsServer?.logs() ?? '';
      expect(log).toContain('Using configuration file');
      expect(log.split('\n').filter((l) => /Violation/.test(l))).toEqual([]);
    });

    it('runs the workloads the shape names, each service in exactly one of them', () => {
      const deployments = objects
        .filter((o) => o.kind === 'Deployment')
        .map((o) => o.metadata.name)
        .filter((n) => !/-(nats|postgresql|redis|prosody)$/.test(n));
      expect(deployments.sort()).toEqual(
        workloads.map(([name]) => `sb-switchboard-${name}`).sort(),
      );
      expect(workloads.flatMap(([, runs]) => runs).sort()).toEqual([...SERVICES].sort());
    });
  },
);
