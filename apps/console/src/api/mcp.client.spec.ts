import { describe, expect, it } from '@jest/globals';
import { outcomeOf, rpcReplyOf } from './mcp.client';

describe(rpcReplyOf.name, () => {
  it('finds the reply with its id in an SSE body or a JSON one', () => {
    const reply = { jsonrpc: '2.0', id: 2, result: { content: [] } };
    const sse = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message' })}\n\nevent: message\ndata: ${JSON.stringify(reply)}\n\n`;
    expect(rpcReplyOf('text/event-stream', sse, 2)).toEqual(reply);
    expect(rpcReplyOf('application/json', JSON.stringify(reply), 2)).toEqual(reply);
    expect(rpcReplyOf('application/json', JSON.stringify([reply]), 3)).toBeUndefined();
  });
});

describe(outcomeOf.name, () => {
  it("gives a tool's result, its error result, or the protocol's refusal", () => {
    expect(
      outcomeOf({
        result: {
          content: [{ type: 'text', text: '{"result":391}' }],
          structuredContent: { result: 391 },
        },
      }),
    ).toEqual({ ok: true, text: '{"result":391}', structured: { result: 391 } });
    expect(
      outcomeOf({
        result: { content: [{ type: 'text', text: 'VALIDATION: expression: …' }], isError: true },
      }),
    ).toEqual({ ok: false, message: 'VALIDATION: expression: …' });
    expect(
      outcomeOf({
        error: {
          code: -32602,
          message: 'tool partner.time is not available to you',
          data: { code: 'FORBIDDEN' },
        },
      }),
    ).toEqual({
      ok: false,
      message: 'tool partner.time is not available to you',
      code: 'FORBIDDEN',
    });
  });
});
