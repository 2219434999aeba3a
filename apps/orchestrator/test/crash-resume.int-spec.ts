import {
  type BusClient,
  createBusClient,
  type LlmStub,
  type ServiceHandle,
  type Stack,
  startLlmStub,
  startService,
  startStack,
  toolResults,
  waitFor,
} from '@switchboard/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsNamed, submitTask, terminal } from './task-client.js';

// An orchestrator killed (SIGKILL) mid-task: JetStream hands the task to another replica, which resumes
// it from the stored planning rounds and steps, without re-planning or re-running completed work.
describe('crash safety (two orchestrator processes, real mcp-tools, NATS, PostgreSQL; scripted LLM)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let client: BusClient;
  const extra: ServiceHandle[] = [];

  beforeAll(async () => {
    llm = await startLlmStub();
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          LLM_MODEL: 'stub-model',
          LLM_MAX_RETRIES: '0',
          TASK_ACK_WAIT_MS: '2000',
        },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway');
  });

  afterAll(async () => {
    await client?.close();
    await Promise.allSettled(extra.map((s) => s.stop()));
    await stack?.stop();
    await llm?.stop();
  });

  /** Runs `task` on the current replica until the stub holds round 2, kills it, and lets a new one resume. */
  async function crashDuringRound2(
    task: string,
    afterKill: (taskId: string) => Promise<void> = async () => undefined,
  ) {
    const gate = llm.gate();
    const script = llm.script(task, [
      { toolCalls: [{ name: 'notes__add', arguments: { content: `${task} note` } }] },
      { content: 'never delivered', hold: gate },
      { content: 'Saved your note.' },
    ]);
    const first = stack.services['orchestrator']!;
    const submitted = await submitTask(client, { task });
    await gate.reached;
    const instance = `replica-${extra.length + 1}`;
    const second = await startService(
      'orchestrator',
      { ...stack.envOf('orchestrator'), INSTANCE_ID: instance },
      { logDir: stack.logDir },
    );
    extra.push(second);
    await first.kill();
    await afterKill(submitted.taskId);
    stack.services['orchestrator'] = second;
    const events = await submitted.done;
    return { submitted, events, script, instance };
  }

  it('resumes on another replica from the last completed step: the note is saved once, round 1 is not re-planned', async () => {
    const { submitted, events, script, instance } = await crashDuringRound2('CRASH-A: save a note');

    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Saved your note.', steps: 1 },
    });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const notes = await stack.dbs.tools.query<{ content: string }>(
      'SELECT content FROM "Note" WHERE "userId" = $1',
      [submitted.actor.userId],
    );
    expect(notes).toEqual([{ content: 'CRASH-A: save a note note' }]);
    // Round 1 went to the model once; round 2 twice (the first call died with its replica).
    expect(script.requests.map((r) => toolResults(r).length)).toEqual([0, 1, 1]);
    expect(script.requests[1]!.aborted).toBe(true);
    const replayed = eventsNamed(events, 'orchestrator.planning.completed').filter(
      (e) => e.data.replayed,
    );
    expect(replayed.map((e) => e.data.iteration)).toEqual([1]);
    // Only one notes.add ever reached mcp-tools.
    expect(eventsNamed(events, 'mcp.task.started')).toHaveLength(1);
    const log = readFileSync(join(stack.logDir, 'orchestrator.log'), 'utf8');
    expect(log).toMatch(new RegExp(`"instance":"${instance}".*resuming task after redelivery`));
  });

  it('does not repeat a completed non-idempotent tool call whose step was not yet stored (idempotency key)', async () => {
    // The narrowest crash window: the tool ran in mcp-tools but the dying replica never stored the step.
    const { submitted, events } = await crashDuringRound2(
      'CRASH-B: save a note',
      async (taskId) => {
        await stack.dbs.orchestrator.query('DELETE FROM "Step" WHERE "taskId" = $1', [taskId]);
      },
    );

    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Saved your note.' },
    });
    const notes = await stack.dbs.tools.query('SELECT id FROM "Note" WHERE "userId" = $1', [
      submitted.actor.userId,
    ]);
    expect(notes).toHaveLength(1);
    // The resumed replica asked again with the same key and got the first call's result back.
    const audited = await waitFor(async () => {
      const rows = await stack.dbs.audit.query<{ replayed: boolean }>(
        `SELECT (details->>'replayed')::boolean AS replayed FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'tool.call' ORDER BY seq`,
        [submitted.taskId],
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(audited).toEqual([{ replayed: false }, { replayed: true }]);
    const started = eventsNamed(events, 'mcp.task.started');
    expect(started.map((e) => e.data.stepId)).toEqual(['r1_c1', 'r1_c1']);
    const steps = await stack.dbs.orchestrator.query<{ status: string }>(
      'SELECT status FROM "Step" WHERE "taskId" = $1',
      [submitted.taskId],
    );
    expect(steps).toEqual([{ status: 'completed' }]);
  });
});
