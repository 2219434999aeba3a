import { Tasks } from '@switchboard/contracts';
import { type BusMessage, IGNORED_FAILURES, TrafficTap } from '@switchboard/messaging';
import {
  CELL_SERVICES,
  type CellService,
  collectSse,
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
    // the operator's view of the commands (as `switchboard tail` has it), copies included
    const tap = await TrafficTap.open({
      name: 'cell-e2e-operator',
      nats: stack.natsSettings('operator'),
      identity: 'operator',
      observer: IGNORED_FAILURES,
    });
    const commands: BusMessage[] = [];
    const watching = tap.subscribeRaw('sb.cmd.>', (m) => void commands.push(m));
    await watching.ready;
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

    // The services' requests to each other were served in the process (the in-process bus): the
    // operator saw each as a copy (answered on a local inbox), none crossing NATS.
    const toolCalls = await waitFor(
      () => {
        const calls = commands.filter((m) => m.subject === `sb.cmd.tools.call.${taskId}`);
        return calls.length >= 2 ? calls : undefined;
      },
      { what: "the copies of the task's tool calls" },
    );
    expect(toolCalls.map((m) => m.reply)).toEqual([
      expect.stringMatching(/^_INBOX\.orchestrator\.local\./),
      expect.stringMatching(/^_INBOX\.orchestrator\.local\./),
    ]);
    expect(toolCalls.map((m) => m.header('x-sb-source'))).toEqual(['orchestrator', 'orchestrator']);
    expect(commands.filter((m) => !m.reply?.includes('.local.')).map((m) => m.subject)).toEqual([]);
    watching.unsubscribe();
    await tap.close();

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
