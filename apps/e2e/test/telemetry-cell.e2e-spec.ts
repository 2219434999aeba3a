import { DEMO_TASK, type ReceivedSpan } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import {
  ancestry,
  expectDelegationAcrossXmpp,
  expectOneTaskTrace,
  runTracedTask,
  spanNamed as span,
  startTracedPlatform,
  type TracedPlatform,
  type TracedRun,
  traceOf as traceIn,
  withTraceIdOf,
} from './support/traced-platform.js';

const DELEGATION_TASK =
  'ask the researcher about NATS JetStream, then have the writer draft a summary';

/** The spans every demo task's trace must hold, by service: its hops and what the journal relays. */
const DEMO_SPANS = {
  gateway: ['POST /orchestrate/stream'],
  orchestrator: ['task', 'audit relay', 'webhook delivery'],
  'mcp-tools': ['tool call'],
  audit: ['audit chain'],
};

// The same platform as telemetry.e2e-spec.ts (an OTLP receiver, the LLM stub, both agents behind
// their bridges), with the six services in one process as `npm run up` runs them: the cell's
// in-process requests, its relays and its webhook sender keep one trace per task, as separate
// services do.
describe('telemetry on the cell: one trace per task, the journal’s relays included', () => {
  let platform: TracedPlatform;
  const hookToken = `tok-${randomUUID()}`;
  const webhook = () => ({ webhook: { url: `${platform.webhooks.url}/ended?token=${hookToken}` } });

  beforeAll(async () => {
    platform = await startTracedPlatform({ shape: 'cell' });
    // the demo runs twice, one run after the other: its rounds, twice over
    const demoRounds = [
      { toolCalls: [{ name: 'calculator', arguments: { expression: '17 * 23' } }] },
      { toolCalls: [{ name: 'notes__add', arguments: { content: '391' } }] },
      { content: '17 * 23 = 391, saved as a note.' },
    ];
    platform.llm.script(DEMO_TASK, [...demoRounds, ...demoRounds]);
    platform.llm.script(DELEGATION_TASK, [
      { toolCalls: [{ name: 'delegate__researcher', arguments: { message: 'NATS JetStream' } }] },
      { toolCalls: [{ name: 'delegate__writer', arguments: { message: 'draft a summary' } }] },
      { content: 'Here is the summary the writer drafted.' },
    ]);
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const demoOnce = (opts: { fresh?: boolean }): Promise<TracedRun> =>
    runTracedTask(platform.stack.gatewayUrl, DEMO_TASK, { ...opts, body: webhook() });
  const traceOf = (run: TracedRun, expected: Record<string, string[]>): Promise<ReceivedSpan[]> =>
    traceIn(platform.receiver, run, expected);
  const secrets = () => [...platform.secrets, hookToken];

  it('a demo task sent with no trace is one trace whose only root is the gateway’s request span, holding its tool calls, audit records and webhook', async () => {
    const run = await withTraceIdOf(platform.receiver, await demoOnce({ fresh: true }));
    const spans = await traceOf(run, DEMO_SPANS);
    expectOneTaskTrace(platform.receiver, run, spans, secrets());
    expect(span(spans, 'gateway', 'POST /orchestrate/stream').parentSpanId).toBeFalsy();
    const delivery = span(spans, 'orchestrator', 'webhook delivery');
    expect(ancestry(spans, delivery).at(-1)).toBe('gateway: POST /orchestrate/stream');
    const hooked = platform.webhooks.received.find((r) =>
      r.body.includes(`"taskId":"${run.taskId}"`),
    );
    expect(hooked?.headers['traceparent']).toMatch(new RegExp(`^00-${run.traceId}-`));
  });

  it('a demo task sent from inside a trace continues it: the gateway’s span is the only child of the caller’s', async () => {
    const run = await demoOnce({});
    const spans = await traceOf(run, DEMO_SPANS);
    expectOneTaskTrace(platform.receiver, run, spans, secrets());
    expect(spans.filter((s) => s.parentSpanId === run.clientSpanId).map((s) => s.name)).toEqual([
      'POST /orchestrate/stream',
    ]);
  });

  it('the delegation demo keeps its links across XMPP to both agents’ bridges', async () => {
    const run = await runTracedTask(platform.stack.gatewayUrl, DELEGATION_TASK);
    const spans = await traceOf(run, {
      orchestrator: ['task', 'step agent', 'audit relay'],
      a2a: ['a2a delegate'],
      'xmpp-bridge': ['xmpp http out'],
      'bridge-researcher': ['xmpp http in'],
      'bridge-writer': ['xmpp http in'],
      audit: ['audit chain'],
    });
    expectDelegationAcrossXmpp(spans);
    expectOneTaskTrace(platform.receiver, run, spans, secrets());
  });
});
