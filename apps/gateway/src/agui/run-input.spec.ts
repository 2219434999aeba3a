import { describe, expect, it } from '@jest/globals';
import type { RunAgentInput } from '@ag-ui/core';
import { DomainError } from '@switchboard/contracts';
import { taskRequestOf } from './run-input.js';

const input = (forwardedProps?: unknown): RunAgentInput =>
  ({
    threadId: 'chat-1',
    runId: 'r1',
    state: {},
    messages: [{ id: 'm1', role: 'user', content: 'what is 2 + 2' }],
    tools: [],
    context: [],
    ...(forwardedProps !== undefined ? { forwardedProps } : {}),
  }) as RunAgentInput;

describe('AG-UI run input → task request', () => {
  it("passes forwardedProps.thread_policy through with the run's thread", () => {
    expect(taskRequestOf(input({ thread_policy: 'interrupt' }))).toEqual({
      task: 'what is 2 + 2',
      thread_id: 'chat-1',
      thread_policy: 'interrupt',
    });
    expect(taskRequestOf(input())).toEqual({ task: 'what is 2 + 2', thread_id: 'chat-1' });
  });

  it('refuses an unknown policy with VALIDATION naming forwardedProps.thread_policy', () => {
    const e = (() => {
      try {
        taskRequestOf(input({ thread_policy: 'later' }));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('VALIDATION');
    expect((e as DomainError).message).toContain('forwardedProps.thread_policy');
  });

  it('passes forwardedProps.agent through, refusing a malformed one naming its field', () => {
    expect(taskRequestOf(input({ agent: { name: 'support', version: 2 } }))).toEqual({
      task: 'what is 2 + 2',
      thread_id: 'chat-1',
      agent: { name: 'support', version: 2 },
    });
    expect(() => taskRequestOf(input({ agent: { name: 'support', label: 'Bad Label' } }))).toThrow(
      /forwardedProps\.agent\.label/,
    );
  });
});
