import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, AGENT_CARD_PATH } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { Injectable } from '@nestjs/common';
import { DomainError, isDomainError } from '@switchboard/contracts';
import type {
  CardFetch,
  OutgoingMessage,
  PushTarget,
  RemoteAgentPort,
  RemoteConnection,
  RemoteEvent,
  RemoteTaskSnapshot,
} from '../delegation/remote-agent.port.js';
import { AgentHttp } from '../transport/agent-http.service.js';
import {
  fromSendResult,
  fromStreamResponse,
  readAgentCard,
  toDomainError,
  toMessage,
  toSnapshot,
} from './a2a.translator.js';

/** Largest agent card accepted (a card is metadata; anything bigger is a mistake or an attack). */
const MAX_CARD_BYTES = 256 * 1024;

class SdkConnection implements RemoteConnection {
  constructor(
    readonly client: Client,
    readonly agent: string,
  ) {}

  get protocolVersion(): string {
    return this.client.protocolVersion;
  }
}

/**
 * RemoteAgentPort with @a2a-js/sdk 1.3: an A2A 1.0 client that also speaks 0.3 (legacyCompat on the
 * card resolver and both transports), whose HTTP goes through AgentHttp (bridge or direct).
 */
@Injectable()
export class A2aRemoteClient implements RemoteAgentPort {
  private readonly factory: ClientFactory;

  constructor(private readonly http: AgentHttp) {
    const fetchImpl = http.fetch;
    this.factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [
          new JsonRpcTransportFactory({ fetchImpl, legacyCompat: { enabled: true } }),
          new RestTransportFactory({ fetchImpl, legacyCompat: { enabled: true } }),
        ],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl, legacyCompat: { enabled: true } }),
      }),
    );
  }

  async fetchCard(
    baseUrl: string,
    opts: { etag?: string; timeoutMs: number; agent: string },
  ): Promise<CardFetch> {
    const url = `${baseUrl}/${AGENT_CARD_PATH}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      [A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION,
    };
    if (opts.etag) headers['if-none-match'] = opts.etag;
    const response = await this.http
      .fetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs) })
      .catch((e: unknown) => {
        if (isDomainError(e)) throw e;
        throw new DomainError(
          'TIMEOUT',
          `the agent card of ${opts.agent} did not arrive within ${opts.timeoutMs} ms`,
          { retryable: true },
        );
      });
    const maxAgeMs = maxAgeOf(response.headers.get('cache-control'));
    if (response.status === 304 && opts.etag) return { kind: 'not-modified', maxAgeMs };
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new DomainError(
        'UPSTREAM_ERROR',
        `the agent card of ${opts.agent} is not available: HTTP ${response.status} from ${url}`,
        {
          details: { agent: opts.agent, status: response.status },
        },
      );
    }
    const text = await response.text();
    if (Buffer.byteLength(text) > MAX_CARD_BYTES) {
      throw new DomainError(
        'UPSTREAM_ERROR',
        `the agent card of ${opts.agent} is larger than ${MAX_CARD_BYTES} bytes`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DomainError('UPSTREAM_ERROR', `the agent card of ${opts.agent} is not valid JSON`);
    }
    const { card } = readAgentCard(json, opts.agent, baseUrl);
    let client: Client;
    try {
      client = await this.factory.createFromAgentCard(
        json as Parameters<ClientFactory['createFromAgentCard']>[0],
      );
    } catch (e) {
      throw toDomainError(e, opts.agent, 'connecting');
    }
    return {
      kind: 'card',
      card,
      connection: new SdkConnection(client, opts.agent),
      etag: response.headers.get('etag') ?? undefined,
      maxAgeMs,
    };
  }

  async *stream(
    connection: RemoteConnection,
    message: OutgoingMessage,
    signal: AbortSignal,
  ): AsyncIterable<RemoteEvent> {
    const c = sdk(connection);
    const events = c.client.sendMessageStream(
      { tenant: '', message: toMessage(message), configuration: undefined, metadata: undefined },
      { signal },
    );
    try {
      for await (const ev of events) yield fromStreamResponse(ev);
    } catch (e) {
      throw toDomainError(e, c.agent, 'SendStreamingMessage');
    }
  }

  async send(
    connection: RemoteConnection,
    message: OutgoingMessage,
    opts: { returnImmediately: boolean; signal: AbortSignal; push?: PushTarget },
  ): Promise<RemoteEvent & { kind: 'task' | 'message' }> {
    const c = sdk(connection);
    try {
      const result = await c.client.sendMessage(
        {
          tenant: '',
          message: toMessage(message),
          configuration: {
            acceptedOutputModes: [],
            taskPushNotificationConfig: opts.push
              ? {
                  tenant: '',
                  id: '',
                  taskId: '',
                  url: opts.push.url,
                  token: opts.push.token,
                  authentication: undefined,
                }
              : undefined,
            returnImmediately: opts.returnImmediately,
          },
          metadata: undefined,
        },
        { signal: opts.signal },
      );
      return fromSendResult(result);
    } catch (e) {
      throw toDomainError(e, c.agent, 'SendMessage');
    }
  }

  async getTask(
    connection: RemoteConnection,
    taskId: string,
    signal: AbortSignal,
  ): Promise<RemoteTaskSnapshot> {
    return taskCall(connection, 'GetTask', (client) =>
      client.getTask({ tenant: '', id: taskId, historyLength: 0 }, { signal }),
    );
  }

  async cancelTask(
    connection: RemoteConnection,
    taskId: string,
    signal: AbortSignal,
  ): Promise<RemoteTaskSnapshot> {
    return taskCall(connection, 'CancelTask', (client) =>
      client.cancelTask({ tenant: '', id: taskId, metadata: undefined }, { signal }),
    );
  }
}

/** One call that answers a task (GetTask, CancelTask): its snapshot, or the call's error as a DomainError. */
async function taskCall(
  connection: RemoteConnection,
  operation: string,
  call: (client: Client) => Promise<Parameters<typeof toSnapshot>[0]>,
): Promise<RemoteTaskSnapshot> {
  const c = sdk(connection);
  try {
    return toSnapshot(await call(c.client));
  } catch (e) {
    throw toDomainError(e, c.agent, operation);
  }
}

function sdk(connection: RemoteConnection): SdkConnection {
  if (!(connection instanceof SdkConnection)) throw new Error('not a connection of this client');
  return connection;
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  if (/no-cache|no-store/i.test(cacheControl)) return 0;
  const m = /max-age=(\d+)/i.exec(cacheControl);
  return m ? Number(m[1]) * 1_000 : undefined;
}
