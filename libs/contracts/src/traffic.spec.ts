import * as Audit from './audit/index.js';
import * as Tools from './tools/index.js';
import {
  auditRecorderOf,
  commandOfSubject,
  describeSubject,
  PLATFORM_TRAFFIC_PATTERN,
  PUBLISHED_TRAFFIC_PATTERNS,
  REQUEST_TRAFFIC_PATTERNS,
} from './traffic.js';

describe('describeSubject', () => {
  it('watches every platform subject, published and requested apart', () => {
    expect(PLATFORM_TRAFFIC_PATTERN).toBe('sb.>');
    expect(PUBLISHED_TRAFFIC_PATTERNS).toEqual([
      'sb.task.>',
      'sb.evt.>',
      'sb.ctl.>',
      'sb.audit.>',
      'sb.dlq.>',
    ]);
    expect(REQUEST_TRAFFIC_PATTERNS).toEqual(['sb.cmd.>', 'sb.health.>']);
  });

  it('names the serving service of a command and of a health request', () => {
    expect(describeSubject('sb.cmd.tools.call._')).toEqual({
      kind: 'command',
      service: 'mcp-tools',
    });
    expect(describeSubject('sb.cmd.orchestrator.task.list')).toEqual({
      kind: 'command',
      service: 'orchestrator',
    });
    expect(describeSubject('sb.health.xmpp-bridge')).toEqual({
      kind: 'health',
      service: 'xmpp-bridge',
    });
  });

  it('takes the task id from a task event subject', () => {
    const id = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    expect(describeSubject(`sb.evt.task.${id}.orchestrator.step.completed`)).toEqual({
      kind: 'task-event',
      taskId: id,
    });
  });

  it('takes the task id from a tool call and an audit record subject, not from the no-task `_`', () => {
    const id = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    expect(describeSubject(`sb.cmd.tools.call.${id}`)).toEqual({
      kind: 'command',
      service: 'mcp-tools',
      taskId: id,
    });
    expect(describeSubject(`sb.audit.tool.${id}`)).toEqual({ kind: 'audit', taskId: id });
    expect(describeSubject(`sb.audit.tool.${id}.acme`)).toEqual({ kind: 'audit', taskId: id });
    expect(describeSubject('sb.audit.auth._.acme')).toEqual({ kind: 'audit' });
    expect(describeSubject('sb.audit.auth._')).toEqual({ kind: 'audit' });
    expect(commandOfSubject(`sb.cmd.tools.call.${id}`)).toBe(Tools.ToolsCall);
    expect(commandOfSubject('sb.cmd.tools.call.{taskId}')).toBe(Tools.ToolsCall);
    expect(commandOfSubject('sb.cmd.audit.verify')).toBe(Audit.AuditVerify);
    expect(commandOfSubject('sb.cmd.tools.call')).toBeUndefined();
    expect(commandOfSubject('sb.cmd.tools.call.a.b')).toBeUndefined();
  });

  it('classifies the other kinds, and subjects outside the platform', () => {
    expect(describeSubject('sb.task.submit').kind).toBe('task-submission');
    expect(describeSubject('sb.audit.tool').kind).toBe('audit');
    expect(describeSubject('sb.ctl.task.x.cancel').kind).toBe('control');
    expect(describeSubject('sb.evt.tools.changed').kind).toBe('event');
    expect(describeSubject('sb.dlq.SB_TASKS').kind).toBe('dead-letter');
    expect(describeSubject('sb.cmd.unknown.thing')).toEqual({ kind: 'command' });
    expect(describeSubject('_INBOX.abc')).toEqual({ kind: 'other' });
  });
});

describe('audit record subjects', () => {
  it('carry the category and the task (`_` without one); one task’s records have a filter', () => {
    const id = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    expect(Audit.auditSubjectTokens({ category: 'tool', taskId: id })).toEqual([
      'tool',
      id,
      'default',
    ]);
    expect(Audit.auditSubjectTokens({ category: 'auth', tenantId: 'acme' })).toEqual([
      'auth',
      '_',
      'acme',
    ]);
    expect(Audit.AuditRecorded.subject('tool', id, 'acme')).toBe(`sb.audit.tool.${id}.acme`);
    expect(Audit.auditRecordsFilter(id)).toBe(`sb.audit.*.${id}.*`);
    expect(Audit.tenantAuditFilter('acme')).toBe('sb.audit.*.*.acme');
    expect(() => Audit.tenantAuditFilter('a.*')).toThrow();
    expect(() => Audit.auditRecordsFilter('a.b')).toThrow();
    expect(() => Audit.auditRecordsFilter('_')).toThrow();
  });

  it('announce a relayed record once chained on sb.evt.audit.…, an audit record to operators’ views', () => {
    const id = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
    expect(Audit.AuditChained.subject('task', id, 'acme')).toBe(`sb.evt.audit.task.${id}.acme`);
    expect(describeSubject(`sb.evt.audit.task.${id}.acme`)).toEqual({ kind: 'audit', taskId: id });
    expect(describeSubject('sb.evt.audit.task._.acme')).toEqual({ kind: 'audit' });
    expect(Audit.chainedRecordsFilter(id)).toBe(`sb.evt.audit.*.${id}.*`);
    expect(Audit.tenantChainedAuditFilter('acme')).toBe('sb.evt.audit.*.*.acme');
    expect(() => Audit.tenantChainedAuditFilter('a.*')).toThrow();
    // not in SB_AUDIT (whose durable consumer is the audit service): nothing chains it twice
    expect(Audit.AuditChained.stream?.name).toBe('SB_AUDIT_CHAINED');
  });

  it("names an audit record's recorder (its payload's source), and nothing for other messages", () => {
    expect(auditRecorderOf('audit', { source: 'mcp-tools', action: 'tool.call' })).toBe(
      'mcp-tools',
    );
    expect(auditRecorderOf('audit', { action: 'tool.call' })).toBeUndefined();
    expect(auditRecorderOf('audit', { source: '' })).toBeUndefined();
    expect(auditRecorderOf('task-event', { source: 'orchestrator' })).toBeUndefined();
    expect(auditRecorderOf('audit', null)).toBeUndefined();
  });
});
