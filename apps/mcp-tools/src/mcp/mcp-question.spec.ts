import { isDomainError, Tools } from '@switchboard/contracts';
import { approvalArgsHash } from '@switchboard/runtime';
import {
  inputResponsesOf,
  proposedAnswer,
  questionError,
  toInputRequired,
} from './mcp-question.js';

const confirmForm = {
  method: 'elicitation/create',
  params: {
    mode: 'form',
    message: 'Deploy to staging?',
    requestedSchema: {
      type: 'object',
      properties: { confirm: { type: 'boolean' }, note: { type: 'string' } },
      required: ['confirm'],
    },
  },
};

describe('an external MCP server’s question as a Switchboard approval', () => {
  it('proposes each form’s answer: defaults, yes for a yes/no field, a single choice', () => {
    expect(
      proposedAnswer({
        type: 'object',
        properties: {
          confirm: { type: 'boolean' },
          region: { type: 'string', default: 'eu' },
          tier: { type: 'string', enum: ['gold'] },
          note: { type: 'string' },
        },
      }),
    ).toEqual({ confirm: true, region: 'eu', tier: 'gold' });
    expect(proposedAnswer({ type: 'object' })).toEqual({});
  });

  it('carries the question, the proposed answer and what the server needs back', () => {
    const asked = toInputRequired('modern__deploy', 'modern', {
      inputRequests: { confirm: confirmForm },
      requestState: '{"env":"staging"}',
    });
    expect(asked.question).toBe('Deploy to staging?');
    expect(asked.input).toEqual({
      responses: { confirm: { confirm: true } },
      requestState: '{"env":"staging"}',
    });
    // An approver's edit is held to the server's own form.
    expect(asked.inputSchema).toMatchObject({
      properties: {
        responses: {
          properties: { confirm: confirmForm.params.requestedSchema },
          required: ['confirm'],
        },
      },
    });
  });

  it('is thrown as FORBIDDEN with reason input-required, which callers can read back', () => {
    const e = questionError('modern__deploy', 'modern', {
      inputRequests: { confirm: confirmForm },
      upstreamTaskId: 'task-1',
    });
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toContain('inside a task');
    const read = Tools.toolInputRequiredOf(e.details);
    expect(read?.input).toMatchObject({ upstreamTaskId: 'task-1' });
  });

  it('refuses what no person can answer here (sampling, URL elicitations), naming it', () => {
    let caught: unknown;
    try {
      toInputRequired('modern__summarise', 'modern', {
        inputRequests: {
          model: { method: 'sampling/createMessage', params: { messages: [] } },
          login: { method: 'elicitation/create', params: { mode: 'url', message: 'sign in' } },
        },
      });
    } catch (e) {
      caught = e;
    }
    expect(isDomainError(caught) && caught.code).toBe('UNSUPPORTED');
    expect((caught as Error).message).toContain('model (sampling/createMessage)');
    expect((caught as Error).message).toContain('login (elicitation/create, mode url)');
  });

  it('turns the approved answer into the inputResponses the server reads', () => {
    const input = { responses: { confirm: { confirm: true, note: 'ok' } }, requestState: 's' };
    expect(
      inputResponsesOf({
        approvalId: '00000000-0000-4000-8000-000000000001',
        argsHash: approvalArgsHash('modern__deploy', input),
        input,
        requestState: 's',
      }),
    ).toEqual({ confirm: { action: 'accept', content: { confirm: true, note: 'ok' } } });
    expect(() =>
      inputResponsesOf({
        approvalId: '00000000-0000-4000-8000-000000000001',
        argsHash: 'x',
        input: { responses: 'yes' },
      }),
    ).toThrow(/answer\.input\.responses/);
  });
});
