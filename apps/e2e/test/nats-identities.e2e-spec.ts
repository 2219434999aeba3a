import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import {
  Audit,
  AuditStream,
  type DomainError,
  Headers as H,
  type NatsIdentity,
  Tools,
} from '@switchboard/contracts';
import {
  collectSse,
  connectAs,
  createBusClient,
  DEMO_TASK,
  DEMO_TASK_EVENTS,
  repoRoot,
  type SecuredNats,
  runSwitchboardCli,
  spawnManaged,
  type Stack,
  startOperatorModeNats,
  startSecuredNats,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const admin = { 'x-user-id': 'root', 'x-user-role': 'admin' };
/** The operator CLI as the build emits it (and every image runs it, as `switchboard`). */
const CLI = 'dist/apps/cli/src/main.js';

/** An audit record's subject: in SB_AUDIT, or announced once chained after a relay. */
const isAuditRecord = (subject: string) =>
  subject.startsWith('sb.audit.') || subject.startsWith('sb.evt.audit.');

/** One line of `switchboard tail --json`. */
interface TailLine {
  kind: 'publish' | 'deliver' | 'reply' | 'stored';
  time: string;
  timeOf: string;
  subject: string;
  delivery?: { stream: string; consumer: string };
  data: {
    name?: string;
    seq?: number;
    at?: string;
    action?: string;
    tool?: string;
    taskId?: string;
  };
}
/** The JSON document a command printed (its pretty-printed reply). */
const jsonIn = (output: string): string =>
  output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1);
/** A line of the default `switchboard tail` output: ` HH:MM:SS.mmm <task> <kind> …` (`~` for a receive time). */
const isCompactLine = (l: string) => /^[ ~]\d\d:\d\d:\d\d\.\d{3} /.test(l);
const jsonLines = (logs: string): TailLine[] =>
  logs
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TailLine);

