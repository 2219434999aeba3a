// The "One task, end to end" section of docs/architecture.md, from TASK_WALKTHROUGH (libs/contracts):
// each hop's subject, sender, receiver and delivery come from its contract, so they cannot drift.
import { TASK_WALKTHROUGH, type WalkthroughHop } from '@switchboard/contracts';

const START =
  '<!-- generated: task walkthrough (tools/docs/walkthrough.ts); edit libs/contracts/src/task-walkthrough.ts -->';
const END = '<!-- end of generated task walkthrough -->';

function route(hop: WalkthroughHop): string {
  const c = hop.contract;
  if (!c) return hop.actor ?? '';
  const senders = hop.by ? [hop.by] : c.kind === 'command' ? c.callers : c.producers;
  const receivers = c.kind === 'command' ? [c.service] : c.consumers;
  return `${senders.join(', ')} → ${receivers.join(', ')}`;
}

function delivery(hop: WalkthroughHop): string {
  const c = hop.contract;
  if (!c) return 'HTTP';
  if (c.kind === 'command')
    return `\`${c.subject}\`, ${c.reply === 'stream' ? 'request with streamed reply' : 'request/reply'}`;
  if (c.stream && c.delivery === 'at-most-once')
    return `\`${c.template}\`, core NATS (at most once; captured in \`${c.stream.name}\`)`;
  if (c.stream) return `\`${c.template}\`, stored in \`${c.stream.name}\` (at least once)`;
  return `\`${c.template}\`, ${c.delivery === 'at-most-once' ? 'core NATS (at most once)' : c.delivery}`;
}

/** The numbered walkthrough, between its markers. */
export function walkthroughSection(): string {
  const hops = TASK_WALKTHROUGH.map(
    (hop, i) =>
      `${i + 1}. **${route(hop)}** — ${delivery(hop)}${hop.when ? `; _${hop.when}_` : ''}. ${hop.what}`,
  );
  return [
    START,
    '',
    'A hop without a condition happens on every task, the others when their condition holds. An end-to-end test (`apps/e2e/test/demo-task.e2e-spec.ts`) checks that the demo task, with its two tool steps, makes exactly the unconditional hops and its tool calls, and no other, as the operator sees them on NATS. In a cell (the default where one machine serves) a request between two of its services is served in the process (the in-process bus, [below](#the-cell-several-services-in-one-process)): the hop is the same, and the operator sees it from its copy on `sb.tap.<service>`.',
    '',
    ...hops,
    '',
    END,
  ].join('\n');
}

/** `doc` with its generated walkthrough replaced; throws when the markers are missing. */
export function withWalkthrough(doc: string): string {
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from)
    throw new Error(`docs/architecture.md: the walkthrough markers are missing`);
  return `${doc.slice(0, from)}${walkthroughSection()}${doc.slice(to + END.length)}`;
}
