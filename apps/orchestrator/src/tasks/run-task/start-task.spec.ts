import { jest } from '@jest/globals';
import { type Audit, DomainError, type Tasks } from '@switchboard/contracts';
import type { AgentVersions } from '../ports/agent-version.port.js';
import type { ContentScreen } from '../ports/content-screen.port.js';
import type { Planner } from '../../planning/planner.js';
import type { RunSources } from '../ports/run-source.port.js';
import { LIVE_RUN } from './live-run.source.js';
import type { CancellationRegistry } from '../cancellation.registry.js';
import { InMemoryJournal } from '../journal/in-memory.journal.js';
import type { JournalEntry } from '../journal/task-journal.repository.js';
import type { TaskEventLog } from '../task-event.log.js';
import { type JournalBatch, TaskEventSequence } from '../task-event.stream.js';
import type { TaskClaim, TaskRepository } from '../task.repository.js';
import { StartTask } from './start-task.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

/** The submission's own record, as the gateway puts it in the submission. */
const record: Audit.AuditRecordInput = {
  id: '0b4d2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
  at: new Date().toISOString(),
  category: 'request',
  action: 'task.submit',
  outcome: 'success',
  source: 'gateway',
  resource: TASK_ID,
  taskId: TASK_ID,
  actor: { userId: 'u1', role: 'user' },
  details: { length: 11 },
};

const submission = (audit?: Audit.AuditRecordInput): Tasks.TaskSubmission => ({
  taskId: TASK_ID,
  actor: { userId: 'u1', role: 'user' },
  request: { task: 'what is 1+1' } as Tasks.TaskRequest,
  submittedAt: new Date().toISOString(),
  correlationId: 'c1',
  ...(audit ? { audit: audit as Audit.AuditRecord } : {}),
});

/**
 * StartTask with a claim that makes the task new (`created`) or finds it claimed before (a
 * redelivery: its journal holds `lastSeq` events), and what each claim's statement journaled.
 */
function setup(
  found?: { lastSeq: number; status: TaskClaim['status'] },
  agents?: AgentVersions,
  planner: Planner = { kind: 'builtin' } as Planner,
) {
  const journal = new InMemoryJournal();
  const claimed: JournalEntry[] = [];
  const repository = {
    claim: async (_s: unknown, _p: unknown, _t: unknown, batch?: JournalBatch) => {
      // the claim's statement journals the batch only if it makes the task new (gated on `created`)
      if (batch && !found) claimed.push(batch.entry);
      batch?.committed({ journaled: !found, webhooksDue: 0 });
      return {
        resumed: !!found,
        status: found?.status ?? 'running',
        steps: [],
        startedAt: new Date(),
        waitedMs: 0,
      } satisfies TaskClaim;
    },
  } as unknown as TaskRepository;
  const eventLog = {
    open: async (taskId: string) =>
      new TaskEventSequence(taskId, 0, 'orchestrator', journal, {
        tenantId: 'default',
        userId: 'u1',
      }),
    continueAfterJournal: async (events: TaskEventSequence) => {
      events.restart(found?.lastSeq ?? 0);
      return events;
    },
    ensureTerminalEvent: async () => undefined,
  } as unknown as TaskEventLog;
  const sources: RunSources = {
    resolve: async (s) => ({ source: LIVE_RUN, submission: s }),
  };
  const guardrails = { checkInput: () => undefined } as unknown as ContentScreen;
  const cancellations = {
    register: () => new AbortController().signal,
  } as unknown as CancellationRegistry;
  const logger = { warn: jest.fn() };
  const config = {
    TASK_TIMEOUT_MS: 60_000,
    TASK_TOKEN_BUDGET: 0,
    LLM_PRICES: {},
    TASK_OUTAGE_WAIT_MS: 1_000,
    TASK_OUTAGE_RETRY_INITIAL_MS: 10,
    TASK_OUTAGE_RETRY_MAX_DELAY_MS: 100,
  } as unknown as ConstructorParameters<typeof StartTask>[5];
  const sut = new StartTask(
    repository,
    eventLog,
    sources,
    guardrails,
    cancellations,
    config,
    logger,
    planner,
    agents,
  );
  return { sut, journal, claimed, logger };
}

