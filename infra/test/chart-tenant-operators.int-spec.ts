// The chart's tenant operators (nats.tenantOperators, docs/tenancy.md) on a real nats-server: the
// bundled NATS configuration and Secret the chart renders, loaded by nats-server 2.10 on a random
// port; `operator-acme`, with the password the chart generated, reads acme's task events and audit
// records, and nats-server itself refuses its subscriptions to globex's subjects, to commands and to
// publishing anything.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type K8sObject, renderChart, ROOT } from './support/deploy.js';

/** The nats-server the chart's image pins (infra/nats-server.env), as infra/setup.sh fetches it. */
const NATS_SERVER = join(ROOT, 'tools/bin/nats-server/nats-server');

const data = (o: K8sObject | undefined): Record<string, string> =>
  ((o as { data?: Record<string, string> } | undefined)?.data ?? {}) as Record<string, string>;
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata?.name === name);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Polls `check` until it answers something, or fails naming `what` after `timeoutMs`. */
async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string) {
  const until = Date.now() + 15_000;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the chart's tenant operator identities, on a real nats-server", () => {
  let server: ChildProcess | undefined;
  let log = '';
  let url = '';
  let dir = '';
  let passwords: Record<string, string> = {};
  const connections: NatsConnection[] = [];

  beforeAll(async () => {
    const objects = renderChart(['--set', 'nats.tenantOperators={acme,globex}']);
    const conf = data(find(objects, 'ConfigMap', 'sb-switchboard-nats'))['nats.conf'] ?? '';
    const secret = data(find(objects, 'Secret', 'sb-switchboard'));
    passwords = Object.fromEntries(
      Object.entries(secret)
        .filter(([k]) => k.startsWith('NATS_PASSWORD_'))
        .map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    dir = mkdtempSync(join(tmpdir(), 'sb-chart-operators-'));
    const file = join(dir, 'nats.conf');
    writeFileSync(file, conf);
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    // nats-server reads the users' passwords ($NATS_PASSWORD_…) from its environment, as in the pod.
    server = spawn(NATS_SERVER, ['-c', file, '-a', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, ...passwords },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [server.stdout, server.stderr]) stream?.on('data', (d) => (log += d));
    await waitFor(
      () => (/Server is ready/.test(log) ? true : undefined),
      `nats-server to start (log: ${log})`,
    );
  });

  afterAll(async () => {
    await Promise.allSettled(connections.map((c) => c.close()));
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      process.kill(server.pid, 'SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const as = async (user: string, key: string) => {
    const nc = await connect({ servers: url, user, pass: passwords[key] });
    connections.push(nc);
    return nc;
  };
  const violations = () =>
    log.split('\n').filter((l) => /Violation/.test(l) && l.includes('operator-acme'));

  it('creates operator-<tenant> for each tenant, with a generated password in the Secret', () => {
    for (const key of ['NATS_PASSWORD_OPERATOR_ACME', 'NATS_PASSWORD_OPERATOR_GLOBEX'])
      expect({ key, value: passwords[key] }).toEqual({
        key,
        value: expect.stringMatching(/^[A-Za-z][A-Za-z0-9]{31}$/),
      });
  });

  it("lets operator-acme read acme's task events and audit records, and nothing of globex's", async () => {
    const operator = await as('operator-acme', 'NATS_PASSWORD_OPERATOR_ACME');
    const seen: string[] = [];
    const keep = (_e: Error | null, m: Msg) => void seen.push(m.subject);
    operator.subscribe('sb.evt.task.*.acme.>', { callback: keep });
    operator.subscribe('sb.audit.*.*.acme', { callback: keep });
    await operator.flush();
    // The services publish as their own identities.
    const orchestrator = await as('orchestrator', 'NATS_PASSWORD_ORCHESTRATOR');
    const audit = await as('gateway', 'NATS_PASSWORD_GATEWAY');
    for (const tenant of ['acme', 'globex']) {
      orchestrator.publish(`sb.evt.task.t1.${tenant}.orchestrator.task.completed`, '{}');
      audit.publish(`sb.audit.request.t1.${tenant}`, '{}');
    }
    await Promise.all([orchestrator.flush(), audit.flush()]);
    await waitFor(
      () => (seen.length >= 2 ? true : undefined),
      "acme's event and audit record at operator-acme",
    );
    expect(seen.sort()).toEqual([
      'sb.audit.request.t1.acme',
      'sb.evt.task.t1.acme.orchestrator.task.completed',
    ]);
    expect(violations()).toEqual([]);
  });

  it("refuses operator-acme's subscriptions to globex's subjects and to commands, and every publish", async () => {
    const operator = await as('operator-acme', 'NATS_PASSWORD_OPERATOR_ACME');
    for (const subject of ['sb.evt.task.*.globex.>', 'sb.audit.*.*.globex', 'sb.cmd.>', '>'])
      operator.subscribe(subject, { callback: () => undefined });
    operator.publish('sb.audit.request.t1.acme', '{}');
    await operator.flush().catch(() => undefined);
    const refused = await waitFor(
      () => (violations().length >= 5 ? violations() : undefined),
      "nats-server's refusals of operator-acme",
    );
    for (const subject of ['sb.evt.task.*.globex.>', 'sb.audit.*.*.globex', 'sb.cmd.>', '>'])
      expect(
        refused.some((l) => /Subscription Violation/.test(l) && l.includes(`"${subject}"`)),
      ).toBe(true);
    expect(
      refused.some((l) => /Publish Violation/.test(l) && l.includes('"sb.audit.request.t1.acme"')),
    ).toBe(true);
  });
});
