import { readSse, repoRoot, type Stack, startStack } from '@switchboard/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// docs/api.md promises that its examples run as written against the stack `npm run up` starts. This
// runs them: every curl command of its bash blocks, in order, against a stack configured like that one
// (NATS enforcing each service's identity, AUTH_MODE=dev), and checks the status written under each
// (`# → 200`) and that the answer has the fields the example shows. `NAME=$(curl … | jq -r .field)`
// keeps a value for the examples after it (`$TASK_ID`); a stream the docs say runs until you stop it
// (Ctrl-C) is read up to its status. Blocks whose fence is marked `jwt-only` need a JWT gateway and are
// skipped: exactly those, and each must be about JWTs.

const DOC = 'docs/api.md';
/** The fence marker of the blocks that do not run on the default stack. */
const JWT_ONLY = 'jwt-only';
const SHELL = new Set(['bash', 'sh', 'shell']);
/** Routes that need no user (docs/auth.md): every other example must say who it is. */
const PUBLIC =
  /^\/(health|readiness|metrics|openapi\.json|\.well-known\/agent-card\.json|console\/config\.json)$/;

interface Fence {
  info: string[];
  line: number;
  body: string;
}

/** Part of a shell word: literal text, text that expands `$NAME`, or a `$(…)` command substitution. */
type Part = { text: string; expand: boolean } | { substitution: string } | { pipe: true };
type Word = Part[];

type Item =
  | { kind: 'command'; words: Word[]; line: number; source: string }
  | { kind: 'comment'; text: string; line: number };

/** One example: a curl command (or `NAME=$(curl … | jq -r .field)`) and what the docs say it answers. */
interface Example {
  line: number;
  source: string;
  curl: Word[];
  capture?: { name: string; path: string[] };
  status: number;
  /** Field names the docs show in the answer: each must be in it. */
  fields: string[];
  /** An endless stream (the docs say to stop it with Ctrl-C): only its status is read. */
  endless: boolean;
}

function fences(markdown: string): Fence[] {
  const out: Fence[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    while (++i < lines.length && lines[i] !== '```');
    out.push({
      info: open[1]!.trim().split(/\s+/).filter(Boolean),
      line: start + 2,
      body: lines.slice(start + 1, i).join('\n'),
    });
  }
  return out;
}

/** Reads `'…'`, `"…"` or `$(…)` starting at `i`; returns the part and the index after it. */
function quoted(src: string, i: number, where: () => string): [Part, number] {
  const close = (end: number) => {
    if (end < 0) throw new Error(`${where()}: unterminated ${src[i]}`);
    return end;
  };
  if (src[i] === "'") {
    const end = close(src.indexOf("'", i + 1));
    return [{ text: src.slice(i + 1, end), expand: false }, end + 1];
  }
  if (src[i] === '"') {
    let text = '';
    let j = i + 1;
    for (; j < src.length && src[j] !== '"'; j++) {
      if (src[j] === '\\' && '"\\$`'.includes(src[j + 1] ?? '')) j++;
      text += src[j];
    }
    close(j < src.length ? j : -1);
    return [{ text, expand: true }, j + 1];
  }
  let depth = 0;
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === "'" || src[j] === '"') j = quoted(src, j, where)[1] - 1;
    else if (src[j] === '(') depth++;
    else if (src[j] === ')' && --depth === 0) return [{ substitution: src.slice(i + 2, j) }, j + 1];
  }
  throw new Error(`${where()}: unterminated $(`);
}

/**
 * Splits a shell block into commands (words of quoted and unquoted parts) and comments, the way bash
 * does for what the docs use: quotes, `\` line continuations, `$(…)`, `|`, `#` comments. Anything else
 * bash would treat specially (`;`, `&`, redirections, unquoted globs) is refused: an example must not
 * depend on it.
 */