describe(StartTask.name, () => {
  it("journals the submission's audit record in the claim's own statement, with the task's first event", async () => {
    const { sut, claimed, journal } = setup();
    const started = await sut.start(submission(record));
    expect(claimed).toEqual([
      expect.objectContaining({
        events: [expect.objectContaining({ name: 'orchestrator.task.started' })],
        audit: [record],
      }),
    ]);
    // owed once: the task's next statement carries it no more
    await started?.run.events.flush();
    expect(journal.written).toEqual([]);
  });

  it('journals it no more when a redelivered submission finds its task claimed (its first claim did)', async () => {
    const { sut, claimed, journal } = setup({ lastSeq: 4, status: 'running' });
    const started = await sut.start(submission(record));
    expect(started?.run.resumed).toBe(true);
    expect(claimed).toEqual([]);
    started?.run.events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    await started?.run.events.flush();
    expect(journal.written.map((w) => [w.events.map((e) => e.seq), w.audit])).toEqual([[[5], []]]);
  });

  it("refuses a record that is not the submission's own, and runs the task all the same", async () => {
    for (const foreign of [
      { ...record, taskId: '11111111-2222-4333-8444-555555555555' },
      { ...record, category: 'tool' as const, action: 'tool.call' },
      { ...record, source: 'mcp-tools' },
    ]) {
      const { sut, claimed, logger } = setup();
      const started = await sut.start(submission(foreign));
      expect(started?.run.resumed).toBe(false);
      expect(claimed.map((c) => c.audit)).toEqual([[]]);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.objectContaining({ auditId: record.id }),
        expect.stringMatching(/not its own/),
      );
    }
  });

  it('journals none for a submission without a record (an older gateway published it)', async () => {
    const { sut, claimed } = setup();
    await sut.start(submission());
    expect(claimed.map((c) => c.audit)).toEqual([[]]);
  });

  describe('agent versions (docs/agents.md)', () => {
    const stamp: Tasks.TaskView['agent'] = {
      agent: 'support',
      versionId: '0c4d2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
      version: 2,
      label: 'production',
      instructionsSha256: 'a'.repeat(64),
      model: 'gpt-test',
      toolSchemasSha256: 'b'.repeat(64),
      tools: 1,
    };
    const planning = { instructions: 'Be a pirate.', model: { name: 'gpt-v2', temperature: 0.5 } };

    it("plans with the version's instructions and model: the planner's forAgent, whose model the first event names", async () => {
      const asked: unknown[] = [];
      const asVersion = { kind: 'llm', model: 'gpt-v2' } as Planner;
      const llm = {
        kind: 'llm',
        model: 'platform-model',
        forAgent: (a: unknown) => (asked.push(a), asVersion),
      } as unknown as Planner;
      const agents: AgentVersions = { resolve: async () => ({ stamp, tools: [], planning }) };
      const { sut, claimed } = setup(undefined, agents, llm);
      const started = await sut.start(submission());
      expect(asked).toEqual([planning]);
      expect(started?.run.agentPlanner).toBe(asVersion);
      expect(started?.run.model).toBe('gpt-v2');
      expect(claimed[0]?.events[0]).toMatchObject({ data: { model: 'gpt-v2', agent: stamp } });
      // A task naming no agent plans with the platform's planner as it is.
      const plain = await setup(undefined, { resolve: async () => undefined }, llm).sut.start(
        submission(),
      );
      expect([plain?.run.agentPlanner, plain?.run.model]).toEqual([undefined, 'platform-model']);
    });

    it("carries the version stamp on the task's first event; its tools are the run's constraints", async () => {
      const agents: AgentVersions = {
        resolve: async () => (stamp ? { stamp, tools: ['echo'], planning } : undefined),
      };
      const { sut, claimed } = setup(undefined, agents);
      const started = await sut.start(submission());
      expect(claimed[0]?.events[0]).toMatchObject({
        name: 'orchestrator.task.started',
        data: { agent: stamp },
      });
      expect(started?.run.submission.request.tool_constraints).toEqual({
        mode: 'custom',
        tools: ['echo'],
      });
      expect(started?.early).toBeUndefined();
    });

    it("caps the task's steps at the version's limit, the task's own when lower", async () => {
      const limited: AgentVersions = {
        resolve: async () => (stamp ? { stamp, tools: [], maxSteps: 3, planning } : undefined),
      };
      const steps = async (max_steps?: number) => {
        const { sut } = setup(undefined, limited);
        const s = submission();
        const started = await sut.start({
          ...s,
          request: { ...s.request, ...(max_steps ? { max_steps } : {}) },
        });
        return started?.run.submission.request.max_steps;
      };
      expect([await steps(), await steps(10), await steps(2)]).toEqual([3, 3, 2]);
    });

    it('ends a task naming what its tenant does not have at once, saying which field', async () => {
      const refusal = new DomainError('NOT_FOUND', 'agent.name: agent nobody not found');
      const { sut, claimed } = setup(undefined, { resolve: () => Promise.reject(refusal) });
      const started = await sut.start(submission());
      expect(started?.early).toEqual({ status: 'failed', error: refusal.toBody() });
      expect(claimed[0]?.events[0]?.data).not.toHaveProperty('agent');
    });
  });
});
