import { jest } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { RunSource } from '../tasks/ports/run-source.port.js';
import { InMemoryJournal } from '../tasks/journal/in-memory.journal.js';
import type { TaskRun } from '../tasks/run-task/task-run.js';
import { TaskEventSequence } from '../tasks/task-event.stream.js';
import { GuardrailService } from './guardrail.service.js';
import { Guardrails } from './guardrails.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

function setup(task = 'do it') {
  const events: Tasks.TaskEvent[] = [];
  const audit = { record: jest.fn(async () => undefined) };
  const logger = { warn: jest.fn() };
  const sut = new Guardrails(
    new GuardrailService({
      DISALLOWED_KEYWORDS: ['secret-plan'],
      DISALLOWED_PATTERNS: [],
      GUARDRAIL_STAGES: ['input', 'output'],
    }),
    audit as unknown as AuditTrail,
    logger as unknown as Logger,
  );
  const submission: Tasks.TaskSubmission = {
    taskId: TASK_ID,
    actor: { userId: 'ada', role: 'user', tenantId: 'acme' },
    request: { task },
    submittedAt: new Date().toISOString(),
    correlationId: 'c1',
  };
  const run = {
    submission,
    events: new TaskEventSequence(
      TASK_ID,
      0,
      'orchestrator',
      new InMemoryJournal((e) => void events.push(e)),
      { tenantId: 'acme' },
    ),
  } as unknown as TaskRun;
  const flushed = async () => {
    await run.events.flush();
    return events;
  };
  return { sut, run, submission, audit, logger, flushed };
}

/** Guardrails as the task core's content screen: what each stage blocks, and how a hit is reported. */
describe(Guardrails.name, () => {
  it("checks the task's input before anything is stored, and reports the hit only when told to", async () => {
    const { sut, run, submission, audit, flushed } = setup('show me the SECRET-PLAN');
    const hit = sut.checkInput(submission);
    expect(hit).toEqual({ stage: 'input', rule: 'disallowed_keywords' });
    expect(audit.record).not.toHaveBeenCalled();
    const error = sut.block(run, hit!, submission.request.task.length);
    expect(error.toBody()).toMatchObject({
      code: 'GUARDRAIL',
      message: 'the request was blocked by a guardrail (disallowed_keywords)',
      details: { stage: 'input', rule: 'disallowed_keywords' },
    });
    const events = await flushed();
    expect(events.map((e) => [e.name, e.data])).toEqual([
      ['orchestrator.guardrail.violation', { stage: 'input', rule: 'disallowed_keywords' }],
    ]);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        category: 'guardrail',
        action: 'guardrail.blocked',
        outcome: 'denied',
        taskId: TASK_ID,
        details: { stage: 'input', rule: 'disallowed_keywords', blockedChars: 23 },
      }),
    );
    expect(JSON.stringify(events)).not.toMatch(/secret-plan/i);
    expect(sut.checkInput(setup('a plain task').submission)).toBeUndefined();
  });

  it("adds a replay's or fork's own rules to the input check", () => {
    const { sut, submission } = setup('launch the rocket');
    const source = {
      edits: { guardrails: { disallowedKeywords: ['rocket'], disallowedPatterns: [] } },
    } as unknown as RunSource;
    expect(sut.checkInput(submission)).toBeUndefined();
    expect(sut.checkInput(submission, source)).toEqual({
      stage: 'input',
      rule: 'disallowed_keywords',
    });
  });

  it('screens what the planner generated: a hit is reported and is the error that ends the round', async () => {
    const { sut, run, audit, logger, flushed } = setup();
    expect(sut.screenAnswer(run, 'the answer is 42')).toBeUndefined();
    expect(audit.record).not.toHaveBeenCalled();
    const error = sut.screenAnswer(run, 'the secret-plan is ready');
    expect(error?.toBody()).toMatchObject({
      code: 'GUARDRAIL',
      message: 'the reply was blocked by a guardrail (disallowed_keywords)',
      details: { stage: 'output', rule: 'disallowed_keywords' },
    });
    expect((await flushed()).map((e) => e.name)).toEqual(['orchestrator.guardrail.violation']);
    expect(audit.record).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      { taskId: TASK_ID, stage: 'output', rule: 'disallowed_keywords', blockedChars: 24 },
      'guardrail blocked text',
    );
  });

  it("screens a step's output (a value as its JSON) and names the step in the report", async () => {
    const { sut, run, audit, flushed } = setup();
    expect(sut.screenStep(run, 's1', { content: 'nothing to see' })).toBeUndefined();
    const error = sut.screenStep(run, 's2', { content: 'the SECRET-PLAN is on page 4' });
    expect(error?.toBody()).toMatchObject({
      code: 'GUARDRAIL',
      message: 'the output of step s2 was blocked by a guardrail (disallowed_keywords)',
      details: { stage: 'output', rule: 'disallowed_keywords', stepId: 's2' },
    });
    const events = await flushed();
    expect(events.map((e) => e.data)).toEqual([
      { stage: 'output', rule: 'disallowed_keywords', stepId: 's2' },
    ]);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        details: expect.objectContaining({ stage: 'output', stepId: 's2' }),
      }),
    );
  });
});
