import { describe, expect, it } from '@jest/globals';
import { type LiveMessage, matches, type RawMessage, toLiveMessage } from './live-message.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const raw = (subject: string, data: unknown, headers: Record<string, string> = {}): RawMessage => ({
  subject,
  data: new TextEncoder().encode(typeof data === 'string' ? data : JSON.stringify(data)),
  header: (name) => headers[name],
});

describe(toLiveMessage.name, () => {
  it("unwraps a command's envelope and names its sender, target, user and task", () => {
    const m = toLiveMessage(
      raw(
        `sb.cmd.tools.call.${TASK}`,
        {
          pattern: `sb.cmd.tools.call.${TASK}`,
          id: 'x',
          data: { taskId: TASK, tool: 'calculator' },
        },
        { 'x-sb-source': 'orchestrator', 'x-sb-user-id': 'ada' },
      ),
      16_384,
      new Date('2026-11-24T10:00:00Z'),
    );
    expect(m).toMatchObject({
      at: '2026-11-24T10:00:00.000Z',
      kind: 'command',
      source: 'orchestrator',
      target: 'mcp-tools',
      userId: 'ada',
      taskId: TASK,
      data: { taskId: TASK, tool: 'calculator' },
    });
    expect(m.truncated).toBeUndefined();
  });

  it('names a relayed audit record, announced by the audit service, by the service that recorded it', () => {
    const m = toLiveMessage(
      raw(
        `sb.evt.audit.tool.${TASK}.default`,
        { taskId: TASK, action: 'tool.call', source: 'mcp-tools' },
        { 'x-sb-source': 'audit', 'x-sb-user-id': 'ada' },
      ),
      16_384,
    );
    expect(m).toMatchObject({ kind: 'audit', source: 'mcp-tools', userId: 'ada', taskId: TASK });
    expect(matches(m, { service: 'mcp-tools' })).toBe(true);
  });

  it('redacts secret keys and secret header pairs, wherever they are', () => {
    const m = toLiveMessage(
      raw('sb.cmd.xmpp.http.request', {
        pattern: 'sb.cmd.xmpp.http.request',
        data: {
          url: 'http://researcher.agents/a2a',
          headers: [
            ['content-type', 'application/json'],
            ['Authorization', 'Bearer s3cr3t-token'],
          ],
          nested: { apiKey: 'k-123456', password: 'hunter22' },
        },
      }),
      16_384,
    );
    const text = JSON.stringify(m);
    expect(text).not.toContain('s3cr3t-token');
    expect(text).not.toContain('k-123456');
    expect(text).not.toContain('hunter22');
    expect(m.data).toMatchObject({
      headers: [
        ['content-type', 'application/json'],
        ['Authorization', '[redacted]'],
      ],
    });
  });

  it('takes the task id of a task event from its subject, and cuts a large payload', () => {
    const m = toLiveMessage(
      raw(`sb.evt.task.${TASK}.orchestrator.step.completed`, { output: 'x'.repeat(1_000) }),
      256,
    );
    expect(m.kind).toBe('task-event');
    expect(m.taskId).toBe(TASK);
    expect(m.truncated).toBe(true);
    expect(typeof m.data).toBe('string');
    expect((m.data as string).length).toBe(257);
    expect(m.bytes).toBeGreaterThan(1_000);
  });

  it('keeps a payload that is not JSON as text', () => {
    expect(toLiveMessage(raw('sb.health.audit', 'plain'), 100).data).toBe('plain');
    expect(toLiveMessage(raw('sb.health.audit', ''), 100).data).toBeNull();
  });
});

describe(matches.name, () => {
  const m: LiveMessage = {
    at: '',
    subject: `sb.cmd.tools.call.${TASK}`,
    kind: 'command',
    source: 'orchestrator',
    target: 'mcp-tools',
    userId: 'ada',
    taskId: TASK,
    bytes: 1,
    data: {},
  };

  it('filters by task, user and service (as sender or as target)', () => {
    expect(matches(m, {})).toBe(true);
    expect(matches(m, { taskId: TASK, userId: 'ada', service: 'mcp-tools' })).toBe(true);
    expect(matches(m, { service: 'orchestrator' })).toBe(true);
    expect(matches(m, { service: 'audit' })).toBe(false);
    expect(matches(m, { userId: 'bob' })).toBe(false);
    expect(matches(m, { taskId: '00000000-0000-4000-8000-000000000000' })).toBe(false);
  });

  it("shows a tenant's viewer only messages that say they act for that tenant", () => {
    const acme = { ...m, tenantId: 'acme' };
    expect(matches(acme, { tenantId: 'acme' })).toBe(true);
    expect(matches(acme, { tenantId: 'globex' })).toBe(false);
    // no tenant header: a reply or a health check may carry anyone's data
    expect(matches(m, { tenantId: 'acme' })).toBe(false);
    expect(
      toLiveMessage(raw('sb.health.gateway', {}, { 'x-sb-tenant-id': 'acme' }), 100).tenantId,
    ).toBe('acme');
  });
});
