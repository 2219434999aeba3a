import { type Message, Role } from '@a2a-js/sdk';
import type { ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import { SkillExecutor } from './skill.executor.js';
import { researchSkill } from './skills/researcher.skill.js';

/** An event bus that keeps what the executor publishes, and says when the task is finished. */
function bus() {
  const events: unknown[] = [];
  let finished = false;
  return {
    bus: {
      publish: (e: unknown) => void events.push(e),
      finished: () => void (finished = true),
    } as unknown as ExecutionEventBus,
    events,
    isFinished: () => finished,
  };
}

const context = (taskId: string, messageId: string): RequestContext =>
  ({
    taskId,
    contextId: 'ctx-1',
    userMessage: {
      messageId,
      role: Role.ROLE_USER,
      taskId: '',
      contextId: 'ctx-1',
      parts: [
        {
          content: { $case: 'text', value: 'NATS JetStream' },
          mediaType: 'text/plain',
          filename: '',
          metadata: undefined,
        },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    } satisfies Message,
  }) as unknown as RequestContext;

/** The text of the artifact a run published. */
const answer = (events: unknown[]): string | undefined =>
  JSON.stringify(events).match(/## NATS JetStream[^"]*/)?.[0];

describe(SkillExecutor.name, () => {
  it('does the work of a message once: the same message id again gets the same answer', async () => {
    const sut = new SkillExecutor(researchSkill, 0);
    const first = bus();
    const again = bus();
    // The second arrives while the first still works (a client that lost its connection and retried).
    await Promise.all([
      sut.execute(context('task-1', 'message-1'), first.bus),
      sut.execute(context('task-2', 'message-1'), again.bus),
    ]);
    expect(sut.stats.executed).toBe(1);
    expect(first.isFinished() && again.isFinished()).toBe(true);
    expect(answer(again.events)).toBeDefined();
    expect(answer(again.events)).toBe(answer(first.events));
    // Another message is other work.
    await sut.execute(context('task-3', 'message-2'), bus().bus);
    expect(sut.stats.executed).toBe(2);
  });

  it('does the work again when the first run of the message was cancelled', async () => {
    const sut = new SkillExecutor(researchSkill, 200);
    const first = sut.execute(context('task-1', 'message-1'), bus().bus);
    await sut.cancelTask('task-1');
    await first;
    expect(sut.stats.cancelled).toEqual(['task-1']);
    await sut.execute(context('task-2', 'message-1'), bus().bus);
    expect(sut.stats.executed).toBe(2);
  });
});
