import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP receiver sees it, with its process' resource. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** `service.name` of the process that sent it. */
  service: string;
  /** `service.instance.id`, when the process sets it. */
  instance?: string;
  attributes: Record<string, unknown>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  links: { traceId: string; spanId: string }[];
}

export interface OtlpReceiver {
  /** Where services send traces: their OTEL_EXPORTER_OTLP_ENDPOINT (`/v1/traces` is added). */
  url: string;
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[];
  /** Export requests refused (not OTLP/HTTP JSON, or not parseable), with the reason. */
  refused: string[];
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number };
  links?: { traceId: string; spanId: string }[];
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

/**
 * An OTLP/HTTP trace receiver (a real server, as an OpenTelemetry collector would be): takes the
 * JSON encoding of ExportTraceServiceRequest on POST /v1/traces (gzipped or not), answers 200, and
 * keeps every span with its sender's service name, ids decoded to lower-case hex whichever way they
 * came (hex, as the JSON mapping says, or base64 bytes).
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const refused: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const reason = await receive(req, spans);
      if (reason) refused.push(reason);
      res
        .writeHead(reason ? 400 : 200, { 'content-type': 'application/json' })
        .end(reason ? JSON.stringify({ message: reason }) : '{}');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads one export request into `into`; the reason it was refused, if it was. */
async function receive(req: IncomingMessage, into: ReceivedSpan[]): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (req.method !== 'POST' || req.url !== '/v1/traces') return `${req.method} ${req.url}`;
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return `content-type ${type}: JSON expected`;
  let body = Buffer.concat(chunks);
  if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
  let parsed: OtlpRequest;
  try {
    parsed = JSON.parse(body.toString('utf8')) as OtlpRequest;
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  for (const rs of parsed.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) into.push(spanOf(s, resource));
    }
  }
  return undefined;
}

function spanOf(s: OtlpSpan, resource: Record<string, unknown>): ReceivedSpan {
  const parent = s.parentSpanId ? hexId(s.parentSpanId) : undefined;
  const instance = resource['service.instance.id'];
  return {
    traceId: hexId(s.traceId),
    spanId: hexId(s.spanId),
    ...(parent && !/^0+$/.test(parent) ? { parentSpanId: parent } : {}),
    name: s.name,
    kind: s.kind ?? 0,
    service: String(resource['service.name'] ?? ''),
    ...(typeof instance === 'string' ? { instance } : {}),
    attributes: attributesOf(s.attributes),
    statusCode: s.status?.code ?? 0,
    links: (s.links ?? []).map((l) => ({ traceId: hexId(l.traceId), spanId: hexId(l.spanId) })),
  };
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

function valueOf(v: OtlpValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

/** Ids as lower-case hex: the JSON mapping sends hex, protobuf-JSON converters base64. */
function hexId(id: string): string {
  if (/^[0-9a-fA-F]+$/.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}
