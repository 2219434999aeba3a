// The planner `npm run up` chooses (choose_planner in infra/lib.sh, infra/llm-detect.mjs), against a
// real loopback HTTP server standing in for Ollama or LM Studio: GET /v1/models as they answer it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { ROOT } from './support/deploy.js';

const run = promisify(execFile);

/** A local model server: answers GET /v1/models with `reply`, recording each request. */
interface ModelServer {
  url: string;
  seen: IncomingMessage[];
  reply: (res: ServerResponse) => void;
  stop(): Promise<void>;
}

async function modelServer(): Promise<ModelServer> {
  const seen: IncomingMessage[] = [];
  const state: ModelServer = {
    url: '',
    seen,
    reply: (res) => res.writeHead(404).end(),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    seen.push(req);
    if (req.url === '/v1/models') state.reply(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const stop = state.stop;
  state.stop = async () => {
    server.closeAllConnections();
    await stop();
  };
  return state;
}

const models =
  (...ids: string[]) =>
  (res: ServerResponse) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ object: 'list', data: ids.map((id) => ({ id, object: 'model' })) }));

/** A port nothing listens on: a server opened and closed again. */
async function closedUrl(): Promise<string> {
  const s = await modelServer();
  await s.stop();
  return s.url;
}

/** choose_planner as up.sh runs it; what it printed and what it exported. */
async function choosePlanner(env: Record<string, string>) {
  const script =
    'source infra/lib.sh && choose_planner && ' +
    'printf "BASE=%s\\nMODEL=%s\\nFOUND=%s\\n" "${OPENAI_BASE_URL:-}" "${LLM_MODEL:-}" "$LLM_FOUND"';
  const {
    PLANNER: _p,
    OPENAI_API_KEY: _k,
    OPENAI_BASE_URL: _u,
    LLM_MODEL: _m,
    ...shell
  } = process.env;
  const { stdout } = await run('bash', ['-c', script], {
    cwd: ROOT,
    env: { ...shell, SB_LLM_PROBE_MS: '2000', ...env },
  });
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(stdout)?.[1];
  return {
    planner: /planner: (.*)$/m.exec(stdout)?.[1],
    base: field('BASE'),
    model: field('MODEL'),
    found: field('FOUND'),
    stdout,
  };
}