// The platform on a NATS that enforces the identities and permissions derived from the contracts:
// every service connects as itself (its own NKey), the operator tails as `operator`.
describe('a stack whose NATS enforces each identity’s permissions (real service processes)', () => {
  let stack: Stack;
  let nats: SecuredNats;
  const open: NatsConnection[] = [];
  const as = async (identity: NatsIdentity) => {
    const nc = await connectAs(nats.identities[identity]);
    open.push(nc);
    return nc;
  };
  const grantsOf = async (user: string) => {
    const r = await fetch(`${stack.gatewayUrl}/authorizations?user_id=${user}`, { headers: admin });
    expect(r.status).toBe(200);
    return ((await r.json()) as { grants: { provider: string }[] }).grants.map((g) => g.provider);
  };

  beforeAll(async () => {
    stack = await startStack({ natsIdentities: true });
    nats = stack.securedNats!;
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((nc) => nc.close()));
    await stack?.stop();
  });

  it('runs the demo task, an admin’s audit query and the operator’s tail, and the server refuses none of it', async () => {
    const user = `ids-${randomUUID()}`;
    const response = await fetch(`${stack.gatewayUrl}/orchestrate/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ task: DEMO_TASK }),
    });
    const taskId = response.headers.get('x-task-id')!;
    const events = await collectSse(response);
    expect(events.map((e) => e.event)).toEqual(DEMO_TASK_EVENTS);

    // gateway → audit over NATS, as the admin the gateway authenticated
    const trail = await waitFor(
      async () => {
        const r = await fetch(`${stack.gatewayUrl}/audit?task_id=${taskId}`, { headers: admin });
        const body = (await r.json()) as { entries?: { action: string }[] };
        return r.status === 200 && (body.entries?.length ?? 0) >= 4 ? body.entries : undefined;
      },
      { what: "the task's audit trail through the gateway" },
    );
    expect(trail!.map((e) => e.action).sort()).toEqual(
      ['task.completed', 'task.submit', 'tool.call', 'tool.call'].sort(),
    );

    // `switchboard tail --task` (the built CLI) as the operator, attached after the task ended: its
    // stored events in order, then its stored audit records — all of them relayed from the orchestrator's
    // journal (SB_AUDIT_CHAINED): its submission's, its tool calls' and its end's.
    const tail = spawnManaged(
      process.execPath,
      [join(repoRoot, CLI), 'tail', '--task', taskId, '--json'],
      { name: 'tail-operator', cwd: repoRoot, env: nats.identities.operator.env },
    );
    try {
      const seen = await waitFor(
        () => {
          const lines = jsonLines(tail.logs());
          const records = lines.filter((l) => isAuditRecord(l.subject));
          // Its line saying it follows the task comes once both replays are over.
          return lines.some((l) => l.data.name === 'orchestrator.task.completed') &&
            records.length >= 4 &&
            tail.logs().includes(`tailing task ${taskId}`)
            ? lines
            : undefined;
        },
        { what: 'the operator’s tail replaying the task' },
      );
      const replayed = seen.filter((l) => typeof l.data.seq === 'number');
      expect(replayed.map((l) => l.data.name)).toEqual(DEMO_TASK_EVENTS);
      expect(replayed.map((l) => l.data.seq)).toEqual(DEMO_TASK_EVENTS.map((_, i) => i + 1));
      const records = seen.filter((l) => isAuditRecord(l.subject));
      expect(records.map((l) => l.data.action).sort()).toEqual(
        ['task.completed', 'task.submit', 'tool.call', 'tool.call'].sort(),
      );
      // sb.audit.<category>.<taskId>.<tenant> (docs/tenancy.md) for what services publish themselves,
      // sb.evt.audit.… for the records relayed from the journal (the submission's, journaled by the
      // claim, the tool calls', journaled with their steps, and the task's end): the default tenant here
      expect(
        records.map((l) => [l.data.action, l.subject.startsWith('sb.evt.audit.')]).sort(),
      ).toEqual(
        [
          ['task.completed', true],
          ['task.submit', true],
          ['tool.call', true],
          ['tool.call', true],
        ].sort(),
      );
      expect(
        records.every((l) => l.kind === 'stored' && l.subject.endsWith(`.${taskId}.default`)),
      ).toBe(true);
      expect(tail.logs()).toContain(`tailing task ${taskId}`);
      expect(tail.logs()).not.toMatch(/NATS refused/);
    } finally {
      await tail.stop(2_000);
    }

    // The default for people: one compact line per message — its own time, the task's first 8
    // characters, the kind, the route and what it says — uncoloured off a terminal, coloured on --color.
    const short = taskId.slice(0, 8);
    const compactTail = (name: string, ...flags: string[]) =>
      spawnManaged(process.execPath, [join(repoRoot, CLI), 'tail', '--task', taskId, ...flags], {
        name,
        cwd: repoRoot,
        env: nats.identities.operator.env,
      });
    const compact = compactTail('tail-compact');
    try {
      // It says where it tails once its stored events and audit records are printed.
      await waitFor(() => compact.logs().includes(`tailing task ${taskId}`), {
        what: 'the compact tail replaying the task',
      });
      const lines = compact.logs().split('\n').filter(isCompactLine);
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^ \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${short} event +orchestrator +orchestrator\\.step\\.completed calculator → 391 \\([\\d.]+ m?s\\) \\(stored\\)$`,
          ),
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^ \\S+ ${short} audit +mcp-tools +tool\\.call success calculator \\(stored\\)$`,
          ),
        ),
      );
      // the task id once, shortened; no raw JSON, no escape codes; 56 characters of columns, at most
      // 100 of summary and ` (stored)`
      expect(lines.filter((l) => l.includes(taskId))).toEqual([]);
      expect(lines.filter((l) => l.length > 165 || l.includes('\x1b['))).toEqual([]);
    } finally {
      await compact.stop(2_000);
    }
    const coloured = compactTail('tail-colour', '--color');
    try {
      await waitFor(() => coloured.logs().includes('orchestrator.task.completed'), {
        what: 'the coloured tail replaying the task',
      });
      expect(coloured.logs()).toContain(`\x1b[36m${short}\x1b[0m`);
    } finally {
      await coloured.stop(2_000);
    }
    // Every service did all of that with only what its contracts allow it.
    expect(nats.violations()).toEqual([]);
  });

  it('refuses the operator sb.cmd.audit.query, and a forged admin sent by a non-gateway identity', async () => {
    const operator = await as('operator');
    await expect(
      operator.request(Audit.AuditQuery.subject, '{"data":{}}', { timeout: 2_000 }),
    ).rejects.toThrow(/Permissions Violation for Publish to "sb\.cmd\.audit\.query"/);

    // The orchestrator acts for users, but only where its contracts say: never to grant providers.
    const victim = `victim-${randomUUID()}`;
    const orchestrator = await createBusClient(
      nats.url,
      'orchestrator',
      stack.natsSettings('orchestrator'),
    );
    try {
      const refused = await orchestrator.bus
        .request(
          Tools.AuthorizationGrant,
          { userId: victim, provider: 'notes' },
          { actor: { userId: 'mallory', role: 'admin' } },
        )
        .then(
          () => undefined,
          (e: unknown) => e as DomainError,
        );
      expect(refused).toMatchObject({ code: 'FORBIDDEN', retryable: false });
    } finally {
      await orchestrator.close();
    }
    expect(await grantsOf(victim)).toEqual([]);
    // The same grant, asked by an admin through the gateway, is carried and made.
    const granted = await fetch(`${stack.gatewayUrl}/authorizations/${victim}/notes`, {
      method: 'PUT',
      headers: admin,
    });
    expect(granted.status).toBe(200);
    expect(await grantsOf(victim)).toEqual(['notes']);
  });

  it('never runs a stored message that a JetStream consumer delivers onto a command subject', async () => {
    const victim = `redirect-${randomUUID()}`;
    // Two identities that may each do half: a2a may publish audit records (any payload, any headers),
    // the audit service may create consumers on their stream, choosing where they are delivered.
    const a2a = await as('a2a');
    const h = headers();
    h.set(H.userId, 'mallory');
    h.set(H.userRole, 'admin');
    a2a.publish(
      'sb.audit.forged._.default',
      JSON.stringify({
        pattern: Tools.AuthorizationGrant.subject,
        data: { userId: victim, provider: 'notes' },
        id: 'x',
      }),
      { headers: h },
    );
    await a2a.flush();
    const jsm = await jetstreamManager(await as('audit'));
    const consumer = await jsm.consumers.add(AuditStream.name, {
      ack_policy: AckPolicy.Explicit,
      deliver_subject: Tools.AuthorizationGrant.subject,
      // mcp-tools listens in its queue group: the consumer delivers to that group
      deliver_group: 'mcp-tools',
      filter_subject: 'sb.audit.forged._.default',
    });
    const refusedLogged = () =>
      /was delivered here; it was not run/.test(stack.services['mcp-tools']!.logs());
    try {
      // Delivered to mcp-tools, which either refuses it or (were it run) grants the provider.
      await waitFor(async () => refusedLogged() || (await grantsOf(victim)).length > 0, {
        what: 'mcp-tools handling the redirected message',
      });
    } finally {
      await jsm.consumers.delete(AuditStream.name, consumer.name).catch(() => undefined);
    }
    expect(await grantsOf(victim)).toEqual([]);
    expect(refusedLogged()).toBe(true);
  });
  it('follows one task with the built `switchboard tail` as the operator: its events, tool calls and audit records, labelled, each at its own time, nothing of another task', async () => {
    const user = `cli-${randomUUID()}`;
    const submit = async () => {
      const r = await fetch(`${stack.gatewayUrl}/orchestrate?async=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify({ task: DEMO_TASK }),
      });
      expect(r.status).toBe(202);
      return ((await r.json()) as { task_id: string }).task_id;
    };
    // Both tasks wait while the orchestrator is down: the tail is listening before either runs.
    await stack.services['orchestrator']!.stop();
    let tail: ReturnType<typeof spawnManaged> | undefined;
    let taskId = '';
    let other: string | undefined;
    try {
      taskId = await submit();
      other = await submit();
      tail = spawnManaged(
        process.execPath,
        [join(repoRoot, CLI), 'tail', '--task', taskId, '--replies', '--json'],
        { name: 'tail-cli', cwd: repoRoot, env: nats.identities.operator.env },
      );
      const watching = tail;
      await waitFor(() => watching.logs().includes(`tailing task ${taskId}`), {
        what: 'the tail subscribed',
      });
    } finally {
      await stack.restart('orchestrator');
    }
    try {
      const audited = (lines: TailLine[]) =>
        lines.filter((l) => l.kind !== 'deliver' && isAuditRecord(l.subject));
      const lines = await waitFor(
        () => {
          const seen = jsonLines(tail!.logs());
          const done = seen.some((l) => l.data.name === 'orchestrator.task.completed');
          return done && audited(seen).length >= 4 ? seen : undefined;
        },
        { what: 'the task, its tool calls and its audit records in the tail' },
      );
      // its events, published live, in order, each at its own `at`
      const events = lines.filter(
        (l) => l.kind !== 'deliver' && l.subject.startsWith(`sb.evt.task.${taskId}.`),
      );
      expect(events.map((e) => e.data.name)).toEqual(DEMO_TASK_EVENTS);
      expect(events.every((e) => e.kind === 'publish')).toBe(true);
      expect(events.every((e) => e.timeOf === 'message' && e.time === e.data.at)).toBe(true);
      // its tool calls, on its own subject, and their replies
      const calls = lines.filter((l) => l.subject === `sb.cmd.tools.call.${taskId}`);
      expect(calls.map((c) => c.data.tool).sort()).toEqual(['calculator', 'notes.add']);
      expect(calls.every((c) => c.kind === 'publish' && c.data.taskId === taskId)).toBe(true);
      expect(lines.filter((l) => l.kind === 'reply').length).toBeGreaterThanOrEqual(2);
      // its audit records, relayed from the orchestrator's journal and announced once chained, on
      // sb.evt.audit.<category>.<taskId>.<tenant>
      const records = audited(lines);
      expect(records.map((r) => r.data.action).sort()).toEqual(
        ['task.completed', 'task.submit', 'tool.call', 'tool.call'].sort(),
      );
      expect(
        records.every((r) => r.subject.endsWith(`.${taskId}.default`) && r.time === r.data.at),
      ).toBe(true);
      // relayed when the orchestrator claims the task (after the tail came: published live), or by a
      // gateway of before the journal (stored in SB_AUDIT before the tail came)
      expect(['stored', 'publish']).toContain(
        records.find((r) => r.data.action === 'task.submit')?.kind,
      );
      // a JetStream delivery (its submission, to the orchestrator) is labelled, never taken for a publish
      const deliveries = lines.filter((l) => l.kind === 'deliver');
      expect(deliveries.length).toBeGreaterThan(0);
      expect(deliveries.every((d) => d.delivery !== undefined)).toBe(true);
      expect(JSON.stringify(lines)).not.toContain(other!);
      expect(tail!.logs()).not.toMatch(/NATS refused/);
    } finally {
      await tail?.stop(2_000);
    }
  });

  /** Runs the built CLI to its end as `identity`; its exit status and output (stdout and stderr). */
  const switchboard = (identity: NatsIdentity, ...args: string[]) =>
    runSwitchboardCli(nats.identities[identity].env, ...args);

  it('runs `switchboard audit verify` and `switchboard call` as admin, and refuses them to the operator, saying who may', async () => {
    const verified = await switchboard('admin', 'audit', 'verify');
    expect(verified.output).toMatch(/^audit trail intact: \d+ rows checked$/m);
    expect(verified.status).toBe(0);
    const health = await switchboard('admin', 'call', 'sb.health.audit');
    expect(health.status).toBe(0);
    expect(JSON.parse(jsonIn(health.output))).toMatchObject({
      service: 'audit',
      checks: expect.any(Object),
    });
    const query = await switchboard('admin', 'call', 'sb.cmd.audit.query', '{"limit": 1}');
    expect(query.status).toBe(0);
    expect((JSON.parse(jsonIn(query.output)) as { entries: unknown[] }).entries).toHaveLength(1);

    const refused = await switchboard('operator', 'audit', 'verify');
    expect(refused.status).toBe(1);
    expect(refused.output.trim()).toBe(
      'FORBIDDEN: NATS refused to let this connection send sb.cmd.audit.verify: only its callers may (gateway, admin); connect as the admin identity (docs/operations.md, "NATS identities")',
    );
    const call = await switchboard('operator', 'call', 'sb.health.audit');
    expect(call.status).toBe(1);
    expect(call.output).toMatch(/^FORBIDDEN: NATS refused .* send sb\.health\.audit/m);
    // nor may admin run a tool for anyone: that stays the orchestrator's and the gateway's
    const tool = await switchboard(
      'admin',
      'call',
      'sb.cmd.tools.call',
      '{"tool": "calculator", "input": {"expression": "1+1"}}',
    );
    expect(tool.status).toBe(1);
    expect(tool.output).toMatch(
      /^FORBIDDEN: NATS refused to let this connection send sb\.cmd\.tools\.call\._: only its callers may \(orchestrator, gateway\); no operator identity may send it$/m,
    );
    // an unknown command is refused before anything is sent, naming it
    const unknown = await switchboard('admin', 'call', 'sb.cmd.audit.purge');
    expect(unknown.status).toBe(2);
    expect(unknown.output).toMatch(/"sb\.cmd\.audit\.purge" is not a command of the contracts/);
  });
  it('connects as the services do: user and password over TLS with a client certificate, or a credentials file', async () => {
    // No service on these servers: a call that reaches NATS, authenticated, finds no responder.
    const tls = await startSecuredNats({ auth: 'password', tls: true });
    const jwt = await startOperatorModeNats();
    try {
      const admin = tls.identities.admin.nats;
      const overTls = spawnManaged(
        process.execPath,
        [
          join(repoRoot, CLI),
          'call',
          'sb.health.audit',
          '--nats',
          tls.url,
          '--nats-user',
          'admin',
          '--tls-ca',
          tls.tls!.caFile,
          '--tls-cert',
          tls.tls!.certFile,
          '--tls-key',
          tls.tls!.keyFile,
        ],
        { name: 'switchboard-tls', cwd: repoRoot, env: { NATS_PASSWORD: admin.pass! } },
      );
      expect(await overTls.exited).toBe(1);
      await overTls.settled;
      expect(overTls.logs().trim()).toBe(
        'UPSTREAM_UNAVAILABLE: audit is not available (no responders on sb.health.audit)',
      );
      const withCreds = spawnManaged(
        process.execPath,
        [
          join(repoRoot, CLI),
          'call',
          'sb.health.audit',
          '--nats',
          jwt.url,
          '--creds',
          jwt.credsFor('admin'),
        ],
        { name: 'switchboard-creds', cwd: repoRoot },
      );
      expect(await withCreds.exited).toBe(1);
      await withCreds.settled;
      expect(withCreds.logs()).toMatch(/^UPSTREAM_UNAVAILABLE: audit is not available/m);
      // a wrong password is refused by the server, and said so
      const wrong = spawnManaged(
        process.execPath,
        [join(repoRoot, CLI), 'call', 'sb.health.audit', '--nats', tls.url, '--nats-user', 'admin'],
        {
          name: 'switchboard-wrong',
          cwd: repoRoot,
          env: {
            NATS_PASSWORD: 'not-the-password',
            NATS_TLS_CA_FILE: tls.tls!.caFile,
            NATS_TLS_CERT_FILE: tls.tls!.certFile,
            NATS_TLS_KEY_FILE: tls.tls!.keyFile,
          },
        },
      );
      expect(await wrong.exited).toBe(1);
      await wrong.settled;
      expect(wrong.logs()).toMatch(
        /^switchboard: could not connect to NATS at tls:\/\/.*: .*[Aa]uthorization/m,
      );
    } finally {
      await Promise.allSettled([tls.stop(), jwt.stop()]);
    }
  });
});
