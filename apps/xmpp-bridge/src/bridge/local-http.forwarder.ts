// Server mode's last hop: a request that arrived over XMPP, sent to the local HTTP target (the
// gateway, or an agent's own server), and its response read back within the size and time limits —
// whole, or (SSE, and bodies of unknown length still being written) as a stream.
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import { withTraceHeaders } from '../http/trace-headers.js';
import { ResponseBodyStream } from './response-body.stream.js';
import {
  type HeaderList,
  type HttpRequestMessage,
  type HttpResponseMessage,
  isHopByHop,
} from '../http/http-message.js';

/** Set by the bridge to the requester's bare JID, as authenticated by the XMPP server. */
export const XMPP_FROM_HEADER = 'X-Xmpp-From';

/**
 * A body of unknown length (chunked) that ends within this time goes out whole, as before streaming
 * existed; one still being written then is streamed. SSE is streamed at once.
 */
const HOLD_MS = 50;
/** Longest time streamed bytes wait for more before they go out (SSE events go at once). */
const FLUSH_MS = 10;

type ResponseShape = 'whole' | 'stream' | 'hold';

/** How a response's body travels: known length → whole; SSE → streamed; otherwise decided by time. */
function shapeOf(res: IncomingMessage, method: string): ResponseShape {
  const status = res.statusCode ?? 0;
  if (method === 'HEAD' || status === 204 || status === 304) return 'whole';
  if (/^text\/event-stream/i.test(res.headers['content-type'] ?? '')) return 'stream';
  return res.headers['content-length'] === undefined ? 'hold' : 'whole';
}

@Injectable()
export class LocalHttpForwarder implements OnApplicationShutdown {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly target: URL;

  constructor(@Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings) {
    this.target = settings.httpTarget;
    const options = { keepAlive: true, maxSockets: 128, maxFreeSockets: 32 };
    this.agent =
      this.target.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  }

  onApplicationShutdown(): void {
    this.agent.destroy();
  }

  /** Answers with the target's response; a target that is down or slow becomes 502 or 504. */
  forward(request: HttpRequestMessage, fromBare: string): Promise<HttpResponseMessage> {
    const base = this.target.pathname.replace(/\/$/, '');
    const path = request.resource === '*' ? base || '/' : `${base}${request.resource}`;
    const send = this.target.protocol === 'https:' ? httpsRequest : httpRequest;
    const socketPath = this.settings.httpTargetSocket;
    return new Promise<HttpResponseMessage>((resolve, reject) => {
      const req = send({
        protocol: this.target.protocol,
        // A unix socket replaces host and port: the target then need not listen on TCP at all.
        ...(socketPath
          ? { socketPath }
          : { hostname: this.target.hostname, port: this.target.port || undefined }),
        method: request.method,
        path,
        headers: outgoingHeaders(request, fromBare),
        agent: this.agent,
      });
      new LocalExchange(req, request.method, this.settings, { resolve, reject }).run(request.body);
    });
  }
}

/** The request's headers as the target gets them. */
function outgoingHeaders(request: HttpRequestMessage, fromBare: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  // The target continues the trace from this bridge's span (the request's own traceparent is the
  // requesting bridge's).
  for (const [name, value] of withTraceHeaders(request.headers)) {
    const lower = name.toLowerCase();
    // Hop-by-hop headers describe the requester's connection, not ours; the length is ours to set;
    // nobody but the bridge may claim who sent the request.
    if (isHopByHop(lower) || lower === 'content-length' || lower === XMPP_FROM_HEADER.toLowerCase())
      continue;
    const prev = headers[lower];
    headers[lower] =
      prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
  }
  headers[XMPP_FROM_HEADER.toLowerCase()] = fromBare;
  if (request.body) headers['content-length'] = String(request.body.length);
  return headers;
}

