import { describe, expect, it } from '@jest/globals';
import { Audit, Health, Tools } from '@switchboard/contracts';
import { UsageError } from './args.js';
import { checkedRequest, resolveCommand } from './command-lookup.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const call = { tool: 'calculator', input: { expression: '1+1' } };

function usage(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe(resolveCommand.name, () => {
  it('finds a command by its subject, its template, its prefix or a concrete subject', () => {
    expect(resolveCommand('sb.health.audit')).toBe(Health.HealthStatus.audit);
    expect(resolveCommand('sb.cmd.audit.verify')).toBe(Audit.AuditVerify);
    expect(resolveCommand('sb.cmd.tools.call.{taskId}')).toBe(Tools.ToolsCall);
    expect(resolveCommand('sb.cmd.tools.call')).toBe(Tools.ToolsCall);
    expect(resolveCommand(`sb.cmd.tools.call.${TASK}`)).toBe(Tools.ToolsCall);
  });

  it('refuses an unknown subject, naming it and listing the commands', () => {
    const message = usage(() => resolveCommand('sb.cmd.audit.purge'));
    expect(message).toMatch(/"sb\.cmd\.audit\.purge" is not a command of the contracts/);
    expect(message).toContain('\n  sb.cmd.audit.verify');
    expect(message).toContain('\n  sb.cmd.tools.call.{taskId}');
    // an event is not a command
    expect(usage(() => resolveCommand(`sb.audit.tool.${TASK}`))).toMatch(/not a command/);
  });
});

describe(checkedRequest.name, () => {
  it('checks the request against the command’s schema, naming each wrong field', () => {
    expect(checkedRequest(Audit.AuditQuery, 'sb.cmd.audit.query', { limit: 5 })).toEqual({
      limit: 5,
    });
    expect(
      usage(() => checkedRequest(Audit.AuditQuery, 'sb.cmd.audit.query', { limit: 0 })),
    ).toMatch(/invalid request for sb\.cmd\.audit\.query: limit: /);
    expect(
      usage(() => checkedRequest(Audit.AuditVerify, 'sb.cmd.audit.verify', { all: true })),
    ).toMatch(/Unrecognized key/);
  });

  it('takes a concrete subject only for the request that belongs on it', () => {
    const own = { ...call, taskId: TASK };
    expect(checkedRequest(Tools.ToolsCall, `sb.cmd.tools.call.${TASK}`, own)).toEqual(own);
    expect(checkedRequest(Tools.ToolsCall, 'sb.cmd.tools.call._', call)).toEqual(call);
    expect(checkedRequest(Tools.ToolsCall, 'sb.cmd.tools.call', own)).toEqual(own);
    expect(usage(() => checkedRequest(Tools.ToolsCall, `sb.cmd.tools.call.${TASK}`, call))).toMatch(
      /this request goes on sb\.cmd\.tools\.call\._, not sb\.cmd\.tools\.call\.7f3a/,
    );
  });
});
