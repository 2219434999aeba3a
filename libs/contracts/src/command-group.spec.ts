import { z } from 'zod';
import { commandGroup } from './command-group.js';
import { defineCommand, defineQuery } from './define.js';

describe('commandGroup', () => {
  const things = commandGroup('sb.cmd.orchestrator.thing', { callers: ['gateway'] });
  const request = z.object({ id: z.string() }).strict();
  const response = z.object({ ok: z.boolean() });

  it('defines <prefix>.<action> with the group callers, as defineCommand does', () => {
    const Create = things.command('create', { request, response, description: 'd' });
    const subject: 'sb.cmd.orchestrator.thing.create' = Create.subject;
    expect(subject).toBe('sb.cmd.orchestrator.thing.create');
    expect(Create).toEqual({
      ...defineCommand({
        subject: 'sb.cmd.orchestrator.thing.create',
        callers: ['gateway'],
        request,
        response,
        description: 'd',
      }),
      subjectOf: expect.any(Function),
    });
    expect(Create.service).toBe('orchestrator');
    expect(Create.idempotency).toBeUndefined();
    expect(Object.isFrozen(Create)).toBe(true);
  });

  it('defines a query as defineQuery does: idempotent', () => {
    const Get = things.query('get', { request, response, timeoutMs: 9_000, description: 'd' });
    expect(Get).toEqual({
      ...defineQuery({
        subject: 'sb.cmd.orchestrator.thing.get',
        callers: ['gateway'],
        request,
        response,
        timeoutMs: 9_000,
        description: 'd',
      }),
      subjectOf: expect.any(Function),
    });
    expect(Get.idempotency).toBe('idempotent');
  });

  it('keeps the callers a definition names instead of the group ones', () => {
    const Forget = things.command('forget', {
      callers: ['gateway', 'admin'],
      request,
      response,
      description: 'd',
    });
    expect(Forget.callers).toEqual(['gateway', 'admin']);
  });

  it('takes a trailing placeholder in the action, filled from the request', () => {
    const Call = things.command('call.{id}', {
      request,
      response,
      tokenOf: (r) => r.id,
      description: 'd',
    });
    expect(Call.pattern).toBe('sb.cmd.orchestrator.thing.call.*');
    expect(Call.subjectOf({ id: 't1' })).toBe('sb.cmd.orchestrator.thing.call.t1');
  });

  it('refuses an action that makes an invalid subject', () => {
    expect(() => things.command('bad action', { request, response, description: 'd' })).toThrow(
      /invalid subject/,
    );
  });
});
