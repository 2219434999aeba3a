import { type Message, Role, TaskState } from '@a2a-js/sdk';
import { RequestMalformedError, TaskNotFoundError } from '@a2a-js/sdk/errors';
import { DomainError, type Tasks } from '@switchboard/contracts';
import type { GatewayEnv } from '../config/gateway.env.js';
import {
  approvalMessage,
  approvalReplyOf,
  approvalRequestOf,
  assertRunnable,
  threadPolicyOf,
  agentChoiceOf,
} from './a2a-approvals.translator.js';
import {
  fromTaskView,
  legacyCardJson,
  outcomeOf,
  progressText,
  requestedVersionOf,
  toA2aError,
} from './a2a.translator.js';
import { platformAgentCard } from './platform-agent.card.js';

const message = (parts: Message['parts'], taskId = ''): Message => ({
  messageId: 'm',
  role: Role.ROLE_USER,
  contextId: '',
  taskId,
  parts,
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
});
const text = (value: string) => ({
  content: { $case: 'text' as const, value },
  mediaType: 'text/plain',
  filename: '',
  metadata: undefined,
});
const base = {
  taskId: '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718',
  seq: 1,
  at: '2026-11-22T00:00:00.000Z',
  source: 'orchestrator',
};

describe('gateway A2A translator', () => {
  it('accepts a message with text and refuses the rest with A2A errors', () => {
    expect(() => assertRunnable(message([text('what is 1 + 1')]))).not.toThrow();
    expect(() => assertRunnable(undefined)).toThrow(RequestMalformedError);
    expect(() =>
      assertRunnable(
        message([
          {
            content: { $case: 'data', value: { a: 1 } },
            mediaType: '',
            filename: '',
            metadata: undefined,
          },
        ]),
      ),
    ).toThrow(/must contain text/);
    expect(() => assertRunnable(message([text('x'.repeat(8_001))]))).toThrow(/at most 8000/);
    // On an existing task a message must answer its approval (docs/approvals.md).
    expect(() => assertRunnable(message([text('more')], 'existing-task'))).toThrow(
      /params\.message\.parts: a message on an existing task answers its approval/,
    );
    expect(() => assertRunnable(message([text('approve')], 'existing-task'))).not.toThrow();
  });

  describe('approvals', () => {
    const data = (value: unknown) => ({
      content: { $case: 'data' as const, value },
      mediaType: 'application/json',
      filename: '',
      metadata: undefined,
    });
    const APPROVAL = '0b6f1a52-3c4d-4e5f-8a9b-1c2d3e4f5a6b';

    it('reads an answer from the text: approve, or reject with its reason', () => {
      expect(approvalReplyOf(message([text('  Approve ')], 't'))).toEqual({ decision: 'approve' });
      expect(approvalReplyOf(message([text('reject: not today')], 't'))).toEqual({
        decision: 'reject',
        reason: 'not today',
      });
      expect(approvalReplyOf(message([text('reject')], 't'))).toEqual({ decision: 'reject' });
      expect(() => approvalReplyOf(message([text('approvement')], 't'))).toThrow(
        RequestMalformedError,
      );
    });

    it('reads an answer from a data part, and refuses a wrong one naming the field', () => {
      expect(
        approvalReplyOf(
          message(
            [
              text('ignored'),
              data({ approvalId: APPROVAL, decision: 'approve', input: { content: '17' } }),
            ],
            't',
          ),
        ),
      ).toEqual({ approvalId: APPROVAL, decision: 'approve', input: { content: '17' } });
      expect(() => approvalReplyOf(message([data({ decision: 'maybe' })], 't'))).toThrow(
        /params\.message\.parts\[0\]\.data\.decision/,
      );
      expect(() =>
        approvalReplyOf(message([data({ decision: 'reject', input: { a: 1 } })], 't')),
      ).toThrow(/params\.message\.parts\[0\]\.data\.input: only an approval can edit/);
      expect(() =>
        approvalReplyOf(message([data({ approvalId: 'nope', decision: 'approve' })], 't')),
      ).toThrow(/data\.approvalId/);
    });

    it('passes metadata.approval of a new task through, refusing a wrong one naming the field', () => {
      const withMeta = (metadata: Record<string, unknown>) => ({
        ...message([text('what is 17 * 23')]),
        metadata,
      });
      expect(approvalRequestOf(withMeta({ approval: { tools: ['notes.add'] } }))).toEqual({
        tools: ['notes.add'],
      });
      expect(approvalRequestOf(message([text('x')]))).toBeUndefined();
      expect(() => assertRunnable(withMeta({ approval: { tools: [] } }))).toThrow(
        /params\.message\.metadata\.approval\.tools/,
      );
    });

    it("reads a new message's metadata.thread_policy, refusing an unknown one naming the field", () => {
      const withMeta = (metadata: Record<string, unknown>) => ({
        ...message([text('what is 17 * 23')]),
        metadata,
      });
      expect(threadPolicyOf(withMeta({ thread_policy: 'rollback' }))).toBe('rollback');
      expect(threadPolicyOf(message([text('x')]))).toBeUndefined();
      expect(() => assertRunnable(withMeta({ thread_policy: 'later' }))).toThrow(
        /params\.message\.metadata\.thread_policy: must be one of reject, enqueue, interrupt, rollback/,
      );
    });

    it("reads a new message's metadata.agent, refusing a malformed one naming the field", () => {
      const withMeta = (metadata: Record<string, unknown>) => ({
        ...message([text('what is 17 * 23')]),
        metadata,
      });
      expect(agentChoiceOf(withMeta({ agent: { name: 'support', label: 'staging' } }))).toEqual({
        name: 'support',
        label: 'staging',
      });
      expect(agentChoiceOf(message([text('x')]))).toBeUndefined();
      expect(() => assertRunnable(withMeta({ agent: { name: 'support', version: 0 } }))).toThrow(
        /params\.message\.metadata\.agent\.version/,
      );
    });

    it('describes the waiting calls in text and data, and says how to answer', () => {
      const m = approvalMessage(
        't1',
        'c1',
        [
          {
            approvalId: APPROVAL,
            kind: 'tool',
            target: 'notes.add',
            input: { content: '391' },
            reason: 'save the result as a note',
            expiresAt: '2026-11-23T00:00:00.000Z',
          },
        ],
        'm1',
      );
      expect(m).toMatchObject({ role: Role.ROLE_AGENT, taskId: 't1', contextId: 'c1' });
      const [first, second] = m.parts;
      const said = first?.content?.$case === 'text' ? first.content.value : '';
      expect(said).toContain('tool notes.add with {"content":"391"}');
      expect(said).toContain('save the result as a note');
      expect(said).toContain(APPROVAL);
      expect(said).toContain("'approve' or 'reject <reason>'");
      expect(second?.content).toEqual({
        $case: 'data',
        value: {
          approvals: [
            {
              approvalId: APPROVAL,
              kind: 'tool',
              target: 'notes.add',
              input: { content: '391' },
              reason: 'save the result as a note',
              expiresAt: '2026-11-23T00:00:00.000Z',
            },
          ],
        },
      });
    });

    it('shows a waiting task as INPUT_REQUIRED', () => {
      const view: Tasks.TaskView = {
        taskId: base.taskId,
        userId: 'u1',
        status: 'waiting_approval',
        task: 't',
        steps: [],
        lastEventSeq: 9,
        createdAt: base.at,
        updatedAt: base.at,
      };
      expect(fromTaskView(view).status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    });
  });

  it('refuses control characters in a text part, naming the part', () => {
    expect(() => assertRunnable(message([text('fine'), text('a\u0000b')]))).toThrow(
      /params\.message\.parts\[1\]\.text must not contain control characters/,
    );
    expect(() => assertRunnable(message([text('tab\tand\nnewline')]))).not.toThrow();
  });

  it('shows steps as progress and ends with the task outcome', () => {
    const dispatching = {
      ...base,
      name: 'orchestrator.step.dispatching',
      message: 'dispatching tool calculator',
      data: { stepId: 's1', index: 0, kind: 'tool', target: 'calculator', input: {} },
    } as Tasks.TaskEvent;
    expect(progressText(dispatching)).toBe('dispatching tool calculator');
    expect(
      progressText({
        ...base,
        name: 'orchestrator.planning.started',
        data: { planner: 'builtin', iteration: 1 },
      } as Tasks.TaskEvent),
    ).toBeUndefined();
    const done = outcomeOf({
      ...base,
      name: 'orchestrator.task.completed',
      data: { result: '4', output: { n: 4 }, planner: 'builtin', steps: 1, durationMs: 3 },
    } as Tasks.TaskEvent);
    expect(done).toMatchObject({
      state: TaskState.TASK_STATE_COMPLETED,
      text: '4',
      artifact: { artifactId: 'result' },
    });
    expect(
      done && 'artifact' in done ? done.artifact.parts.map((p) => p.content?.$case) : [],
    ).toEqual(['text', 'data']);
    const failed = outcomeOf({
      ...base,
      name: 'orchestrator.task.failed',
      data: {
        error: { code: 'FORBIDDEN', message: 'no', retryable: false },
        steps: 0,
        durationMs: 1,
      },
    } as Tasks.TaskEvent);
    expect(failed).toEqual({ state: TaskState.TASK_STATE_FAILED, text: 'FORBIDDEN: no' });
  });

  it('reads a stored task as an A2A task', () => {
    const view: Tasks.TaskView = {
      taskId: base.taskId,
      userId: 'u',
      status: 'completed',
      task: 't',
      result: '42',
      steps: [],
      lastEventSeq: 9,
      createdAt: base.at,
      updatedAt: base.at,
    };
    const task = fromTaskView(view);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.artifacts[0]?.parts[0]?.content).toEqual({ $case: 'text', value: '42' });
    expect(fromTaskView({ ...view, status: 'queued', result: undefined }).status?.state).toBe(
      TaskState.TASK_STATE_SUBMITTED,
    );
  });

  it('maps platform errors to A2A errors, hiding unexpected ones behind an error id', () => {
    expect(toA2aError(new DomainError('NOT_FOUND', 'task x not found'), () => 'id')).toBeInstanceOf(
      TaskNotFoundError,
    );
    expect(toA2aError(new Error('secret stack detail'), () => 'e-1').message).toBe(
      'internal error (errorId e-1)',
    );
  });

  it('reads a missing or empty A2A-Version as 0.3, as the spec does', () => {
    expect(requestedVersionOf(undefined)).toBe('0.3');
    expect(requestedVersionOf('')).toBe('0.3');
    expect(requestedVersionOf(' 1.0 ')).toBe('1.0');
    expect(requestedVersionOf(['1.0', '0.3'])).toBe('1.0, 0.3');
  });

  it('writes the card as v0.3 JSON with v0.3 security schemes, keeping both interfaces', async () => {
    const card = platformAgentCard(
      { AUTH_MODE: 'jwt', EXPOSE_OPENAPI: true } as GatewayEnv,
      'https://gw.example',
    );
    const legacy = await legacyCardJson(card);
    expect(legacy).toMatchObject({
      protocolVersion: '0.3',
      url: 'https://gw.example/a2a',
      preferredTransport: 'JSONRPC',
      documentationUrl: 'https://gw.example/openapi.json',
      capabilities: { streaming: true, pushNotifications: true },
      supportsAuthenticatedExtendedCard: true,
      securitySchemes: { bearer: { type: 'http', scheme: 'Bearer', bearerFormat: 'JWT' } },
      security: [{ bearer: [] }],
      skills: [{ id: 'run-task', tags: ['orchestration', 'tools', 'delegation'] }],
    });
    expect(legacy['supportedInterfaces']).toEqual([
      { url: 'https://gw.example/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: 'https://gw.example/a2a', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ]);
  });

  it('describes the platform without naming tools that may not be configured', () => {
    const card = platformAgentCard({ AUTH_MODE: 'dev' } as GatewayEnv, 'http://gw.example');
    expect(card.description).not.toMatch(/weather|calculator|notes|time/i);
  });
});
