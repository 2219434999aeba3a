import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  type LlmStub,
  type Stack,
  startLlmStub,
  startStack,
  tempDir,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A payment API stand-in: counts the payments it receives and holds the first answer until released. */
async function startPaymentApi() {
  const payments: unknown[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      payments.push(JSON.parse(body || '{}'));
      arrived();
      void released.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ paid: true, receipt: `r-${payments.length}` }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pay`,
    payments,
    firstArrived,
    release: () => release(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const toolsFile = (url: string) => {
  const path = `${tempDir('tools-file')}/tools.yaml`;
  writeFileSync(
    path,
    `tools:
  - name: pay.send
    description: Sends a payment. Not idempotent.
    provider: payments
    inputSchema: { type: object, properties: { amount: { type: number } }, required: [amount] }
    handler: { kind: http_endpoint, url: "${url}", method: POST }
    timeoutMs: 40000
    approval: {}
`,
  );
  return path;
};

// The approved call runs once although the orchestrator running it is killed (kill -9) while the call
// is under way: the replica that resumes the task sends the same call with the same idempotency key, and
// mcp-tools answers it with the first call's outcome. The plan comes from an OpenAI-compatible stand-in.
describe('an approved call survives kill -9 of the orchestrator and runs once (real processes)', () => {
  let stack: Stack;
  let llm: LlmStub;
  let api: Awaited<ReturnType<typeof startPaymentApi>>;

  beforeAll(async () => {
    api = await startPaymentApi();
    llm = await startLlmStub();
    stack = await startStack({
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-e2e-approvals-0123456789',
          LLM_MODEL: 'stub-model',
          // a killed replica's task goes to the next one after 2 s without heartbeats
          TASK_ACK_WAIT_MS: '2000',
        },
        'mcp-tools': { TOOLS_FILE: toolsFile(api.url) },
      },
    });
  });

  afterAll(async () => {
    api?.release();
    await stack?.stop();
    await llm?.stop();
    await api?.close();
  });

  it('approve, kill -9 the orchestrator mid-call, resume elsewhere: one payment, one answer', async () => {
    const user = `payer-${randomUUID().slice(0, 8)}`;
    const task = `pay 5 to the tailor ${randomUUID().slice(0, 8)}`;
    llm.script(task, [
      { toolCalls: [{ name: 'pay__send', arguments: { amount: 5 } }] },
      { content: 'paid 5 to the tailor' },
    ]);
    const headers = { 'content-type': 'application/json', 'x-user-id': user };
    const submitted = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ task }),
    });
    expect(submitted.status).toBe(202);
    const waiting = (await submitted.json()) as {
      task_id: string;
      approval: { approvalId: string; target: string; input: unknown };
    };
    expect(waiting.approval).toMatchObject({ target: 'pay.send', input: { amount: 5 } });
    expect(api.payments).toEqual([]);

    const decided = await fetch(
      `${stack.gatewayUrl}/tasks/${waiting.task_id}/approvals/${waiting.approval.approvalId}`,
      { method: 'POST', headers, body: JSON.stringify({ decision: 'approve' }) },
    );
    expect(decided.status).toBe(200);

    // The payment is under way at the API: the orchestrator that sent it dies.
    await api.firstArrived;
    await stack.services['orchestrator']!.kill();
    await stack.restart('orchestrator');
    api.release();

    const events = await collectSse(
      await fetch(`${stack.gatewayUrl}/tasks/${waiting.task_id}/events`, { headers }),
    );
    const parsed = events.map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    const last = parsed[parsed.length - 1]!;
    expect(last.name).toBe('orchestrator.task.completed');
    expect(last.name === 'orchestrator.task.completed' && last.data.result).toBe(
      'paid 5 to the tailor',
    );
    expect(api.payments).toEqual([{ amount: 5 }]);
    // a second decision is refused: the approval is spent
    const again = await fetch(
      `${stack.gatewayUrl}/tasks/${waiting.task_id}/approvals/${waiting.approval.approvalId}`,
      { method: 'POST', headers, body: JSON.stringify({ decision: 'approve' }) },
    );
    expect(again.status).toBe(409);
  });
});