describe('choose_planner (npm run up)', () => {
  let ollama: ModelServer;
  let lmStudio: ModelServer;
  let closed: string;

  beforeAll(async () => {
    ollama = await modelServer();
    lmStudio = await modelServer();
    closed = await closedUrl();
  });

  afterEach(() => {
    ollama.seen.length = 0;
    lmStudio.seen.length = 0;
  });

  afterAll(async () => {
    await ollama.stop();
    await lmStudio.stop();
  });

  it('finds a local Ollama and takes a chat model it lists', async () => {
    ollama.reply = models('nomic-embed-text:latest', 'llama3.2:3b', 'qwen2.5:7b');
    const out = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${ollama.url},LM Studio=${closed}`,
    });
    expect(out.planner).toBe(`LLM llama3.2:3b at ${ollama.url} (found Ollama)`);
    expect(out).toMatchObject({ base: ollama.url, model: 'llama3.2:3b', found: '1' });
    expect(out.stdout).toContain(`ok planner: LLM llama3.2:3b at ${ollama.url} (found Ollama)`);
    expect(ollama.seen.map((r) => [r.method, r.url])).toEqual([['GET', '/v1/models']]);
  });

  it('takes LLM_MODEL when the server has it, and the first in the list that answers', async () => {
    ollama.reply = models('llama3.2:3b', 'qwen2.5:7b');
    lmStudio.reply = models('mistral-7b-instruct');
    const out = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${closed},LM Studio=${lmStudio.url},Other=${ollama.url}`,
    });
    expect(out.planner).toBe(`LLM mistral-7b-instruct at ${lmStudio.url} (found LM Studio)`);
    const wanted = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${ollama.url}`,
      LLM_MODEL: 'qwen2.5:7b',
    });
    expect(wanted).toMatchObject({ base: ollama.url, model: 'qwen2.5:7b' });
  });

  it('says why it chose the built-in planner when no server answers', async () => {
    const out = await choosePlanner({ SB_LLM_CANDIDATES: `Ollama=${closed}` });
    expect(out.planner).toBe(
      'built-in (no OPENAI_BASE_URL, no local server found; see docs/planner.md)',
    );
    expect(out).toMatchObject({ base: '', model: '', found: '0' });
  });

  it('gives up on a server that does not answer within SB_LLM_PROBE_MS', async () => {
    ollama.reply = () => undefined; // takes the request, never answers
    const out = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${ollama.url}`,
      SB_LLM_PROBE_MS: '500',
    });
    expect(out.planner).toBe(
      `built-in (no OPENAI_BASE_URL; Ollama: ${ollama.url}/models: no answer within 500 ms (SB_LLM_PROBE_MS); see docs/planner.md)`,
    );
    expect(out.base).toBe('');
  });

  it('does not take a server that lists no chat model, and says so', async () => {
    ollama.reply = models('nomic-embed-text:latest');
    const out = await choosePlanner({ SB_LLM_CANDIDATES: `Ollama=${ollama.url}` });
    expect(out.planner).toBe(
      `built-in (no OPENAI_BASE_URL; Ollama: ${ollama.url} lists no chat model; see docs/planner.md)`,
    );
    expect(out.base).toBe('');
  });

  it('does not look around with SB_LLM_DETECT=0 or PLANNER=builtin', async () => {
    ollama.reply = models('llama3.2:3b');
    const off = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${ollama.url}`,
      SB_LLM_DETECT: '0',
    });
    expect(off.planner).toBe(
      'built-in (no OPENAI_BASE_URL; looking for a local server is off: SB_LLM_DETECT=0)',
    );
    const builtin = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${ollama.url}`,
      PLANNER: 'builtin',
    });
    expect(builtin.planner).toBe('built-in (PLANNER=builtin)');
    expect(ollama.seen).toEqual([]);
  });

  it("keeps the shell's OPENAI_BASE_URL, taking a model it lists when LLM_MODEL is unset", async () => {
    lmStudio.reply = models('phi-4');
    const out = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${ollama.url}`,
      OPENAI_BASE_URL: lmStudio.url,
      OPENAI_API_KEY: 'sk-local-0123456789abcdef',
    });
    expect(out.planner).toBe(
      `LLM phi-4 at ${lmStudio.url} (OPENAI_BASE_URL; LLM_MODEL unset: the first model it lists)`,
    );
    expect(out).toMatchObject({ base: lmStudio.url, model: 'phi-4', found: '0' });
    expect(lmStudio.seen[0]?.headers.authorization).toBe('Bearer sk-local-0123456789abcdef');
    expect(out.stdout).not.toContain('sk-local');
    expect(ollama.seen).toEqual([]);

    const named = await choosePlanner({ OPENAI_BASE_URL: lmStudio.url, LLM_MODEL: 'phi-4' });
    expect(named.planner).toBe(`LLM phi-4 at ${lmStudio.url} (OPENAI_BASE_URL, LLM_MODEL)`);
  });

  it('keeps an OpenAI key from the shell, never printing it', async () => {
    const out = await choosePlanner({
      SB_LLM_CANDIDATES: `Ollama=${ollama.url}`,
      OPENAI_API_KEY: 'sk-shell-0123456789abcdef',
    });
    expect(out.planner).toBe('LLM gpt-4o-mini at https://api.openai.com/v1 (OPENAI_API_KEY)');
    expect(out.stdout).not.toContain('sk-shell');
    expect(ollama.seen).toEqual([]);
  });

  it('stops on a bad setting, naming it', async () => {
    await expect(choosePlanner({ SB_LLM_CANDIDATES: 'ollama' })).rejects.toMatchObject({
      stderr: expect.stringContaining("SB_LLM_CANDIDATES is invalid (got: 'ollama')"),
    });
    await expect(choosePlanner({ SB_LLM_PROBE_MS: 'soon' })).rejects.toMatchObject({
      stderr: expect.stringContaining("SB_LLM_PROBE_MS is invalid (got: 'soon')"),
    });
  });
});
