import {
  createTestDatabase,
  DEMO_TASK,
  DEMO_TASK_EVENTS,
  deleteRedisKeys,
  disposableTempDir,
  pidAlive,
  portBelowEphemeral,
  portFree,
  portOpen,
  repoRoot,
  spawnManaged,
  testRedisPrefix,
  type TestDatabase,
  waitFor,
} from '@switchboard/testing';
import { NATS_IDENTITIES } from '@switchboard/contracts';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * The README's run command, `npm run up`, as a user runs it — twice — and `npm run down`, on a stack of
 * its own: its state in a temporary SB_RUN_DIR, its ports at a free SB_PORT_BASE (its NATS at +1322)
 * and SB_XMPP_PORT, fresh (empty) databases and its own Redis key prefix, so it collides with neither a
 * developer's running stack nor another test run. Everything else is the script itself (but its build
 * step, see npmRun): setup, migrations, the stack's NATS with one identity per service, the stack's Prosody and accounts, the
 * sample agents and their bridges, the six services — the first run in the default shape (the cell: one
 * process per core under a primary, SB_CELLS=auto), the second with SB_SHAPE=services (one process
 * each) —, and both demo tasks printed from
 * the gateway's event stream.
 */

/** Offsets from SB_PORT_BASE that the stack listens on (infra/lib.sh, examples/agents.sh). */
const PORT_OFFSETS = [0, 1, 2, 3, 4, 5, 105, 106, 1101, 1102, 1322];

/**
 * A base port whose every offset is free right now (random, so parallel runs rarely even try the
 * same), below the kernel's ephemeral range: the stack holds its ports for minutes while other
 * tests' outgoing connections are numbered from that range (a CI run's stack NATS could not bind
 * its port so, and `up` gave up after 30 s).
 */
