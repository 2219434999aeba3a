import { loadedOpenAiSdk, openAiClient } from './openai-sdk.js';

describe(openAiClient.name, () => {
  it('imports the package and makes the client at the first call only, the same client after', async () => {
    const client = openAiClient({
      apiKey: undefined,
      baseURL: 'http://127.0.0.1:9/v1',
      timeout: 1_234,
    });
    // Nothing imported yet: a process that never calls a model never loads the SDK.
    expect(loadedOpenAiSdk()).toBeUndefined();
    const first = await client();
    expect(loadedOpenAiSdk()).toBeDefined();
    expect(await client()).toBe(first);
    expect(first).toMatchObject({
      apiKey: 'no-key',
      baseURL: 'http://127.0.0.1:9/v1',
      timeout: 1_234,
      maxRetries: 0,
    });
  });
});
