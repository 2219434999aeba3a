import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';

describe('defineEvent', () => {
  const TaskEvent = defineEvent({
    template: 'sb.evt.task.{taskId}.{event...}',
    tokens: ['taskId', 'event'],
    payload: z.object({}),
    delivery: 'at-least-once',
    producers: ['orchestrator'],
    consumers: ['gateway'],
    description: 'x',
  });

  it('derives the subscription pattern from the template', () => {
    expect(TaskEvent.pattern).toBe('sb.evt.task.*.>');
  });

  it('fills placeholders, letting the last one span several tokens', () => {
    expect(TaskEvent.subject('t1', 'orchestrator.task.started')).toBe(
      'sb.evt.task.t1.orchestrator.task.started',
    );
  });

  it('refuses values that would break the subject', () => {
    expect(() => TaskEvent.subject('a.b', 'x')).toThrow(/single token/);
    expect(() => TaskEvent.subject('a b', 'x')).toThrow(/invalid subject/);
    expect(() => TaskEvent.subject('*', 'x')).toThrow(/invalid subject/);
    expect(() => TaskEvent.subject('t', 'x..y')).toThrow(/invalid subject/);
  });

  it('rejects templates whose tokens do not match, or a multi-token placeholder that is not last', () => {
    const base = {
      payload: z.object({}),
      delivery: 'at-most-once' as const,
      producers: [],
      consumers: [],
      description: '',
    };
    expect(() => defineEvent({ ...base, template: 'a.{x}', tokens: ['y'] })).toThrow(
      /tokens must be \[x\]/,
    );
    expect(() => defineEvent({ ...base, template: 'a.{x...}.b', tokens: ['x'] })).toThrow(
      /only the last/,
    );
  });
});

describe('defineCommand', () => {
  it('refuses a subject with wildcards or empty tokens', () => {
    const base = {
      service: 'gateway' as const,
      callers: [],
      request: z.object({}),
      response: z.object({}),
      timeoutMs: 1,
      description: '',
    };
    expect(() => defineCommand({ ...base, subject: 'sb.cmd.*' })).toThrow();
    expect(() => defineCommand({ ...base, subject: 'sb..x' })).toThrow();
    expect(defineCommand({ ...base, subject: 'sb.cmd.x' }).subject).toBe('sb.cmd.x');
  });
});