function tokenize(src: string, firstLine: number): Item[] {
  const items: Item[] = [];
  let words: Word[] = [];
  let word: Part[] = [];
  let comments: Item[] = [];
  let line = firstLine;
  let commandLine = line;
  let commandStart = 0;
  const where = () => `${DOC}:${line}`;
  const endWord = () => {
    if (word.length) words.push(word);
    word = [];
  };
  const endLine = (at: number) => {
    endWord();
    if (words.length)
      items.push({
        kind: 'command',
        words,
        line: commandLine,
        source: src.slice(commandStart, at).trim(),
      });
    items.push(...comments);
    words = [];
    comments = [];
  };
  for (let i = 0; i < src.length;) {
    const c = src[i]!;
    if (!words.length && !word.length && c !== '\n' && c !== ' ') {
      commandLine = line;
      commandStart = i;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      endWord();
      line++;
      i += 2;
    } else if (c === '\n') {
      endLine(i);
      line++;
      i++;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '#' && !word.length) {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      if (!words.length) commandStart = stop;
      comments.push({ kind: 'comment', text: src.slice(i + 1, stop).trim(), line });
      i = stop;
    } else if (c === "'" || c === '"' || (c === '$' && src[i + 1] === '(')) {
      const [part, next] = quoted(src, i, where);
      word.push(part);
      line += src.slice(i, next).split('\n').length - 1;
      i = next;
    } else if (c === '|') {
      endWord();
      words.push([{ pipe: true }]);
      i++;
    } else if (';&<>*?[`\\'.includes(c)) {
      throw new Error(`${where()}: "${c}" outside quotes (quote it, or keep the example plain)`);
    } else {
      const last = word.at(-1);
      if (last && 'text' in last && last.expand) last.text += c;
      else word.push({ text: c, expand: true });
      i++;
    }
  }
  endLine(src.length);
  return items;
}

/** The text of a word with `$NAME` / `${NAME}` replaced; a name no earlier example set is an error. */
function expand(word: Word, vars: Map<string, string>, where: string): string {
  return word
    .map((p) => {
      if (!('text' in p))
        throw new Error(`${where}: a $(…) or | only works as NAME=$(curl … | jq)`);
      if (!p.expand) return p.text;
      return p.text.replace(/\$(\w+)|\$\{(\w+)\}/g, (_m, a?: string, b?: string) => {
        const name = (a ?? b)!;
        const value = vars.get(name);
        if (value === undefined)
          throw new Error(`${where}: $${name} is not set by an earlier example`);
        return value;
      });
    })
    .join('');
}

const literal = (w: Word): string | undefined =>
  w.length === 1 && 'text' in w[0]! ? w[0].text : undefined;

/** The examples of the runnable blocks, and the blocks skipped as `jwt-only`. */
function examplesOf(markdown: string): { examples: Example[]; skipped: Fence[] } {
  const examples: Example[] = [];
  const skipped: Fence[] = [];
  for (const fence of fences(markdown)) {
    const [lang] = fence.info;
    if (!SHELL.has(lang ?? '')) {
      if (/^\s*curl /m.test(fence.body))
        throw new Error(`${DOC}:${fence.line}: a curl example outside a bash block`);
      continue;
    }
    if (fence.info.includes(JWT_ONLY)) {
      skipped.push(fence);
      continue;
    }
    examples.push(...commandsOf(fence));
  }
  return { examples, skipped };
}

function commandsOf(fence: Fence): Example[] {
  const items = tokenize(fence.body, fence.line);
  const out: Example[] = [];
  items.forEach((item, n) => {
    if (item.kind !== 'command') return;
    const where = `${DOC}:${item.line}`;
    const following: string[] = [];
    for (const next of items.slice(n + 1)) {
      if (next.kind === 'command') break;
      following.push(next.text);
    }
    const [first, ...rest] = item.words;
    const name = literal(first!);
    if (name === 'GW=http://127.0.0.1:3000' && !rest.length) return; // the base URL: the test's own
    const capture = captureOf(item.words, where);
    const curl = capture ? capture.curl : item.words;
    if (literal(curl[0]!) !== 'curl')
      throw new Error(`${where}: only curl commands (and NAME=$(curl … | jq -r .field)) run here`);
    const at = following.findIndex((t) => /^→\s*\d{3}\b/.test(t));
    if (at < 0) throw new Error(`${where}: no "# → <status>" line under the example`);
    const shown = following.slice(at).join('\n');
    out.push({
      line: item.line,
      source: item.source,
      curl,
      ...(capture ? { capture: capture.into } : {}),
      status: Number(/^→\s*(\d{3})/.exec(following[at]!)![1]),
      fields: [...new Set([...shown.matchAll(/"(\w+)":/g)].map((m) => m[1]!))],
      endless: /Ctrl-C/.test(shown),
    });
  });
  return out;
}

/** `NAME=$(curl … | jq -r .a.b)`: the curl words and where its answer's value goes. */
function captureOf(
  words: Word[],
  where: string,
): { curl: Word[]; into: { name: string; path: string[] } } | undefined {
  const [word] = words;
  const head = word?.[0];
  const sub = word?.[1];
  if (words.length !== 1 || !head || !('text' in head) || !sub || !('substitution' in sub))
    return undefined;
  const name = /^([A-Z_][A-Z0-9_]*)=$/.exec(head.text)?.[1];
  if (!name) throw new Error(`${where}: an assignment must be NAME=$(curl … | jq -r .field)`);
  const inner = tokenize(sub.substitution, 0).filter((i) => i.kind === 'command');
  const parts = inner.flatMap((i) => (i.kind === 'command' ? i.words : []));
  const pipe = parts.findIndex((w) => w.length === 1 && 'pipe' in w[0]!);
  const jq = parts.slice(pipe + 1).map((w) => literal(w));
  const path = jq[2];
  if (pipe < 0 || jq.length !== 3 || jq[0] !== 'jq' || jq[1] !== '-r' || !path?.startsWith('.'))
    throw new Error(`${where}: a capture must be NAME=$(curl … | jq -r .field)`);
  return { curl: parts.slice(0, pipe), into: { name, path: path.slice(1).split('.') } };
}

