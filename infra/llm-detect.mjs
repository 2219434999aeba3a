#!/usr/bin/env node
// Which planner `npm run up` gives the stack, and why. Node built-ins only; run by choose_planner
// (infra/lib.sh), which exports what it prints and shows the `planner:` line:
//
//   planner: LLM <model> at <url> (<why>)       or   planner: built-in (<why>)
//   OPENAI_BASE_URL=<url>                            (only when it found a server)
//   LLM_MODEL=<model>                                (only when it chose a model)
//
// The shell's (or .env's) OPENAI_BASE_URL / OPENAI_API_KEY / LLM_MODEL win: with OPENAI_BASE_URL and
// no LLM_MODEL it asks that server for its models and takes one. With neither, it looks for a local
// OpenAI-compatible server where one usually listens — Ollama (127.0.0.1:11434) and LM Studio
// (127.0.0.1:1234) — by GET <url>/models with a short timeout, and takes the first that lists a chat
// model. It never prints the API key.
//
// env: PLANNER (builtin: no LLM), SB_LLM_DETECT (0/false/no/off: no looking around),
//      SB_LLM_CANDIDATES (Name=URL,... where to look; default below), SB_LLM_PROBE_MS (1000)

const DEFAULT_CANDIDATES = 'Ollama=http://127.0.0.1:11434/v1,LM Studio=http://127.0.0.1:1234/v1';
/** The orchestrator's LLM_MODEL default (apps/orchestrator/src/config/orchestrator.env.ts). */
const DEFAULT_MODEL = 'gpt-4o-mini';
/** Models a chat completion cannot use (embeddings, rerankers, speech). */
const NOT_CHAT = /embed|rerank|bge-|whisper|tts/i;

const env = process.env;
const set = (name) => (env[name] ?? '').trim() !== '';

function fail(message) {
  process.stderr.write(`llm-detect: ${message}\n`);
  process.exit(2);
}

function setting(name, fallback, parse) {
  const raw = set(name) ? env[name].trim() : fallback;
  const value = parse(raw);
  if (value === undefined) fail(`${name} is invalid (got: '${raw}')`);
  return value;
}

const probeMs = setting('SB_LLM_PROBE_MS', '1000', (s) =>
  /^[1-9][0-9]{0,5}$/.test(s) ? Number(s) : undefined,
);
const candidates = setting('SB_LLM_CANDIDATES', DEFAULT_CANDIDATES, (s) => {
  const list = s.split(',').map((entry) => {
    const at = entry.indexOf('=');
    const name = entry.slice(0, at).trim();
    const url = entry.slice(at + 1).trim();
    return at > 0 && /^https?:\/\/\S+$/.test(url) ? { name, url: url.replace(/\/+$/, '') } : null;
  });
  return list.every(Boolean) ? list : undefined;
});

/** GET <url>/models: the chat models the server lists, or why there are none. */
async function listModels(url, apiKey) {
  try {
    const res = await fetch(`${url}/models`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(probeMs),
    });
    if (!res.ok) return { error: `HTTP ${res.status} from ${url}/models` };
    const body = await res.json();
    const ids = Array.isArray(body?.data) ? body.data.map((m) => m?.id).filter(Boolean) : [];
    const chat = ids.filter((id) => typeof id === 'string' && !NOT_CHAT.test(id));
    return chat.length ? { models: chat } : { error: `${url} lists no chat model` };
  } catch (e) {
    // A server that takes the connection and then says nothing is worth naming; a refused one is not.
    const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
    return timedOut
      ? { error: `${url}/models: no answer within ${probeMs} ms (SB_LLM_PROBE_MS)` }
      : { error: 'nothing answers', down: true };
  }
}

/** LLM_MODEL when the server has it (Ollama also takes "name" for "name:latest"), else its first. */
function pickModel(models) {
  const wanted = set('LLM_MODEL') ? env.LLM_MODEL.trim() : undefined;
  if (wanted && (models.includes(wanted) || models.includes(`${wanted}:latest`))) {
    return { model: wanted };
  }
  const note = wanted ? `; LLM_MODEL ${wanted} is not among its models` : '';
  return { model: models[0], note };
}

function say(line, exports = {}) {
  const out = [`planner: ${line}`];
  for (const [key, value] of Object.entries(exports)) out.push(`${key}=${value}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const model = set('LLM_MODEL') ? env.LLM_MODEL.trim() : DEFAULT_MODEL;
  if ((env.PLANNER ?? '').trim() === 'builtin') return say('built-in (PLANNER=builtin)');
  if (set('OPENAI_BASE_URL')) {
    const url = env.OPENAI_BASE_URL.trim();
    if (set('LLM_MODEL')) return say(`LLM ${model} at ${url} (OPENAI_BASE_URL, LLM_MODEL)`);
    const found = await listModels(url.replace(/\/+$/, ''), env.OPENAI_API_KEY);
    if (!found.models) {
      return say(
        `LLM ${model} at ${url} (OPENAI_BASE_URL; its models could not be listed: ${found.error})`,
      );
    }
    const chosen = found.models[0];
    return say(
      `LLM ${chosen} at ${url} (OPENAI_BASE_URL; LLM_MODEL unset: the first model it lists)`,
      {
        LLM_MODEL: chosen,
      },
    );
  }
  if (set('OPENAI_API_KEY'))
    return say(`LLM ${model} at https://api.openai.com/v1 (OPENAI_API_KEY)`);
  if (/^(0|false|no|off)$/i.test((env.SB_LLM_DETECT ?? '').trim())) {
    return say('built-in (no OPENAI_BASE_URL; looking for a local server is off: SB_LLM_DETECT=0)');
  }
  // All at once, so that the wait is one timeout at most; the first in the list wins.
  const probes = await Promise.all(candidates.map((c) => listModels(c.url)));
  const index = probes.findIndex((p) => p.models);
  if (index >= 0) {
    const { name, url } = candidates[index];
    const { model: chosen, note } = pickModel(probes[index].models);
    return say(`LLM ${chosen} at ${url} (found ${name}${note ?? ''})`, {
      OPENAI_BASE_URL: url,
      LLM_MODEL: chosen,
    });
  }
  const empty = probes
    .map((p, i) => (p.down ? undefined : `${candidates[i].name}: ${p.error}`))
    .filter(Boolean);
  if (empty.length) {
    return say(`built-in (no OPENAI_BASE_URL; ${empty.join('; ')}; see docs/planner.md)`);
  }
  return say('built-in (no OPENAI_BASE_URL, no local server found; see docs/planner.md)');
}

await main();