/** The response's status and end-to-end headers. */
function responseHead(res: IncomingMessage): Omit<HttpResponseMessage, 'body' | 'stream'> {
  const headers: HeaderList = [];
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!isHopByHop(name) && name.toLowerCase() !== 'content-length')
      headers.push([name, raw[i + 1] ?? '']);
  }
  return {
    status: res.statusCode ?? 502,
    ...(res.statusMessage ? { statusText: res.statusMessage } : {}),
    headers,
  };
}

type Head = Omit<HttpResponseMessage, 'body' | 'stream'>;

/**
 * One request to the local target and its response, read within the size and time limits: settled
 * once, with the answer, a 502/504 of the bridge's own, or PAYLOAD_TOO_LARGE (later events of a
 * settled exchange change nothing).
 */
class LocalExchange {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly req: ClientRequest,
    private readonly method: string,
    private readonly settings: BridgeSettings,
    private readonly settle: {
      resolve: (m: HttpResponseMessage) => void;
      reject: (e: unknown) => void;
    },
  ) {}

  run(body: Buffer | undefined): void {
    const { req } = this;
    const timeoutMs = this.settings.targetTimeoutMs;
    this.timer = setTimeout(() => {
      req.destroy();
      this.answer(
        gatewayError(
          504,
          'Gateway Timeout',
          `the local HTTP target did not answer within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) =>
      this.answer(
        gatewayError(
          502,
          'Bad Gateway',
          `the local HTTP target is unreachable (${e.code ?? e.message})`,
        ),
      ),
    );
    req.on('response', (res: IncomingMessage) => {
      const shape = shapeOf(res, this.method);
      if (shape === 'whole') this.readWhole(res, responseHead(res));
      else this.readShaped(res, responseHead(res), shape);
    });
    if (body) req.end(body);
    else req.end();
  }

  private answer(message: HttpResponseMessage): void {
    clearTimeout(this.timer);
    this.settle.resolve(message);
  }

  private refuse(e: unknown): void {
    clearTimeout(this.timer);
    this.settle.reject(e);
  }

  /** SSE goes out as a stream at once; a body of unknown length waits HOLD_MS to be sent whole. */
  private readShaped(res: IncomingMessage, head: Head, shape: 'stream' | 'hold'): void {
    const stream = new ResponseBodyStream(res, () => this.req.destroy(), {
      maxBytes: this.settings.maxBodyBytes,
      idleMs: this.settings.streamIdleMs,
      flushMs: FLUSH_MS,
      eventStream: shape === 'stream',
      highWaterBytes: 4 * this.settings.chunkBytes,
    });
    if (shape === 'stream') return this.answer({ ...head, stream });
    stream.endedWithin(HOLD_MS).then(
      (ended) => {
        if (!ended) return this.answer({ ...head, stream });
        const body = stream.drain();
        this.answer({ ...head, ...(body.length > 0 ? { body } : {}) });
      },
      (e: unknown) => {
        if (e instanceof DomainError && e.code === 'PAYLOAD_TOO_LARGE') this.refuse(e);
        else
          this.answer(
            gatewayError(502, 'Bad Gateway', 'the local HTTP target broke off its response'),
          );
      },
    );
  }

  /** A body of known length, read whole within the bridge's limit. */
  private readWhole(res: IncomingMessage, head: Head): void {
    const limit = this.settings.maxBodyBytes;
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        this.req.destroy();
        this.refuse(
          new DomainError(
            'PAYLOAD_TOO_LARGE',
            `the response body exceeds the bridge limit of ${limit} bytes`,
            { details: { limit } },
          ),
        );
        return;
      }
      parts.push(chunk);
    });
    res.on('end', () =>
      this.answer({ ...head, ...(size > 0 ? { body: Buffer.concat(parts, size) } : {}) }),
    );
    res.on('error', () =>
      this.answer(gatewayError(502, 'Bad Gateway', 'the local HTTP target broke off its response')),
    );
  }
}

function gatewayError(status: number, statusText: string, message: string): HttpResponseMessage {
  return {
    status,
    statusText,
    headers: [['Content-Type', 'text/plain; charset=utf-8']],
    body: Buffer.from(message),
  };
}
