import { Tasks } from '@switchboard/contracts';
import {
  auditStreamDrained,
  type BusClient,
  createBusClient,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { join } from 'node:path';
import pg from 'pg';
import { eventsNamed, submitTask, terminal } from './task-client.js';

// Transient unavailability must not fail tasks: real orchestrator, mcp-tools, audit (and a2a)
// processes on a private NATS that is stopped and started again; the built-in planner (no LLM).
describe('outages (real processes; NATS, mcp-tools and a2a go away and come back)', () => {
  let stack: Stack;
  let client: BusClient;
  const extra: ServiceHandle[] = [];

  beforeAll(async () => {
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      env: {
        orchestrator: {
          TASK_TIMEOUT_MS: '120000',
          // The default, set here because the tests depend on it: every outage they play (NATS,
          // mcp-tools, a2a restarting) must end within it, also on a busy machine where a service
          // takes seconds to start; none of them waits it out. The one test that does (an agent
          // down for good) restarts the orchestrator with a short one.
          TASK_OUTAGE_WAIT_MS: '30000',
          // Retries every 250 ms at most (not 2 s) while a service or NATS is away: a task sees it
          // back within a quarter second instead of up to two. The same retries, sooner.
          TASK_OUTAGE_RETRY_MAX_DELAY_MS: '250',
          // mcp-tools and a2a beat every second while they work on its requests (2 s by default):
          // an a2a killed mid-delegation is taken for gone after 3 s, not 6.
          NATS_COMMAND_HEARTBEAT_MS: '1000',
        },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway', stack.natsSettings('gateway'));
  });

  afterAll(async () => {
    await client?.close();
    await Promise.allSettled(extra.map((s) => s.stop()));
    await stack?.stop();
  });

  const notes = async (content: string) =>
    (
      await stack.dbs.tools.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM "Note" WHERE content = $1',
        [content],
      )
    )[0]?.n;
  const callState = async (key: string) =>
    (
      await stack.dbs.tools.query<{ status: string }>(
        'SELECT status FROM "ToolCall" WHERE "idempotencyKey" = $1',
        [key],
      )
    )[0]?.status;

  /**
   * Every event of a task journaled so far, in seq order. Read from the journal, not from
   * SB_TASK_EVENTS: events are published live after their commit (at most once) and the stream only
   * captures what was published — what went out while NATS was down is in the journal alone (a
   * landing run missed `mcp.task.started` so).
   */
  async function storedEvents(taskId: string): Promise<Tasks.TaskEvent[]> {
    const rows = await stack.dbs.orchestrator.query<{ event: unknown }>(
      'SELECT event FROM "TaskEvent" WHERE "taskId" = $1 ORDER BY seq',
      [taskId],
    );
    return rows.map((r) => Tasks.TaskEvent.parse(r.event));
  }

  /** Every event of a task once its journal holds its terminal event. */
  async function finished(taskId: string): Promise<Tasks.TaskEvent[]> {
    let last: Tasks.TaskEvent[] = [];
    try {
      return await waitFor(
        async () => {
          last = await storedEvents(taskId);
          return last.some((e) => Tasks.isTerminalTaskEvent(e)) ? last : undefined;
        },
        { timeoutMs: 60_000, what: `task ${taskId}'s terminal event` },
      );
    } catch (e) {
      // Say what the journal held, and what the orchestrator's row says.
      const [row] = await stack.dbs.orchestrator.query<{ status: string; lastEventSeq: number }>(
        'SELECT status, "lastEventSeq" FROM "Task" WHERE id = $1',
        [taskId],
      );
      throw new Error(
        `${(e as Error).message}; the journal held ${last.map((x) => `${x.seq}:${x.name}`).join(', ') || 'nothing'}; the row: ${JSON.stringify(row)}`,
        { cause: e },
      );
    }
  }

  it('a tool call whose reply was lost is answered from the idempotency store: completed, one note', async () => {
    const content = `lost reply ${Date.now()}`;
    // Holds notes.add inside mcp-tools (its INSERT waits for the lock) while the test breaks the
    // reply path: NATS goes down, the note is stored, mcp-tools dies with the reply unsent.
    const lock = new pg.Client({ connectionString: stack.dbs.tools.url });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Note" IN EXCLUSIVE MODE');
      const task = await submitTask(client, { task: `add a note saying ${content}` });
      const key = `${task.taskId}:s1`;
      await waitFor(async () => (await callState(key)) === 'running', {
        what: 'notes.add running',
      });
      await stack.nats.stop();
      await lock.query('COMMIT');
      await waitFor(async () => (await callState(key)) === 'completed', {
        what: 'the note stored while NATS is down',
      });
      await stack.services['mcp-tools']!.kill();
      await stack.nats.start();
      await stack.restart('mcp-tools');

      // The task's events are read from its journal until they end.
      const events = await finished(task.taskId);
      expect(terminal(events)).toMatchObject({
        name: 'orchestrator.task.completed',
        data: { steps: 1 },
      });
      expect(await notes(content)).toBe(1);
      const [completed] = eventsNamed(events, 'mcp.task.completed');
      expect(completed?.data.output).toMatchObject({ content });
      expect(eventsNamed(events, 'mcp.task.started')).toHaveLength(1);
      expect(await callState(key)).toBe('completed');
      const log = stack.services['orchestrator']!.logs();
      expect(log).toContain(
        'tool call got no reply; sending it again with the same idempotency key',
      );
      // One call, one audit record: the retry answered from the store is not a second call (the
      // first record may have died with mcp-tools; the retry's stands for it under the same id).
      // Its success record comes back in the reply and is journaled with the step, so once the
      // task's end record is stored, nothing the journal owes is unrelayed (rows are marked once
      // the audit service answered) and SB_AUDIT is drained, every record of the call is in.
      const rows = () =>
        stack.dbs.audit.query<{ action: string; outcome: string }>(
          `SELECT action, outcome FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq`,
          [task.taskId],
        );
      const unrelayed = async () =>
        (
          await stack.dbs.orchestrator.query(
            `SELECT 1 FROM "JournalOutbox" WHERE "taskId" = $1 AND "relayedAt" IS NULL`,
            [task.taskId],
          )
        ).length;
      const audited = await waitFor(
        async () => {
          const all = await rows();
          return all.some((r) => r.action === 'task.completed') &&
            (await unrelayed()) === 0 &&
            (await auditStreamDrained(stack))
            ? all
            : undefined;
        },
        { what: "the task's audit trail" },
      );
      expect(audited.filter((r) => r.action === 'tool.call')).toEqual([
        { action: 'tool.call', outcome: 'success' },
      ]);
    } finally {
      await lock.end();
    }
  });

  /** How often each running service has logged losing its NATS connection so far. */
  const disconnects = () =>
    Object.fromEntries(
      Object.entries(stack.services).map(([name, s]) => [
        name,
        s.logs().split('NATS disconnected; reconnecting').length - 1,
      ]),
    );

  /**
   * The outage lasts until everything it is meant to do to the services has happened: each has lost
   * its connection (and logged it) and reports not ready, the call in flight completed in mcp-tools
   * with nobody to take its reply, and the orchestrator has given up on that reply and is sending the
   * call again (waiting for the connection). Not a fixed time: what a longer outage adds is only more
   * of the same waiting (reconnect attempts every 500 ms, within TASK_OUTAGE_WAIT_MS).
   */
  async function outageFelt(before: Record<string, number>, taskId: string, key: string) {
    await waitFor(
      () => Object.entries(disconnects()).every(([name, n]) => n > (before[name] ?? 0)),
      { what: 'every service to log its lost NATS connection' },
    );
    await waitFor(
      async () => {
        const states = await Promise.all(
          Object.values(stack.services).map(async (s) =>
            fetch(`${s.url}/readiness`).then(
              (r) => r.status,
              () => 0,
            ),
          ),
        );
        return states.every((status) => status === 503);
      },
      { what: 'every service to report itself not ready' },
    );
    await waitFor(async () => (await callState(key)) === 'completed', {
      what: 'the note stored while NATS is down',
    });
    await waitFor(
      () =>
        stack.services['orchestrator']!.logs()
          .split('\n')
          .some(
            (line) =>
              line.includes(taskId) &&
              line.includes(
                'tool call got no reply; sending it again with the same idempotency key',
              ),
          ),
      { what: 'the orchestrator to send the call in flight again' },
    );
  }

  it('NATS down until every service felt it: a task with a call in flight completes (one note), tasks submitted right after complete', async () => {
    const content = `outage ${Date.now()}`;
    const lock = new pg.Client({ connectionString: stack.dbs.tools.url });
    await lock.connect();
    let inFlight: Awaited<ReturnType<typeof submitTask>>;
    let key: string;
    const before = disconnects();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE "Note" IN EXCLUSIVE MODE');
      inFlight = await submitTask(client, { task: `add a note saying ${content}` });
      key = `${inFlight.taskId}:s1`;
      await waitFor(async () => (await callState(key)) === 'running', {
        what: 'notes.add running',
      });
      await stack.nats.stop();
      await lock.query('COMMIT');
    } finally {
      await lock.end();
    }
    await outageFelt(before, inFlight.taskId, key);
    await stack.nats.start();
    await waitFor(() => client.bus.connected, { what: 'the test client to reconnect' });
    const after = await Promise.all(
      [1, 2].map((n) => submitTask(client, { task: `what is ${n} * 100` })),
    );
    for (const t of [inFlight, ...after]) {
      expect(terminal(await finished(t.taskId)).name).toBe('orchestrator.task.completed');
    }
    expect(await notes(content)).toBe(1);
  }, 90_000);

  it('tasks submitted while mcp-tools restarts complete once it is back', async () => {
    await stack.services['mcp-tools']!.stop();
    const tasks = await Promise.all(
      [1, 2, 3].map((n) => submitTask(client, { task: `what is ${n} + 40` })),
    );
    // They reach the orchestrator and wait: nobody answers sb.cmd.tools.manifest for now.
    await Promise.all(tasks.map((t) => t.next('orchestrator.task.started')));
    await stack.restart('mcp-tools');
    const outcomes = await Promise.all(tasks.map(async (t) => terminal(await t.done)));
    expect(
      outcomes.map((e) => [e.name, e.name === 'orchestrator.task.completed' && e.data.result]),
    ).toEqual([
      ['orchestrator.task.completed', expect.stringContaining('41')],
      ['orchestrator.task.completed', expect.stringContaining('42')],
      ['orchestrator.task.completed', expect.stringContaining('43')],
    ]);
  });

  describe('the a2a service', () => {
    let researcher: ServiceHandle;
    let a2a: ServiceHandle;

    beforeAll(async () => {
      // A step every 700 ms: a delegation is still working when a test kills the a2a service.
      researcher = await startService(
        'agent-researcher',
        { NODE_OPTIONS: '--import tsx', AGENT_KIND: 'researcher', AGENT_STEP_DELAY_MS: '700' },
        { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts'), logDir: stack.logDir },
      );
      extra.push(researcher);
    });

    const a2aEnv = () => ({
      ...stack.envOf('a2a'),
      A2A_AGENTS: `researcher=${researcher.url}`,
      A2A_AGENT_POLICY: 'user=*',
      // A killed a2a's delegation record is three renewals old after 1.5 s (not 6 s): the next a2a
      // takes the repeated delegation over that much sooner, following the agent's task.
      A2A_DELEGATION_RENEW_MS: '500',
    });

    const executed = async () =>
      ((await (await fetch(`${researcher.url}/stats`)).json()) as { executed: number }).executed;

    it('back within the budget: the task waits for it and completes', async () => {
      const task = await submitTask(client, { task: 'ask the researcher about the moon' });
      await task.next('orchestrator.planning.started');
      a2a = await startService('a2a', a2aEnv(), { logDir: stack.logDir });
      extra.push(a2a);
      const events = await task.done;
      expect(terminal(events).name).toBe('orchestrator.task.completed');
      expect(eventsNamed(events, 'a2a.delegation.result')).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ agent: 'researcher' }) }),
      ]);
    });

    it('killed mid-delegation and started again: the task completes and the agent ran its task once', async () => {
      const before = await executed();
      const task = await submitTask(client, { task: 'ask the researcher about the tides' });
      const working = await task.next('a2a.delegation.status');
      await a2a.kill();
      a2a = await startService('a2a', a2aEnv(), { logDir: stack.logDir });
      extra.push(a2a);
      const events = await task.done;
      expect(terminal(events).name).toBe('orchestrator.task.completed');
      const [result] = eventsNamed(events, 'a2a.delegation.result');
      expect(result?.data).toMatchObject({
        agent: 'researcher',
        state: 'TASK_STATE_COMPLETED',
        remoteTaskId: (working.data as { remoteTaskId?: string }).remoteTaskId,
      });
      // The new a2a process followed the agent's task; the agent was not asked a second time.
      expect(await executed()).toBe(before + 1);
      expect(a2a.logs()).toContain('following the remote task of a delegation started elsewhere');
    });

    it('down for good: a task that names an agent fails UPSTREAM_UNAVAILABLE, retryable — not UNSUPPORTED (TASK_OUTAGE_WAIT_MS 2 s here)', async () => {
      // The agent list is asked for until TASK_OUTAGE_WAIT_MS runs out: 2 s rather than the 30 s the
      // other tests need, so this test waits out the same budget in a fifteenth of the time.
      await a2a.stop();
      await stack.restart('orchestrator', { TASK_OUTAGE_WAIT_MS: '2000' });
      const task = await submitTask(client, { task: 'ask the researcher about tides' });
      const last = terminal(await task.done) as Tasks.TaskEventOf<'orchestrator.task.failed'>;
      expect(last.name).toBe('orchestrator.task.failed');
      expect(last.data.error).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        message: expect.stringMatching(/agent "researcher" cannot be reached now: .*a2a/),
      });
    });
  });
});
