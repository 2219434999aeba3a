import { afterEach, describe, expect, it } from '@jest/globals';
import { type ChaosLlm, plan, startChaosLlm } from './llm-server.js';

const offered = [{ function: { name: 'calculator' } }, { function: { name: 'notes__add' } }];
const tool = (output: unknown) => ({
  role: 'tool',
  content: JSON.stringify({ status: 'completed', output }),
});

describe('plan (what the chaos LLM answers)', () => {
  it('plans the demo task as a model would: calculator, then the note, then the answer', () => {
    const user = { role: 'user', content: 'what is 12 * 14, then save the result as a note' };
    expect(plan({ messages: [user], tools: offered })).toEqual({
      call: { name: 'calculator', arguments: { expression: '12 * 14' } },
    });
    const afterCalc = [user, tool({ result: 168, expression: '12 * 14' })];
    expect(plan({ messages: afterCalc, tools: offered })).toEqual({
      call: { name: 'notes__add', arguments: { content: '168' } },
    });
    expect(plan({ messages: [...afterCalc, tool({ id: 'n1' })], tools: offered })).toEqual({
      content: 'Done: 168',
    });
  });

  it('delegates to the agent the task names, then saves its reply', () => {
    const user = {
      role: 'user',
      content: 'ask the researcher about NATS JetStream, then save the result as a note',
    };
    expect(plan({ messages: [user], tools: offered })).toEqual({
      call: { name: 'delegate__researcher', arguments: { message: 'NATS JetStream' } },
    });
    expect(plan({ messages: [user, tool({ text: '## NATS JetStream' })], tools: offered })).toEqual(
      {
        call: { name: 'notes__add', arguments: { content: '## NATS JetStream' } },
      },
    );
  });
});

describe('startChaosLlm', () => {
  let llm: ChaosLlm | undefined;
  afterEach(async () => llm?.stop());

  const ask = (baseUrl: string) =>
    fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: 'what is 2 * 3, then save the result as a note' }],
        tools: offered,
      }),
    });

  it('streams a whole answer, ending with [DONE]', async () => {
    llm = await startChaosLlm();
    const text = await (await ask(llm.baseUrl)).text();
    expect(text).toContain('"name":"calculator"');
    expect(text).toContain('"finish_reason":"tool_calls"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(llm.answered).toBe(1);
  });

  it('while stalling, sends the first chunks of an answer and never its end', async () => {
    llm = await startChaosLlm();
    llm.stall(true);
    const response = await ask(llm.baseUrl);
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('Let me')) {
      const { value } = await reader.read();
      seen += new TextDecoder().decode(value);
    }
    expect(llm.stalled).toBe(1);
    // Only the server going away ends a stalled answer: no finish reason, no [DONE].
    await llm.stop();
    llm = undefined;
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (r.done) break;
      seen += new TextDecoder().decode(r.value);
    }
    expect(seen).not.toContain('finish_reason":"');
    expect(seen).not.toContain('[DONE]');
  });
});
