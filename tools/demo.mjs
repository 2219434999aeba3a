#!/usr/bin/env node
// The demo client: submits a task to the gateway and prints its streamed events as they arrive.
//   node tools/demo.mjs ["task text"]     (GATEWAY_URL, DEMO_USER_ID; --json prints raw events)
// Exits 0 when the task completed, 1 otherwise.
import { createParser } from 'eventsource-parser';

const args = process.argv.slice(2);
const json = args.includes('--json');
const task =
  args.filter((a) => a !== '--json').join(' ') || 'what is 17 * 23, then save the result as a note';
const gateway = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
if (process.env.DEMO_USER_ID) headers['x-user-id'] = process.env.DEMO_USER_ID;
if (process.env.DEMO_TOKEN) headers.authorization = `Bearer ${process.env.DEMO_TOKEN}`;

const clip = (text, max = 160) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);
const summary = (e) => {
  const d = e.data ?? {};
  switch (e.name) {
    case 'orchestrator.task.started':
      return `"${d.task}" for ${d.userId} (${d.planner === 'builtin' ? 'built-in planner, no LLM' : 'LLM planner'})`;
    case 'mcp.toolbox.generated':
      return `${d.count} tools offered: ${d.tools.map((t) => t.name).join(', ')}`;
    case 'orchestrator.planning.completed':
      return (
        d.plan
          .map((a) => `${a.id}: ${a.kind} ${a.target} ${JSON.stringify(a.input)}`)
          .join(' | ') || '(no actions)'
      );
    case 'orchestrator.step.dispatching':
      return `${d.stepId} → ${d.kind} ${d.target} ${clip(JSON.stringify(d.input))}`;
    case 'mcp.task.started':
      return `${d.tool} ${JSON.stringify(d.input)}`;
    case 'mcp.task.completed':
    case 'orchestrator.step.completed':
      return `${d.stepId} ${clip(JSON.stringify(d.output))} (${Math.round(d.durationMs * 10) / 10} ms)`;
    case 'a2a.delegation.started':
      return `${d.stepId} → agent ${d.agent} over ${d.transport === 'xmpp' ? 'XMPP (XEP-0332 via the xmpp-bridge)' : 'HTTP'}: "${d.message}"`;
    case 'a2a.delegation.status':
      return `${d.agent} [${d.transport}] ${d.state}${d.text ? `: ${d.text}` : ''}`;
    case 'a2a.delegation.result':
      return `${d.agent} [${d.transport}] ${d.state} (${Math.round(d.durationMs)} ms): ${clip(d.text.replace(/\s+/g, ' '))}`;
    case 'orchestrator.task.completed':
      return `${clip(String(d.result).replace(/\s+/g, ' '))} (${d.steps} steps, ${Math.round(d.durationMs)} ms)`;
    default:
      return e.message ?? JSON.stringify(d);
  }
};

console.log(`→ POST ${gateway}/orchestrate/stream  ${JSON.stringify({ task })}`);
let response;
try {
  response = await fetch(`${gateway}/orchestrate/stream`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ task }),
  });
} catch (e) {
  console.error(`cannot reach the gateway at ${gateway}: ${e.cause?.code ?? e.message}`);
  process.exit(1);
}
if (!response.ok) {
  console.error(`gateway answered ${response.status}: ${await response.text()}`);
  process.exit(1);
}
console.log(`← ${response.status} task ${response.headers.get('x-task-id')}\n`);
let final;
const parser = createParser({
  onEvent: (m) => {
    const e = JSON.parse(m.data);
    if (json) console.log(m.data);
    else console.log(`${String(m.id).padStart(3)}  ${(m.event ?? '').padEnd(32)} ${summary(e)}`);
    if (/^orchestrator\.task\.(completed|failed|cancelled)$/.test(e.name)) final = e;
  },
});
const decoder = new TextDecoder();
for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
if (!final) {
  console.error('\nthe stream ended without a final event');
  process.exit(1);
}
if (final.name === 'orchestrator.task.completed') {
  console.log(`\nAnswer: ${final.data.result}`);
  process.exit(0);
}
console.error(
  `\nTask ${final.name.split('.').pop()}: ${final.message ?? JSON.stringify(final.data)}`,
);
process.exit(1);
