import { Tasks } from '@switchboard/contracts';
import {
  CELL_SERVICES,
  type CellService,
  collectSse,
  connectAs,
  DEMO_TASK,
  type PrivateProsody,
  repoRoot,
  type RunningCell,
  spawnManaged,
  type Stack,
  startCell,
  startPrivateProsody,
  startStack,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const CELL = join(repoRoot, 'dist/apps/cell/src/main.js');
/** The operator CLI as the build emits it. */
const CLI_MAIN = 'dist/apps/cli/src/main.js';
const SERVICES = CELL_SERVICES;
type Service = CellService;
/** The commands each service serves, by subject prefix (docs/subjects.md). */
const OWN_COMMANDS: Record<Service, string> = {
  audit: 'sb.cmd.audit.',
  'mcp-tools': 'sb.cmd.tools.',
  orchestrator: 'sb.cmd.orchestrator.',
  a2a: 'sb.cmd.a2a.',
  'xmpp-bridge': 'sb.cmd.xmpp.',
  gateway: 'sb.cmd.gateway.',
};

/** The subjects of the `sb_nats_handled_total` lines of one service's /metrics, each with its service label. */
async function handled(url: string): Promise<{ subject: string; service: string }[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^sb_nats_handled_total\{(.*)\} \S+$/gm)].map((m) => ({
    subject: /subject="([^"]*)"/.exec(m[1]!)?.[1] ?? '',
    service: /service="([^"]*)"/.exec(m[1]!)?.[1] ?? '',
  }));
}