async function freePortBase(): Promise<number> {
  const span = Math.max(...PORT_OFFSETS) + 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = portBelowEphemeral(span);
    const free = await Promise.all(PORT_OFFSETS.map((o) => portFree(base + o)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port base found in 50 attempts');
}

interface Run {
  code: number | null;
  output: string;
}

/**
 * Runs `npm run <script>` in the repository with `env`; resolves with its exit code and output. `up`
 * runs with --no-build: the suite built dist/ before any file ran (the e2e target's dependencies), and
 * a build now would restore dist/ from Nx's cache — delete and copy it — under the processes the other
 * jest worker is starting from it at that moment (a service or cell then dies on a missing module).
 */
function npmRun(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const args =
      script === 'up'
        ? ['run', '--silent', script, '--', '--no-build']
        : ['run', '--silent', script];
    const child = spawn('npm', args, {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`npm run ${script} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The event names the demo printer (tools/demo.mjs) listed for the demo that starts at `marker`. */
function demoEvents(output: string, marker: string): string[] {
  const start = output.indexOf(marker);
  if (start < 0) return [];
  const end = output.indexOf('\nAnswer:', start);
  return output
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .map((line) => /^\s*\d+\s+([a-z0-9]+(?:\.[a-z0-9_]+)+)\s/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** name → PID of every process the scripts recorded in SB_RUN_DIR/pids. */
function recordedPids(runDir: string): Map<string, number> {
  const dir = join(runDir, 'pids');
  const pids = new Map<string, number>();
  if (!existsSync(dir)) return pids;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) pids.set(file.replace(/\.pid$/, ''), pid);
  }
  return pids;
}

/** The stack's Prosody PID, as infra/prosody/instance.mjs recorded it in the instance directory. */
function prosodyPid(runDir: string): number | undefined {
  const file = join(runDir, 'prosody', 'instance.json');
  if (!existsSync(file)) return undefined;
  const pid = Number((JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * The delegation demo's two A2A calls went over XMPP; the bridge may also have fetched the agents'
 * cards in that task (2 + 2 exchanges), since a task that plans no delegation does not list agents.
 */
function expectDelegationsOverXmpp(output: string): void {
  expect(output).toMatch(/the xmpp-bridge carried [24] HTTP exchanges over XMPP/);
  for (const agent of ['researcher', 'writer'])
    expect(output).toMatch(
      new RegExp(
        `POST http://${agent}\\.agents\\.switchboard\\.local/a2a -> XMPP ${agent}@\\S+  200`,
      ),
    );
}

describe('the README run command: npm run up (twice) and npm run down, on a stack of its own', () => {
  const MINUTES = 60_000;
  let runDir: ReturnType<typeof disposableTempDir>;
  let dbs: TestDatabase[] = [];
  let tools: TestDatabase;
  let audit: TestDatabase;
  let redisPrefix: string;
  let base: number;
  let xmppPort: number;
  let env: NodeJS.ProcessEnv;
  const seenPids = new Set<number>();

  beforeAll(async () => {
    runDir = disposableTempDir('up');
    const orchestrator = await createTestDatabase('up_orchestrator');
    tools = await createTestDatabase('up_tools');
    audit = await createTestDatabase('up_audit');
    dbs = [orchestrator, tools, audit];
    redisPrefix = testRedisPrefix('up');
    base = await freePortBase();
    for (;;) {
      xmppPort = portBelowEphemeral(2);
      if ((await portFree(xmppPort)) && (await portFree(xmppPort + 1))) break;
    }
    // A user's shell: none of jest's own settings (NODE_ENV=test, its NODE_OPTIONS) leak into the stack,
    // nor an LLM of the shell running the tests.
    const {
      NODE_ENV: _nodeEnv,
      NODE_OPTIONS: _nodeOptions,
      OPENAI_API_KEY: _key,
      OPENAI_BASE_URL: _url,
      PLANNER: _planner,
      // The first run is the default shape (the cell), whatever the shell running the tests chose.
      SB_SHAPE: _shape,
      // …and as many cells as users get (auto)
      SB_CELLS: _cells,
      ...shell
    } = process.env;
    env = {
      ...shell,
      SB_RUN_DIR: runDir.path,
      SB_PORT_BASE: String(base),
      SB_XMPP_PORT: String(xmppPort),
      SB_XMPP_TLS_PORT: String(xmppPort + 1),
      SB_ENV_FILE: join(runDir.path, 'no.env'),
      // The demos' events below are the built-in planner's: no LLM from the shell or this machine.
      SB_LLM_DETECT: '0',
      // NATS is the stack's own (at SB_PORT_BASE + 1322); PostgreSQL and Redis are the machine's.
      ORCHESTRATOR_DATABASE_URL: orchestrator.url,
      MCP_TOOLS_DATABASE_URL: tools.url,
      AUDIT_DATABASE_URL: audit.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TASK_LOG_DIR: join(runDir.path, 'task-logs'),
    };
    // The databases are empty: `up` applies every migration itself.
    const tables = await tools.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables).toEqual([]);
  });

  afterAll(async () => {
    if (env) {
      // `down` is safe to repeat; then anything recorded that still runs (a failed run) goes by PID.
      await npmRun('down', env, 2 * MINUTES).catch(() => undefined);
      for (const pid of [...recordedPids(runDir.path).values(), ...seenPids]) {
        if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
    for (const db of dbs) await db.drop();
    if (redisPrefix) await deleteRedisKeys(redisPrefix);
    runDir?.remove();
  }, 5 * MINUTES);

  it(
    'brings the stack up, prints both demos, is safe to run again, and down stops only what it started',
    async () => {
      // --- first run --------------------------------------------------------------------------------
      const first = await npmRun('up', env, 10 * MINUTES);
      if (first.code !== 0)
        throw new Error(`npm run up exited with ${first.code}:\n${first.output}`);

      // Demo 1: the full event stream, ending in 391 saved as a note — and the note is in PostgreSQL.
      expect(first.output).toContain('planner: built-in (');
      expect(demoEvents(first.output, `demo: "${DEMO_TASK}"`)).toEqual(DEMO_TASK_EVENTS);
      const answer = /Answer: 17 \* 23 = 391\. Saved note ([0-9a-f-]{36}): "391"\./.exec(
        first.output,
      );
      expect(answer).not.toBeNull();
      const noteId = answer![1]!;
      expect(await tools.query('SELECT content FROM "Note" WHERE id = $1', [noteId])).toEqual([
        { content: '391' },
      ]);

      // Demo 2: two delegations whose HTTP crossed XMPP through the bridge.
      const delegation = demoEvents(first.output, 'demo: "ask the researcher');
      expect(delegation.filter((e) => e === 'a2a.delegation.started')).toHaveLength(2);
      expect(delegation.filter((e) => e === 'a2a.delegation.result')).toHaveLength(2);
      expect(delegation.at(-1)).toBe('orchestrator.task.completed');
      expect(first.output).toMatch(/agent researcher over XMPP/);
      expectDelegationsOverXmpp(first.output);

      // The demo's audit trail (written asynchronously, in batches): its submission, both tool
      // calls and its completion, each once.
      const taskId = /← 200 task ([0-9a-f-]{36})/.exec(first.output)?.[1];
      expect(taskId).toBeDefined();
      const trail = await waitFor(
        async () => {
          const rows = await audit.query<{ action: string; resource: string }>(
            'SELECT action, resource FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq',
            [taskId],
          );
          return rows.length >= 4 ? rows : undefined;
        },
        { what: "the demo task's audit rows", timeoutMs: 30_000 },
      );
      expect(trail.map((r) => `${r.action} ${r.resource}`).sort()).toEqual(
        [
          `task.submit ${taskId}`,
          'tool.call calculator',
          'tool.call notes.add',
          `task.completed ${taskId}`,
        ].sort(),
      );

      // Its NATS: the stack's own, a user per identity, each service connected as itself, and the
      // server refused none of their traffic.
      const natsDir = join(runDir.path, 'nats');
      const conf = readFileSync(join(natsDir, 'nats.conf'), 'utf8');
      for (const identity of NATS_IDENTITIES)
        expect(conf).toContain(`# ${identity}\n      nkey: "U`);
      expect(first.output).toContain(`NATS          nats://127.0.0.1:${base + 1322}`);
      expect(readFileSync(join(natsDir, 'nats.log'), 'utf8')).not.toMatch(/Violation/);
      const natsPid = Number(readFileSync(join(natsDir, 'nats.pid'), 'utf8'));
      seenPids.add(natsPid);

      // `npm run tail` with no setting: the stack's NATS, as the operator; the demo task replayed.
      const tail = spawnManaged(
        'npm',
        ['run', '--silent', 'tail', '--', '--task', taskId!, '--json'],
        { name: 'tail-up', cwd: repoRoot, env: { SB_RUN_DIR: runDir.path } },
      );
      try {
        // It says where it tails once the replay of the task's events and audit records is over.
        await waitFor(() => tail.logs().includes('(Ctrl-C to stop)'), {
          what: "the operator's tail replaying the demo task",
        });
        expect(tail.logs()).toContain('"name":"orchestrator.task.completed"');
        expect(tail.logs()).toContain("via the local stack's NATS, as operator");
      } finally {
        await tail.stop(2_000);
      }

      // It keeps running where it said, and `npm run status` agrees.
      expect(first.output).toContain(`gateway       http://127.0.0.1:${base}`);
      // The web console is served, where up.sh says.
      expect(first.output).toContain(`console       http://127.0.0.1:${base}/console/`);
      const page = await fetch(`http://127.0.0.1:${base}/console/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Switchboard console</title>');
      const ready = await fetch(`http://127.0.0.1:${base}/readiness`);
      expect(ready.status).toBe(200);
      const status = await npmRun('status', env, 2 * MINUTES);
      expect({ code: status.code, output: status.output }).toMatchObject({ code: 0 });
      expect(status.output).toMatch(
        new RegExp(`gateway\\s+\\d+\\s+200\\s+http://127\\.0\\.0\\.1:${base}`),
      );
      expect(status.output).toMatch(
        new RegExp(`nats\\s+up \\(ours\\)\\s+127\\.0\\.0\\.1:${base + 1322}`),
      );

      // The default shape: the six services in the cell — one process per core but one
      // (SB_CELLS=auto) under a primary, or one process on a machine of one or two cores; the sample
      // agents beside it.
      const firstPids = recordedPids(runDir.path);
      const cellPids: number[] = [];
      if (availableParallelism() <= 2)
        expect(first.output).toMatch(/services .* one process, the cell: pid \d+/);
      else {
        const cells = new RegExp(
          `services .* (\\d+) cells \\(SB_CELLS=auto\\) under pid ${firstPids.get('cell')}: pids ([\\d ]+);`,
        ).exec(first.output);
        expect(cells).not.toBeNull();
        cellPids.push(...cells![2]!.split(' ').map(Number));
        expect(cellPids).toHaveLength(Number(cells![1]));
        expect(cellPids.length).toBeGreaterThan(1);
        expect(cellPids.length).toBe(availableParallelism() - 1);
        for (const pid of cellPids) {
          expect(pidAlive(pid)).toBe(true);
          seenPids.add(pid);
          // `status` lists each cell
          expect(status.output).toMatch(new RegExp(`cell \\d+\\s+${pid}\\s`));
        }
        expect(status.output).toMatch(new RegExp(`primary\\s+${firstPids.get('cell')}\\s`));
      }
      expect([...firstPids.keys()].sort()).toEqual(
        ['agent-researcher', 'agent-writer', 'bridge-researcher', 'bridge-writer', 'cell'].sort(),
      );
      for (const pid of firstPids.values()) seenPids.add(pid);
      const prosody = prosodyPid(runDir.path);
      expect(prosody).toBeDefined();
      seenPids.add(prosody!);

      // --- second run: the same command again, in the other shape: one process per service ---------
      const second = await npmRun('up', { ...env, SB_SHAPE: 'services' }, 10 * MINUTES);
      if (second.code !== 0)
        throw new Error(`the second npm run up exited with ${second.code}:\n${second.output}`);
      expect(demoEvents(second.output, `demo: "${DEMO_TASK}"`)).toEqual(DEMO_TASK_EVENTS);
      expect(second.output).toMatch(/Answer: 17 \* 23 = 391\. Saved note [0-9a-f-]{36}: "391"\./);
      expectDelegationsOverXmpp(second.output);
      // The services were restarted (new processes, one each; the cell gone), not started twice.
      const secondPids = recordedPids(runDir.path);
      expect(pidAlive(firstPids.get('cell')!)).toBe(false);
      for (const pid of cellPids)
        expect({ pid, alive: pidAlive(pid) }).toEqual({ pid, alive: false });
      expect(secondPids.has('cell')).toBe(false);
      for (const svc of ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit', 'xmpp-bridge']) {
        expect(secondPids.get(svc)).toBeDefined();
        expect(pidAlive(secondPids.get(svc)!)).toBe(true);
      }
      for (const pid of secondPids.values()) seenPids.add(pid);
      // Its NATS was restarted too, with the same identities (the demo ran through it again).
      const natsPid2 = Number(readFileSync(join(natsDir, 'nats.pid'), 'utf8'));
      expect(natsPid2).not.toBe(natsPid);
      expect(pidAlive(natsPid)).toBe(false);
      seenPids.add(natsPid2);
      expect(readFileSync(join(natsDir, 'nats.log'), 'utf8')).not.toMatch(/Violation/);
      const notes = await tools.query<{ n: number }>('SELECT count(*)::int AS n FROM "Note"');
      expect(notes).toEqual([{ n: 2 }]);

      // --- down -------------------------------------------------------------------------------------
      const down = await npmRun('down', env, 3 * MINUTES);
      expect({ code: down.code, output: down.output }).toMatchObject({ code: 0 });
      expect(down.output).toContain('leaving them alone');
      for (const pid of seenPids)
        expect({ pid, alive: pidAlive(pid) }).toEqual({ pid, alive: false });
      for (const offset of PORT_OFFSETS) {
        expect({ port: base + offset, open: await portOpen(base + offset) }).toEqual({
          port: base + offset,
          open: false,
        });
      }
      expect(await portOpen(xmppPort)).toBe(false);
      // What it did not start keeps running: the machine's PostgreSQL and Redis.
      expect(await tools.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await portOpen(6379)).toBe(true);
    },
    25 * MINUTES,
  );
});