interface Request {
  method: string;
  url: string;
  headers: Headers;
  body?: string;
}

/** The request curl would send for these words (the options the docs use; any other is refused). */
function requestOf(words: Word[], vars: Map<string, string>, where: string): Request {
  const args = words.slice(1).map((w) => expand(w, vars, where));
  const headers = new Headers();
  let method: string | undefined;
  let body: string | undefined;
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${where}: ${a} needs a value`);
      return v;
    };
    if (a === '-X' || a === '--request') method = value();
    else if (a === '-H' || a === '--header') {
      const h = value();
      const colon = h.indexOf(':');
      headers.append(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
    } else if (['-d', '--data', '--data-raw'].includes(a)) body = value();
    else if (/^-[isSN]+$/.test(a) || ['--include', '--silent', '--no-buffer'].includes(a)) continue;
    else if (a.startsWith('-'))
      throw new Error(`${where}: curl option ${a} is not one the test knows`);
    else urls.push(a);
  }
  if (urls.length !== 1) throw new Error(`${where}: expected one URL, got ${urls.join(' ')}`);
  // curl's own default for -d: a form. An example that forgets its Content-Type gets the 415 it would.
  if (body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/x-www-form-urlencoded');
  return {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    url: urls[0]!,
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, into);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysOf(v, into);
    }
  return into;
}

/** The answer as JSON documents: the body, or the data of each event of a stream. */
async function documentsOf(response: Response, endless: boolean): Promise<unknown[]> {
  if (endless) {
    await response.body?.cancel();
    return [];
  }
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const docs: unknown[] = [];
    for await (const e of readSse(response)) docs.push(parse(e.data));
    return docs;
  }
  return [parse(await response.text())];
}

describe(`${DOC}, run as written against a stack like \`npm run up\`'s`, () => {
  const { examples, skipped } = examplesOf(readFileSync(join(repoRoot, DOC), 'utf8'));
  const vars = new Map<string, string>();
  let stack: Stack;

  beforeAll(async () => {
    // As infra/up.sh starts it: NATS enforcing each service's identity, AUTH_MODE=dev (the anonymous
    // user is left to its default: every example names its user). The sample agents are left out: no
    // example needs them.
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      natsIdentities: true,
      env: { gateway: { AUTH_MODE: 'dev' } },
    });
    vars.set('GW', stack.gatewayUrl);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it(`skips exactly the blocks marked ${JWT_ONLY}, each about JWTs; no other example needs one`, () => {
    expect(skipped.length).toBeGreaterThan(0);
    for (const fence of skipped) expect(fence.body).toMatch(/Bearer|JWT/);
    for (const e of examples) expect(e.source).not.toMatch(/Bearer|\$TOKEN|\$ADMIN_TOKEN/);
    expect(examples.length).toBeGreaterThan(40);
  });

  for (const example of examples)
    it(`line ${example.line}: ${example.source.split('\n')[0]}`, async () => {
      const where = `${DOC}:${example.line}`;
      const request = requestOf(example.curl, vars, where);
      const path = new URL(request.url).pathname;
      expect(request.url.startsWith(stack.gatewayUrl)).toBe(true);
      // Who the anonymous dev user is may change: every example says who it acts as.
      if (!PUBLIC.test(path)) expect(request.headers.get('x-user-id')).toBeTruthy();
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        redirect: 'manual', // as curl: a redirect is the answer
      });
      const documents = await documentsOf(response, example.endless);
      if (response.status !== example.status)
        throw new Error(
          `${where}: answered ${response.status}, the docs say ${example.status}: ${JSON.stringify(documents)}`,
        );
      const keys = keysOf(documents);
      const missing = example.fields.filter((f) => !keys.has(f));
      if (missing.length)
        throw new Error(
          `${where}: the answer has no ${missing.join(', ')}, which the docs show: ${JSON.stringify(documents)}`,
        );
      if (example.capture) {
        const { name, path: field } = example.capture;
        const value = field.reduce<unknown>(
          (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
          documents[0],
        );
        expect({ [name]: value }).toEqual({ [name]: expect.any(String) });
        vars.set(name, String(value));
      }
    });
});
