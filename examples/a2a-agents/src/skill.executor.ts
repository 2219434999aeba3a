import { type Message, type Part, Role, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import type { Skill } from './skills/skill.js';

export interface ExecutorStats {
  executed: number;
  cancelled: string[];
}

/** Message ids remembered for repeats. */
const MAX_REMEMBERED = 10_000;

const text = (value: string): Part => ({
  content: { $case: 'text', value },
  mediaType: 'text/plain',
  filename: '',
  metadata: undefined,
});

/**
 * Runs a deterministic skill as an A2A task: the task (SUBMITTED), one WORKING status per step (with a
 * pause between steps, so there is time to watch or cancel it), the answer as an artifact, and
 * COMPLETED with a summary. A cancel between steps ends the task as CANCELED.
 */
export class SkillExecutor implements AgentExecutor {
  private readonly cancelRequested = new Set<string>();
  /**
   * The work done (or being done) for each message id: a message sent again with the same id — a
   * client that lost its connection before hearing of the task, as the platform does on a retry —
   * gets the same answer without the work being done twice.
   */
  private readonly byMessage = new Map<string, Promise<boolean>>();
  readonly stats: ExecutorStats = { executed: 0, cancelled: [] };

  constructor(
    private readonly skill: Skill,
    private readonly stepDelayMs: number,
  ) {}

  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const messageId = ctx.userMessage.messageId;
    const earlier = messageId ? this.byMessage.get(messageId) : undefined;
    // The earlier work completed: answered again, not redone (a cancelled one is done anew).
    const repeat = earlier ? await earlier : false;
    let done: (completed: boolean) => void = () => undefined;
    if (messageId && !repeat) {
      this.byMessage.set(messageId, new Promise((resolve) => (done = resolve)));
      // Bounded: the oldest ids go first.
      if (this.byMessage.size > MAX_REMEMBERED) {
        const oldest = this.byMessage.keys().next().value;
        if (oldest !== undefined) this.byMessage.delete(oldest);
      }
    }
    try {
      done(await this.work(ctx, bus, repeat));
    } catch (e) {
      done(false);
      throw e;
    }
  };

  /** Runs the skill as the task; `repeat`: the same message was answered already, so no pauses. */
  private async work(
    ctx: RequestContext,
    bus: ExecutionEventBus,
    repeat: boolean,
  ): Promise<boolean> {
    if (!repeat) this.stats.executed++;
    const { taskId, contextId } = ctx;
    const now = () => new Date().toISOString();
    const status = (state: TaskState, message?: string) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: {
            state,
            timestamp: now(),
            message: message === undefined ? undefined : agentMessage(taskId, contextId, message),
          },
          metadata: undefined,
        }),
      );
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, timestamp: now(), message: undefined },
        artifacts: [],
        history: [ctx.userMessage],
        metadata: undefined,
      }),
    );
    const output = this.skill.run(readInput(ctx.userMessage));
    for (const step of repeat ? [] : output.steps) {
      status(TaskState.TASK_STATE_WORKING, step);
      await this.pause(taskId, this.stepDelayMs);
      if (this.cancelRequested.delete(taskId)) {
        this.stats.cancelled.push(taskId);
        status(TaskState.TASK_STATE_CANCELED, 'cancelled on request');
        bus.finished();
        return false;
      }
    }
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: {
          artifactId: `${output.artifactName}-${taskId}`,
          name: output.artifactName,
          description: '',
          parts: [text(output.text)],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    );
    status(TaskState.TASK_STATE_COMPLETED, output.summary);
    bus.finished();
    return true;
  }

  cancelTask = async (taskId: string): Promise<void> => {
    this.cancelRequested.add(taskId);
  };

  /** Waits between steps, but wakes early when the task is cancelled. */
  private async pause(taskId: string, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.cancelRequested.has(taskId)) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(25, until - Date.now())));
    }
  }
}

function agentMessage(taskId: string, contextId: string, value: string): Message {
  return {
    messageId: `${taskId}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    role: Role.ROLE_AGENT,
    taskId,
    contextId,
    parts: [text(value)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The request text, and the platform's `{ context }` data part when present. */
function readInput(message: Message): { text: string; context: string | undefined } {
  const texts: string[] = [];
  let context: string | undefined;
  for (const p of message.parts) {
    if (p.content?.$case === 'text') texts.push(p.content.value);
    else if (p.content?.$case === 'data') {
      const value: unknown = p.content.value;
      if (
        value &&
        typeof value === 'object' &&
        typeof (value as { context?: unknown }).context === 'string'
      ) {
        context = (value as { context: string }).context;
      }
    }
  }
  return { text: texts.join('\n'), context };
}