// The cell (apps/cell): all six services in one Node process, each with its own settings (its
// <SERVICE>__<KEY> values), its own NATS identity on a NATS that enforces them, its own HTTP port and
// metrics.
describe('the cell: every service in one process', () => {
  let stack: Stack;
  let prosody: PrivateProsody;
  let cell: RunningCell;
  let urls: Record<Service, string>;
  const url = (s: Service) => urls[s];
  const logDir = tempDir('cell');

  beforeAll(async () => {
    const password = `pw-${randomUUID()}`;
    [stack, prosody] = await Promise.all([
      startStack({ services: [], natsIdentities: true }),
      startPrivateProsody({
        accounts: [{ user: 'platform', host: 'agents.switchboard.local', password }],
      }),
    ]);
    const own: Record<Service, Record<string, string>> = {
      audit: stack.envOf('audit'),
      'mcp-tools': stack.envOf('mcp-tools'),
      orchestrator: stack.envOf('orchestrator'),
      a2a: stack.envOf('a2a'),
      gateway: stack.envOf('gateway'),
      'xmpp-bridge': {
        ...stack.envOf('xmpp-bridge'),
        AZTM_JID: 'platform@agents.switchboard.local',
        AZTM_PASSWORD: password,
        AZTM_HOST: '127.0.0.1',
        AZTM_PORT: String(prosody.c2sPort),
        AZTM_TLS: 'starttls',
        XMPP_BRIDGE_CA_FILE: prosody.caFile,
        AZTM_SERVER_MODE: 'false',
      },
    };
    cell = await startCell({ name: 'cell', logDir, services: own });
    urls = cell.urls as Record<Service, string>;
    expect(Object.keys(urls).sort()).toEqual([...SERVICES].sort());
  });

  afterAll(async () => {
    await cell?.process.stop(15_000);
    await Promise.allSettled([stack?.stop(), prosody?.stop()]);
  });

  it('runs the demo task, leaves the audit trail, and each service counts the commands it handled', async () => {
    // What crosses NATS on command subjects, read as the operator; and `switchboard tail` (the
    // built CLI) as the operator, which shows the copies of what the cell served in-process too.
    const raw = await connectAs(stack.securedNats!.identities.operator);
    const crossed: string[] = [];
    raw.subscribe('sb.cmd.>', { callback: (_e, m) => void crossed.push(m.subject) });
    await raw.flush();
    const tail = spawnManaged(
      process.execPath,
      [join(repoRoot, CLI_MAIN), 'tail', '--replies', '--json'],
      { name: 'cell-tail', cwd: repoRoot, env: stack.securedNats!.identities.operator.env, logDir },
    );
    await waitFor(() => tail.logs().includes('tailing sb.>'), { what: 'the tail subscribed' });
    const user = `cell-${randomUUID()}`;
    const response = await fetch(`${url('gateway')}/orchestrate/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ task: DEMO_TASK }),
    });
    expect(response.status).toBe(200);
    const taskId = response.headers.get('x-task-id')!;
    const events = (await collectSse(response)).map((e) =>
      Tasks.TaskEvent.parse(JSON.parse(e.data)),
    );
    const final = events.at(-1)!;
    expect(final.name).toBe('orchestrator.task.completed');
    expect(final.name === 'orchestrator.task.completed' && final.data.result).toContain(
      '17 * 23 = 391',
    );

    const audit = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string; source: string }>(
          'SELECT action, source FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq',
          [taskId],
        );
        return rows.length >= 4 ? rows : undefined;
      },
      { what: 'audit rows of the task' },
    );
    expect(audit.map((r) => `${r.source} ${r.action}`).sort()).toEqual([
      'gateway task.submit',
      'mcp-tools tool.call',
      'mcp-tools tool.call',
      'orchestrator task.completed',
    ]);

    // The services' requests to each other were served in the process (the in-process bus): none
    // crossed NATS, and the operator's tail showed each, and its reply, from the copies.
    try {
      const lines = await waitFor(
        () => {
          const seen = tail
            .logs()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map(
              (l) => JSON.parse(l) as { kind: string; subject: string; data: { tool?: string } },
            );
          const calls = seen.filter((l) => l.subject === `sb.cmd.tools.call.${taskId}`);
          return calls.length >= 2 ? seen : undefined;
        },
        { what: "the task's tool calls in the tail" },
      );
      const calls = lines.filter((l) => l.subject === `sb.cmd.tools.call.${taskId}`);
      expect(calls.map((c) => [c.kind, c.data.tool]).sort()).toEqual([
        ['publish', 'calculator'],
        ['publish', 'notes.add'],
      ]);
      // their answers, on the callers' local inboxes (the tail shows NATS' own replies too)
      const replies = lines.filter(
        (l) => l.kind === 'reply' && /^_INBOX\.[a-z-]+\.local\./.test(l.subject),
      );
      expect(replies.length).toBeGreaterThanOrEqual(2);
      expect(crossed).toEqual([]);
    } finally {
      await tail.stop(2_000);
      await raw.close();
    }

    // Every service's /metrics counts only the commands it served, under its own name.
    const tools = await handled(url('mcp-tools'));
    expect(tools.map((h) => h.subject)).toEqual(
      expect.arrayContaining(['sb.cmd.tools.manifest', 'sb.cmd.tools.call.{taskId}']),
    );
    for (const s of SERVICES) {
      const lines = await handled(url(s));
      expect({ s, foreign: lines.filter((h) => !h.subject.startsWith(OWN_COMMANDS[s])) }).toEqual({
        s,
        foreign: [],
      });
      expect(lines.every((h) => h.service === s)).toBe(true);
    }
    // Each service kept its own NATS identity: the server refused nothing.
    expect(stack.securedNats!.violations()).toEqual([]);
  });

  it('refuses an SB_SERVICES value naming a service it does not know, naming it', async () => {
    const bad = spawnManaged(process.execPath, [CELL], {
      env: { PATH: process.env['PATH'] ?? '', SB_SERVICES: 'gateway,orchestra' },
      cwd: repoRoot,
      name: 'cell-bad',
      logDir,
    });
    expect(await bad.exited).toBe(1);
    await bad.settled;
    expect(bad.logs()).toContain(
      'cell: SB_SERVICES names unknown service: "orchestra" (known: all, or a comma-separated list of gateway, orchestrator, mcp-tools, a2a, audit, xmpp-bridge)',
    );
  });
});
