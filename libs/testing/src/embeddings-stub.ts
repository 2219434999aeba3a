import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An embeddings request as the stub received it. */
export interface EmbeddingsStubRequest {
  headers: Record<string, string | string[] | undefined>;
  body: { model?: string; input?: unknown; dimensions?: number; encoding_format?: string };
}

export interface EmbeddingsStub {
  /** Base URL for MEMORY_EMBEDDINGS_BASE_URL (ends in /v1). */
  baseUrl: string;
  requests: EmbeddingsStubRequest[];
  /** The stub's vector of a text (unit length), as it answers it. */
  embed(text: string, dimensions?: number): number[];
  /** Answers the next `n` requests with HTTP `status` (an endpoint that is down). */
  failNext(n: number, status?: number): void;
  stop(): Promise<void>;
}

/** Words of one meaning: each group shares one direction of the vector space. */
const DEFAULT_SYNONYMS: readonly (readonly string[])[] = [
  ['favourite', 'favorite', 'best', 'preferred', 'beloved'],
  ['number', 'numeral', 'figure', 'digit'],
  ['colour', 'color', 'hue', 'shade'],
  ['cat', 'kitten', 'feline'],
  ['dog', 'puppy', 'hound'],
];

const STOP_WORDS = new Set(
  'a an and are at do i in is it me my of on or that the to what which who you your times'.split(
    ' ',
  ),
);

/**
 * A deterministic OpenAI-compatible embeddings server: a real HTTP server on a free loopback port
 * (POST /v1/embeddings, `float` or `base64` encoding, optional `dimensions`). A text's vector counts
 * its words, stop words dropped, each in a direction of its own chosen by hashing the word — except
 * that the words of a synonym group share one direction, so "my preferred figure" is near "my
 * favourite number" though they share no word (what a search by meaning finds and words do not).
 */
export async function startEmbeddingsStub(
  options: { dimensions?: number; synonyms?: readonly (readonly string[])[] } = {},
): Promise<EmbeddingsStub> {
  const defaultDims = options.dimensions ?? 128;
  const concept = new Map<string, string>();
  for (const group of options.synonyms ?? DEFAULT_SYNONYMS)
    for (const word of group) concept.set(word, group[0] ?? word);
  const requests: EmbeddingsStubRequest[] = [];
  let failures: { left: number; status: number } = { left: 0, status: 503 };

  const embed = (text: string, dims = defaultDims): number[] => {
    const v = new Array<number>(dims).fill(0);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      if (STOP_WORDS.has(word)) continue;
      const at = hash(concept.get(word) ?? word) % dims;
      v[at] = (v[at] ?? 0) + 1;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
    return v.map((x) => x / norm);
  };

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !req.url?.endsWith('/embeddings'))
      return json(404, { error: { message: 'not found' } });
    const body = JSON.parse(raw) as EmbeddingsStubRequest['body'];
    requests.push({ headers: req.headers, body });
    if (failures.left > 0) {
      failures.left--;
      return json(failures.status, { error: { message: 'embeddings stub: failing on purpose' } });
    }
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    if (!inputs.every((i): i is string => typeof i === 'string'))
      return json(400, { error: { message: 'input must be a string or a list of strings' } });
    const data = inputs.map((text, index) => {
      const vector = embed(text, body.dimensions ?? defaultDims);
      const embedding =
        body.encoding_format === 'base64'
          ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
          : vector;
      return { object: 'embedding', index, embedding };
    });
    json(200, {
      object: 'list',
      model: body.model ?? 'stub-embeddings',
      data,
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        answer(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch {
        if (!res.headersSent) res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    embed,
    failNext: (n, status = 503) => {
      failures = { left: n, status };
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** FNV-1a: the same word, the same direction, on every run. */
function hash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
