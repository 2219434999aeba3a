import type OpenAI from 'openai';

/** The `openai` package's module (its client class is `default`, its error classes named exports). */
export type OpenAiSdk = typeof import('openai');

let loading: Promise<OpenAiSdk> | undefined;
let loaded: OpenAiSdk | undefined;

/**
 * The `openai` package, imported at the first model or embeddings call: about 240 modules (a third
 * of a second of CPU) that every orchestrator and mcp-tools process loaded at start, although one
 * that plans with the built-in planner and embeds nothing never calls it.
 */
export function openAiSdk(): Promise<OpenAiSdk> {
  loading ??= import('openai').then((sdk) => (loaded = sdk));
  return loading;
}

/** The package once imported: its errors can only come from a call made with it. */
export function loadedOpenAiSdk(): OpenAiSdk | undefined {
  return loaded;
}

/**
 * A client of any OpenAI-compatible server, made at the first call of the function this returns (the
 * package is imported then: openAiSdk), and the same client at every call after. Without a key it
 * sends `no-key`: local servers often need none, but the SDK insists on one. It never retries by
 * itself (maxRetries 0): each caller owns its retries and their time.
 */
export function openAiClient(options: {
  apiKey: string | undefined;
  baseURL: string | undefined;
  timeout: number;
}): () => Promise<OpenAI> {
  let client: Promise<OpenAI> | undefined;
  const make = async () => {
    const { default: Client } = await openAiSdk();
    return new Client({
      apiKey: options.apiKey ?? 'no-key',
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      timeout: options.timeout,
      maxRetries: 0,
    });
  };
  return () => (client ??= make());
}
