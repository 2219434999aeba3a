#!/usr/bin/env node
// The demo client: submits a task to the gateway and prints its streamed events as they arrive,
// through the built @switchboard/client (dist/libs/client: `npm run up` builds it), which resumes the
// stream if its connection drops.
//   node tools/demo.mjs ["task text"]     (GATEWAY_URL, DEMO_USER_ID; --json prints raw events)
// Exits 0 when the task completed, 1 otherwise.
import { ConnectionError, SwitchboardClient } from '../dist/libs/client/src/index.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const task =
  args.filter((a) => a !== '--json').join(' ') || 'what is 17 * 23, then save the result as a note';
const gateway = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const client = new SwitchboardClient({
  baseUrl: gateway,
  ...(process.env.DEMO_USER_ID ? { dev: { userId: process.env.DEMO_USER_ID } } : {}),
  ...(process.env.DEMO_TOKEN ? { token: process.env.DEMO_TOKEN } : {}),
});

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
let stream;
try {
  stream = await client.tasks.stream({ task });
} catch (e) {
  if (e instanceof ConnectionError) {
    console.error(`cannot reach the gateway at ${gateway}: ${e.cause?.message ?? e.message}`);
  } else {
    console.error(`gateway answered ${e.status ?? '?'}: ${e.code}: ${e.message}`);
  }
  process.exit(1);
}
console.log(`← 200 task ${stream.taskId}\n`);
let final;
try {
  for await (const e of stream) {
    if (json) console.log(JSON.stringify(e));
    else console.log(`${String(e.seq).padStart(3)}  ${e.name.padEnd(32)} ${summary(e)}`);
    if (/^orchestrator\.task\.(completed|failed|cancelled)$/.test(e.name)) final = e;
  }
} catch (e) {
  console.error(`\nthe stream broke off: ${e.message}`);
  process.exit(1);
}
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
