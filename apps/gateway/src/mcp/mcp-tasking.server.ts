import {
  type JSONRPCRequest,
  ProtocolError,
  type Result,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { type CreateTaskResult, isCreateTaskResult, takesTasks } from './mcp-tasks.js';

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/** Carries a task answer past the SDK's tool-result check (caught again right after it). */
class TaskCreated extends Error {
  constructor(readonly result: CreateTaskResult) {
    super('task created');
  }
}

/**
 * The SDK's `Server`, whose `tools/call` may answer with a task of the extension
 * `io.modelcontextprotocol/tasks` (a `CreateTaskResult`, `resultType: "task"`). The v2 SDK (2.4.0)
 * knows no such answer: it checks every `tools/call` result as a tool result and gives one without
 * content `content: []` — a task would reach the wire as an empty tool result beside the task. Here a
 * handler's task answer is taken out before that check (the request's own checks still run) and sent
 * as it is; and only to a client whose request took the extension, as the extension requires.
 */
export class McpTaskingServer extends Server {
  protected override _wrapHandler(method: string, handler: Handler): Handler {
    if (method !== 'tools/call') return super._wrapHandler(method, handler);
    const checked = super._wrapHandler(method, async (request, ctx) => {
      const result = await handler(request, ctx);
      if (isCreateTaskResult(result)) throw new TaskCreated(result);
      return result;
    });
    return async (request, ctx) => {
      try {
        return await checked(request, ctx);
      } catch (e) {
        if (!(e instanceof TaskCreated)) throw e;
        // A wiring bug, never a client's fault: the extension forbids a task to a client without it.
        if (!takesTasks(this.getClientCapabilities()))
          throw new ProtocolError(-32603, 'a task answer for a client without the tasks extension');
        return e.result as unknown as Result;
      }
    };
  }
}
