import type { Skill, SkillInput, SkillOutput } from './skill.js';

interface Entry {
  keywords: string[];
  title: string;
  findings: string[];
  source: string;
}

/** The researcher's offline library: a few topics this platform is built on. */
const LIBRARY: Entry[] = [
  {
    keywords: ['jetstream'],
    title: 'NATS JetStream',
    findings: [
      'JetStream is the persistence layer built into the NATS server: streams capture the messages published on their subjects and keep them by limits, interest or work-queue retention.',
      'Consumers (durable or ephemeral, pull or push) replay a stream with explicit acknowledgements; unacknowledged messages are redelivered after ack_wait, up to max_deliver times.',
      "A Nats-Msg-Id header de-duplicates publishes within the stream's duplicate window, which gives exactly-once publication when producers retry.",
    ],
    source: 'https://docs.nats.io/nats-concepts/jetstream',
  },
  {
    keywords: ['nats'],
    title: 'NATS',
    findings: [
      'NATS is a subject-based messaging system: publishers send to dot-separated subjects and subscribers listen with * and > wildcards.',
      'Request/reply uses a reply inbox; queue groups spread the messages of a subject over the members of a group.',
    ],
    source: 'https://docs.nats.io/nats-concepts/subjects',
  },
  {
    keywords: ['xmpp', 'xep-0332', 'prosody'],
    title: 'HTTP over XMPP',
    findings: [
      'XEP-0332 carries an HTTP request in an <iq type="set"> with a <req> element and the response in a <resp> element, headers as SHIM headers.',
      'Small bodies travel inline as text or base64; larger ones in chunks or by in-band bytestreams.',
    ],
    source: 'https://xmpp.org/extensions/xep-0332.html',
  },
  {
    keywords: ['a2a', 'agent2agent', 'agent-to-agent'],
    title: 'Agent2Agent (A2A)',
    findings: [
      'A2A agents publish a card at /.well-known/agent-card.json describing their skills, interfaces and security schemes.',
      'Clients send messages with SendMessage or SendStreamingMessage and follow the resulting task with GetTask, or cancel it with CancelTask.',
    ],
    source: 'https://a2a-protocol.org/',
  },
  {
    keywords: ['mcp', 'model context protocol'],
    title: 'Model Context Protocol',
    findings: [
      'MCP servers expose tools (with JSON Schemas) that clients list with tools/list and call with tools/call.',
    ],
    source: 'https://modelcontextprotocol.io/',
  },
];

/** Answers "about X" from its offline library, deterministically. */
export const researchSkill: Skill = {
  id: 'research',
  name: 'Research a topic',
  description:
    'Looks a topic up in an offline library of platform technologies (NATS, JetStream, XMPP, A2A, MCP) and reports findings with sources.',
  tags: ['research', 'facts'],
  examples: ['NATS JetStream', 'what is XEP-0332'],
  run(input: SkillInput): SkillOutput {
    const topic = input.text.trim().replace(/[?.!]+$/, '');
    const lower = topic.toLowerCase();
    const hits = LIBRARY.filter((e) => e.keywords.some((k) => lower.includes(k)));
    // "NATS JetStream" is about JetStream, not NATS in general.
    const entries = hits.filter(
      (e) => !(e.title === 'NATS' && hits.some((h) => h.title === 'NATS JetStream')),
    );
    if (entries.length === 0) {
      return {
        steps: [`searching the library for "${topic}"`],
        artifactName: 'findings',
        text: `## ${topic}\n\nNo source in the researcher's offline library covers "${topic}". Topics it knows: ${LIBRARY.map((e) => e.title).join(', ')}.`,
        summary: `No findings about "${topic}".`,
      };
    }
    const findings = entries.flatMap((e) => e.findings);
    const sources = entries.map((e) => e.source);
    return {
      steps: [
        `searching the library for "${topic}"`,
        `reading ${sources.length} source${sources.length === 1 ? '' : 's'}`,
      ],
      artifactName: 'findings',
      text: [
        `## ${entries[0]?.title ?? topic}`,
        '',
        ...findings.map((f) => `- ${f}`),
        '',
        `Sources: ${sources.join(', ')}`,
      ].join('\n'),
      summary: `Found ${findings.length} finding${findings.length === 1 ? '' : 's'} about ${entries[0]?.title ?? topic}.`,
    };
  },
};
