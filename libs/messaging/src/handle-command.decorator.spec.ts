import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { NatsContext, RpcException } from '@nestjs/microservices';
import { Tools } from '@switchboard/contracts';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import {
  HandleCommand,
  type HandlerObserver,
  ObservedNatsContext,
} from './handle-command.decorator.js';
import { type MessageMeta, replyIdentityOf } from './message-meta.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const call = { tool: 'calculator', input: { expression: '1+1' } };

class ToolsHandler {
  @HandleCommand(Tools.ToolsCall)
  call(input: Tools.ToolCallRequest, meta: MessageMeta) {
    return { tool: input.tool, output: meta.replyTo ?? 2, durationMs: 1, replayed: false };
  }
}
type Wrapped = (data: unknown, ctx: NatsContext) => Promise<unknown>;
const sut = new ToolsHandler() as unknown as { call: Wrapped };
const on = (subject: string) => new NatsContext([subject, undefined]);

/** The error body a handler threw (Nest's RpcException around the platform's ErrorBody). */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RpcException);
    return (e as RpcException).getError() as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe(HandleCommand.name, () => {
  it("listens on the pattern of a subject with a placeholder (a tool call's task)", () => {
    const patterns = Reflect.getMetadata(PATTERN_METADATA, ToolsHandler.prototype.call) as unknown;
    expect(patterns).toEqual(['sb.cmd.tools.call.*']);
  });

  it("runs a request sent on its own task's subject, or on `_` without a task", async () => {
    await expect(
      sut.call({ ...call, taskId: TASK }, on(`sb.cmd.tools.call.${TASK}`)),
    ).resolves.toMatchObject({ output: 2 });
    await expect(sut.call(call, on('sb.cmd.tools.call._'))).resolves.toMatchObject({ output: 2 });
  });

  it('refuses a request whose subject names another task than the request (VALIDATION)', async () => {
    const other = '00000000-0000-4000-8000-000000000000';
    const wrong = await refusal(
      sut.call({ ...call, taskId: TASK }, on(`sb.cmd.tools.call.${other}`)),
    );
    expect(wrong.code).toBe('VALIDATION');
    expect(wrong.message).toContain(`belongs on sb.cmd.tools.call.${TASK}`);
    expect((await refusal(sut.call(call, on(`sb.cmd.tools.call.${TASK}`)))).code).toBe(
      'VALIDATION',
    );
  });

  it('counts each command with the observer of the server that handed it over (a cell runs several)', async () => {
    const counted = (into: string[]): HandlerObserver => ({
      handled: (subject, outcome) => into.push(`${subject} ${outcome}`),
      unexpected: () => undefined,
      invalidReply: () => undefined,
      refused: () => undefined,
    });
    const mine: string[] = [];
    const theirs: string[] = [];
    const subject = `sb.cmd.tools.call.${TASK}`;
    await sut.call(
      { ...call, taskId: TASK },
      new ObservedNatsContext([subject, undefined], counted(mine)),
    );
    await refusal(sut.call(call, new ObservedNatsContext([subject, undefined], counted(theirs))));
    expect(mine).toEqual(['sb.cmd.tools.call.{taskId} ok']);
    expect(theirs).toEqual(['sb.cmd.tools.call.{taskId} VALIDATION']);
  });

  it("tells the handler whose inbox its reply goes to (the only identity that reads it), from the request's reply subject", async () => {
    const subject = `sb.cmd.tools.call.${TASK}`;
    const replied = (reply?: string) =>
      sut.call(
        { ...call, taskId: TASK },
        new ObservedNatsContext([subject, undefined], undefined, reply),
      );
    await expect(replied('_INBOX.orchestrator.AbC123.7')).resolves.toMatchObject({
      output: 'orchestrator',
    });
    await expect(replied('_INBOX.gateway.AbC123.7')).resolves.toMatchObject({ output: 'gateway' });
    // an inbox of no identity (a client with nats.js's default prefix), or none: nobody in particular
    await expect(replied('_INBOX.AbC123XyZ.7')).resolves.toMatchObject({ output: 2 });
    await expect(replied(undefined)).resolves.toMatchObject({ output: 2 });
    expect(replyIdentityOf('_INBOX.orchestratorx.1')).toBeUndefined();
    expect(replyIdentityOf('sb.cmd.x._INBOX.orchestrator.1')).toBeUndefined();
  });
});
