import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { DomainError } from '@switchboard/contracts';
import {
  callThreadOf,
  assertCleanArguments,
  assertToolName,
  ProtocolError,
  toCallFailure,
  toCallToolResult,
  toMcpTool,
  toolCallOf,
} from './mcp.translator.js';

describe('the MCP translator (gateway)', () => {
  it('lists a manifest tool with its schemas untouched and its provider in _meta', () => {
    const inputSchema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { q: { type: 'string' } },
    };
    expect(
      toMcpTool({
        name: 'gh__search',
        title: 'Search',
        description: 'Searches',
        provider: 'gh',
        inputSchema,
        outputSchema: { type: 'object' },
        idempotent: true,
      }),
    ).toEqual({
      name: 'gh__search',
      title: 'Search',
      description: 'Searches',
      inputSchema,
      outputSchema: { type: 'object' },
      annotations: { idempotentHint: true },
      _meta: { 'dev.switchboard/provider': 'gh' },
    });
  });

  it('returns structured output with a text copy, or the content blocks a tool produced', () => {
    expect(
      toCallToolResult({
        tool: 'calculator',
        output: { result: 4 },
        durationMs: 1,
        replayed: false,
      }),
    ).toEqual({
      content: [{ type: 'text', text: '{"result":4}' }],
      structuredContent: { result: 4 },
    });
    expect(
      toCallToolResult({ tool: 't', output: 'plain', durationMs: 1, replayed: false }),
    ).toEqual({ content: [{ type: 'text', text: 'plain' }] });
    const content = [{ type: 'image' as const, data: 'AAAA', mimeType: 'image/png' }];
    expect(
      toCallToolResult({
        tool: 'gh__x',
        output: { text: '' },
        content,
        durationMs: 1,
        replayed: false,
      }).content,
    ).toEqual(content);
  });

  it('answers a call refused before its tool ran (unknown, not permitted) with a protocol error, its message said once', () => {
    const cases = [
      ['NOT_FOUND', 'unknown-tool', 'unknown tool "x"'],
      ['FORBIDDEN', 'not-permitted', 'tool x requires the admin role'],
    ] as const;
    for (const [code, refusal, message] of cases) {
      let thrown: unknown;
      try {
        toCallFailure('x', new DomainError(code, message, { details: { tool: 'x', refusal } }));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ProtocolError);
      expect(thrown).toMatchObject({
        code: ErrorCode.InvalidParams,
        message: `tool x is not available to you: ${message}`,
        data: { code, refusal },
      });
      expect((thrown as Error).message).not.toMatch(/MCP error/);
    }
    expect(() => toCallFailure('x', new Error('boom'))).toThrow('tool x failed unexpectedly');
  });

  it("reports the tool's own failures as isError results, its NOT_FOUND and FORBIDDEN included", () => {
    expect(toCallFailure('x', new DomainError('TIMEOUT', 'too slow'))).toEqual({
      content: [{ type: 'text', text: 'TIMEOUT: too slow' }],
      isError: true,
    });
    expect(toCallFailure('notes.get', new DomainError('NOT_FOUND', 'note 7f3a not found'))).toEqual(
      { content: [{ type: 'text', text: 'NOT_FOUND: note 7f3a not found' }], isError: true },
    );
    expect(toCallFailure('x', new DomainError('FORBIDDEN', 'not your note'))).toMatchObject({
      isError: true,
    });
  });

  it('refuses a tool name no tool could have as invalid params, quoting at most 128 characters', () => {
    expect(() => assertToolName('notes.add')).not.toThrow();
    const refusal = (name: string) => {
      try {
        assertToolName(name);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(refusal('no such tool!')).toMatchObject({
      code: ErrorCode.InvalidParams,
      message: 'unknown tool "no such tool!"',
    });
    expect(refusal('!'.repeat(300))).toBeInstanceOf(ProtocolError);
    expect((refusal('!'.repeat(300)) as ProtocolError).message).toBe(
      `unknown tool "${'!'.repeat(128)}"`,
    );
  });

  it('reads a call as its checked tool name and its arguments, none given being empty', () => {
    expect(toolCallOf({ name: 'notes.add', arguments: { content: 'hi' } })).toEqual({
      name: 'notes.add',
      args: { content: 'hi' },
    });
    expect(toolCallOf({ name: 'notes.list' })).toEqual({ name: 'notes.list', args: {} });
    expect(() => toolCallOf({ name: 'no such tool!' })).toThrow(ProtocolError);
  });

  it('reads the thread of a call from _meta["dev.switchboard/thread"], refusing a bad one naming the field', () => {
    expect(callThreadOf(undefined)).toBeUndefined();
    expect(callThreadOf({ progressToken: 1 })).toBeUndefined();
    expect(callThreadOf({ 'dev.switchboard/thread': { id: 'chat' } })).toEqual({ id: 'chat' });
    expect(callThreadOf({ 'dev.switchboard/thread': { id: 'chat', policy: 'rollback' } })).toEqual({
      id: 'chat',
      policy: 'rollback',
    });
    const bad: [unknown, string][] = [
      [{ id: 'chat', policy: 'later' }, '_meta["dev.switchboard/thread"].policy'],
      [{ policy: 'reject' }, '_meta["dev.switchboard/thread"].id'],
      ['chat', '_meta["dev.switchboard/thread"]'],
      [{ id: 'chat', extra: 1 }, '_meta["dev.switchboard/thread"]'],
    ];
    for (const [given, field] of bad) {
      expect(() => callThreadOf({ 'dev.switchboard/thread': given })).toThrow(
        expect.objectContaining({
          code: ErrorCode.InvalidParams,
          message: expect.stringContaining(field) as string,
        }),
      );
    }
  });

  it("answers a busy thread's refusal (reject) as an isError result naming the running task", () => {
    const busy = new DomainError(
      'CONFLICT',
      'thread chat is busy with task 5f0c (thread_policy: reject)',
      { details: { running_task_id: '5f0c', thread_id: 'chat', thread_policy: 'reject' } },
    );
    expect(toCallFailure('math.add', busy)).toEqual({
      content: [
        {
          type: 'text',
          text: 'CONFLICT: thread chat is busy with task 5f0c (thread_policy: reject)',
        },
      ],
      isError: true,
    });
  });

  it('refuses control characters anywhere in tool arguments as a tool error naming the field', () => {
    expect(() => assertCleanArguments({ content: 'line one\nline two\ttab', n: 1 })).not.toThrow();
    let error: unknown;
    try {
      assertCleanArguments({ note: { tags: ['ok', 'bad\u0000tag'] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toMatch(
      /^invalid arguments: arguments\.note\.tags\.1: must not contain control characters/,
    );
    expect(toCallFailure('notes.add', error)).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: expect.stringMatching(/^VALIDATION: .*arguments\.note/) }],
    });
    expect(() => assertCleanArguments({ 'k\u0007': 'v' })).toThrow(/arguments \(a key\)/);
  });
});
