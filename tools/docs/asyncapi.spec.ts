import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CATALOGUE, Headers } from '@switchboard/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { asyncapiDocument, asyncapiYaml } from './asyncapi.js';

const FILE = join(import.meta.dirname, '..', '..', 'docs', 'asyncapi.yaml');
const committed = readFileSync(FILE, 'utf8');

type Parsed = Awaited<ReturnType<Parser['parse']>>;

/** The parser's findings as `severity code path: message`, errors first. */
const findings = ({ diagnostics }: Parsed): { severity: number; line: string }[] =>
  diagnostics
    .map((d) => ({
      severity: d.severity,
      line: `${DiagnosticSeverity[d.severity]} ${String(d.code)} ${d.path.join('.')}: ${d.message}`,
    }))
    .sort((a, b) => a.severity - b.severity);

type Doc = {
  channels: Record<
    string,
    { address: string | null; parameters?: Record<string, { location?: string }> }
  >;
  operations: Record<
    string,
    { action: string; bindings?: { nats?: { queue?: string; bindingVersion?: string } } }
  >;
  components: { messages: Record<string, { headers?: { $ref: string } }> };
};

describe('docs/asyncapi.yaml', () => {
  let parsed: Parsed;
  beforeAll(async () => {
    parsed = await new Parser().parse(committed);
  });

  it('is what tools/docs/asyncapi.ts generates (`npm run docs:generate`)', () => {
    expect(committed).toBe(asyncapiYaml());
  });

  it('parses as AsyncAPI 3.0.0 with the official parser: no errors, no warnings', () => {
    const found = findings(parsed);
    const problems = found.filter(
      (d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning,
    );
    expect(problems.map((d) => d.line)).toEqual([]);
    // The only advice left: that 3.1.0 exists (the document stays 3.0.0 on purpose).
    expect(found.map((d) => d.line.split(' ')[1])).toEqual(
      found.length ? ['asyncapi-latest-version'] : [],
    );
  });

  it('gives the parser a document it reads: every command served in its queue group', () => {
    const { document } = parsed;
    expect(document?.version()).toBe('3.0.0');
    for (const c of CATALOGUE.commands) {
      const op = document
        ?.operations()
        .all()
        .find((o) => o.channels().all()[0]?.address() === c.subject);
      expect(op?.action()).toBe('receive');
      expect(op?.bindings().get('nats')?.value()).toEqual({ queue: c.service });
      expect(op?.bindings().get('nats')?.version()).toBe('0.1.0');
      expect(op?.reply()?.messages().length).toBe(1);
    }
  });

  it('describes every placeholder of a channel address as a standard {name} parameter', () => {
    const doc = asyncapiDocument() as Doc;
    const templated = Object.values(doc.channels).filter((c) => c.address?.includes('{'));
    expect(templated.length).toBe(
      CATALOGUE.events.filter((e) => e.tokens.length).length +
        CATALOGUE.commands.filter((c) => c.token).length,
    );
    for (const channel of templated) {
      const names = [...(channel.address ?? '').matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
      expect(names.every((n) => /^[A-Za-z0-9_]+$/.test(n ?? ''))).toBe(true);
      expect(Object.keys(channel.parameters ?? {})).toEqual(names);
    }
    expect(doc.channels['sb_evt_task_taskId_tenantId_event']).toMatchObject({
      address: 'sb.evt.task.{taskId}.{tenantId}.{event}',
      parameters: {
        taskId: { location: '$message.payload#/data/taskId' },
        tenantId: { description: expect.stringContaining('tenant') as unknown },
        // a batch's last event: no single field of the payload holds it
        event: { description: expect.stringContaining('last event') as unknown },
      },
    });
    // a tool call's task, in its subject (`_` without one) and in the request's data
    expect(doc.channels['sb_cmd_tools_call']).toMatchObject({
      address: 'sb.cmd.tools.call.{taskId}',
      parameters: { taskId: { location: '$message.payload#/data/taskId' } },
    });
    expect(doc.channels['sb_audit_category_taskId_tenantId']).toMatchObject({
      address: 'sb.audit.{category}.{taskId}.{tenantId}',
      parameters: { taskId: { location: '$message.payload#/data/taskId' } },
    });
  });

  it('gives every request and event message its header schema', () => {
    const doc = asyncapiDocument() as Doc & {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    for (const [name, message] of Object.entries(doc.components.messages)) {
      if (name.endsWith('_reply') || name.endsWith('_heartbeat')) continue;
      expect([name, message.headers?.$ref]).toEqual([name, expect.stringMatching(/Headers$/)]);
    }
    const { schemas } = doc.components;
    expect(Object.keys(schemas['Headers']?.properties ?? {}).sort()).toEqual(
      Object.values(Headers)
        .filter((h) => h !== Headers.heartbeat && h !== Headers.heartbeatInterval)
        .sort(),
    );
    expect(schemas['HeartbeatRequestHeaders']?.properties).toHaveProperty(Headers.heartbeat);
    expect(schemas['HeartbeatRequestHeaders']?.properties).toHaveProperty(
      Headers.heartbeatInterval,
    );
    expect(schemas['StoredEventHeaders']?.properties).toHaveProperty('Nats-Msg-Id');
  });

  it('has a parser that finds the mistakes it is here for (a missing parameter, a bad binding)', async () => {
    const broken = parse(committed) as Doc;
    delete broken.channels['sb_evt_task_taskId_tenantId_event']?.parameters?.['event'];
    const first = Object.values(broken.operations).find((o) => o.bindings?.nats);
    if (first?.bindings?.nats) first.bindings.nats.bindingVersion = '9.9.9';
    const errors = findings(await new Parser().parse(JSON.stringify(broken)))
      .filter((d) => d.severity === DiagnosticSeverity.Error)
      .map((d) => d.line);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/asyncapi3-channel-parameters .*Missed: event/),
        expect.stringMatching(/bindings\.nats/),
      ]),
    );
  });
});
