import { z } from 'zod';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  defineCommand,
  defineEvent,
  defineQuery,
  isRepeatable,
  NO_TOKEN,
  subjectMatches,
} from './define.js';

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

  it('takes the service its subject names and the default timeout unless the definition says', () => {
    const base = { callers: [], request: z.object({}), response: z.object({}), description: '' };
    const Call = defineCommand({ ...base, subject: 'sb.cmd.tools.x' });
    expect(Call).toMatchObject({ service: 'mcp-tools', timeoutMs: DEFAULT_COMMAND_TIMEOUT_MS });
    expect(defineCommand({ ...base, subject: 'sb.cmd.xmpp.x' }).service).toBe('xmpp-bridge');
    const Stated = defineCommand({
      ...base,
      subject: 'sb.cmd.tools.x',
      service: 'a2a',
      timeoutMs: 9,
    });
    expect(Stated).toMatchObject({ service: 'a2a', timeoutMs: 9 });
    expect(() => defineCommand({ ...base, subject: 'sb.cmd.nobody.x' })).toThrow(
      /names no service/,
    );
    expect(() => defineCommand({ ...base, subject: 'sb.health.x' })).toThrow(/names no service/);
  });

  it('makes a query idempotent: asking again is harmless', () => {
    const base = { callers: [], request: z.object({}), response: z.object({}), description: '' };
    const Read = defineQuery({ ...base, subject: 'sb.cmd.orchestrator.x.get' });
    expect(Read).toMatchObject({
      kind: 'command',
      idempotency: 'idempotent',
      service: 'orchestrator',
    });
    expect(isRepeatable(Read, {})).toBe(true);
    expect(
      defineCommand({ ...base, subject: 'sb.cmd.orchestrator.x.set' }).idempotency,
    ).toBeUndefined();
  });
});

describe('defineCommand with a placeholder', () => {
  const base = {
    service: 'mcp-tools' as const,
    callers: [],
    request: z.object({ taskId: z.string().optional() }),
    response: z.object({}),
    timeoutMs: 1,
    description: '',
  };
  const Call = defineCommand({
    ...base,
    subject: 'sb.cmd.x.call.{taskId}',
    tokenOf: (r) => r.taskId,
  });

  it('subscribes with a `*` for it and sends each request on its own subject', () => {
    expect(Call.subject).toBe('sb.cmd.x.call.{taskId}');
    expect(Call.token).toBe('taskId');
    expect(Call.pattern).toBe('sb.cmd.x.call.*');
    expect(Call.subjectOf({ taskId: 't1' })).toBe('sb.cmd.x.call.t1');
  });

  it('fills it with NO_TOKEN when the request has no value', () => {
    expect(NO_TOKEN).toBe('_');
    expect(Call.subjectOf({})).toBe('sb.cmd.x.call._');
    expect(Call.subjectOf({ taskId: '' })).toBe('sb.cmd.x.call._');
  });

  it('refuses a value that is not one token', () => {
    expect(() => Call.subjectOf({ taskId: 'a.b' })).toThrow(/cannot be a subject token/);
    expect(() => Call.subjectOf({ taskId: '*' })).toThrow(/cannot be a subject token/);
  });

  it('needs tokenOf with a placeholder, and a placeholder for tokenOf', () => {
    expect(() => defineCommand({ ...base, subject: 'sb.cmd.x.call.{taskId}' })).toThrow(/tokenOf/);
    expect(() =>
      defineCommand({ ...base, subject: 'sb.cmd.x.call', tokenOf: (r) => r.taskId }),
    ).toThrow(/placeholder/);
    expect(() =>
      defineCommand({ ...base, subject: 'sb.cmd.{x}.call', tokenOf: (r) => r.taskId }),
    ).toThrow(/invalid subject/);
  });

  it('keeps a command without one as it was: its subject is what it listens to and sends on', () => {
    const Plain = defineCommand({ ...base, subject: 'sb.cmd.x.get' });
    expect(Plain.pattern).toBe('sb.cmd.x.get');
    expect(Plain.subjectOf({ taskId: 't1' })).toBe('sb.cmd.x.get');
    expect(Plain.token).toBeUndefined();
  });
});

describe(subjectMatches.name, () => {
  it('matches a subject the way a NATS subscription does', () => {
    expect(subjectMatches('sb.cmd.tools.call', 'sb.cmd.tools.call')).toBe(true);
    expect(subjectMatches('sb.health.*', 'sb.health.audit')).toBe(true);
    expect(subjectMatches('sb.evt.task.*.>', 'sb.evt.task.t1.orchestrator.task.started')).toBe(
      true,
    );
    expect(subjectMatches('sb.evt.task.*.>', 'sb.evt.task.t1')).toBe(false);
    // what a JetStream consumer redirected to a command subject delivers: the stored subject
    expect(subjectMatches('sb.cmd.tools.call', 'sb.audit.tool')).toBe(false);
    expect(subjectMatches('sb.cmd.tools.call', 'sb.cmd.tools.call.x')).toBe(false);
    expect(subjectMatches('sb.health.*', 'sb.health')).toBe(false);
  });
});
