import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  gunzipSync,
  gzipSync,
} from 'node:zlib';

/** One file of the built console, held in memory with its compressed forms. */
export interface ConsoleAsset {
  body: Buffer;
  br?: Buffer;
  gzip?: Buffer;
  contentType: string;
  etag: string;
  /** Content-hashed names (assets/…-<hash>.js) never change: clients may keep them for a year. */
  immutable: boolean;
}

export interface AssetAnswer {
  body: Buffer;
  encoding?: 'br' | 'gzip';
  asset: ConsoleAsset;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);
/** Below this, compression saves less than the header it costs. */
const MIN_COMPRESS_BYTES = 1_024;
/** The build's compressed forms of a file (`<file>.br`, `<file>.gz`): read with it, never served alone. */
const PRECOMPRESSED = new Set(['.br', '.gz']);
/** A built console is a few hundred kilobytes; this bounds what a wrong CONSOLE_DIR can pull in. */
const MAX_FILES = 500;

/**
 * The built console (Vite's output: index.html and assets/), read once at start-up with its
 * compressed forms (brotli and gzip), so serving a file is a map lookup. The build writes those forms
 * beside each file (`<file>.br`, `<file>.gz`: apps/console/precompress.mjs); one missing or not the
 * file's own (another CONSOLE_DIR, a file changed since) is made here once. Only files found at
 * start-up exist: a path is a key of the map, never joined onto the file system, so no request can
 * reach outside it.
 */
export class ConsoleAssets {
  private constructor(private readonly files: ReadonlyMap<string, ConsoleAsset>) {}

  /** Loads `dir`; an empty set when it has no index.html (the console was not built). */
  static load(dir: string): ConsoleAssets {
    const files = new Map<string, ConsoleAsset>();
    if (!existsSync(join(dir, 'index.html'))) return new ConsoleAssets(files);
    for (const path of walk(dir)) {
      const name = relative(dir, path).split(sep).join('/');
      const ext = extname(name).toLowerCase();
      if (PRECOMPRESSED.has(ext)) continue;
      const body = readFileSync(path);
      const compress = COMPRESSIBLE.has(ext) && body.length >= MIN_COMPRESS_BYTES;
      files.set(name, {
        body,
        ...(compress ? compressedForms(path, body) : {}),
        contentType: TYPES[ext] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: name.startsWith('assets/') && /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(name),
      });
    }
    return new ConsoleAssets(files);
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  get names(): string[] {
    return [...this.files.keys()].sort();
  }

  /** The file at `name` (relative, `/`-separated), in the best encoding the client accepts. */
  answer(name: string, acceptEncoding: string | undefined): AssetAnswer | undefined {
    const asset = this.files.get(name);
    if (!asset) return undefined;
    const accepted = acceptedCodings(acceptEncoding);
    const accepts = (coding: string) => accepted.has(coding) || accepted.has('*');
    if (asset.br && accepts('br')) return { body: asset.br, encoding: 'br', asset };
    if (asset.gzip && accepts('gzip')) return { body: asset.gzip, encoding: 'gzip', asset };
    return { body: asset.body, asset };
  }
}

/**
 * A file's brotli and gzip forms: the build's, when they decompress to the file (decompressing costs
 * milliseconds, compressing at brotli's quality 11 about a second per hundred kilobytes), else made now.
 */
function compressedForms(path: string, body: Buffer): { br: Buffer; gzip: Buffer } {
  const built = (suffix: string, decompress: (b: Buffer) => Buffer): Buffer | undefined => {
    if (!existsSync(path + suffix)) return undefined;
    const form = readFileSync(path + suffix);
    try {
      return decompress(form).equals(body) ? form : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    br:
      built('.br', brotliDecompressSync) ??
      brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    gzip: built('.gz', gunzipSync) ?? gzipSync(body, { level: 9 }),
  };
}

/** The content codings an Accept-Encoding header accepts (those with q=0 are refused). */
export function acceptedCodings(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (!name || (q !== undefined && !(Number(q.slice(2)) > 0))) continue;
    out.add(name);
  }
  return out;
}

function* walk(dir: string, depth = 0): Generator<string> {
  if (depth > 4) return;
  let count = 0;
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) yield* walk(path, depth + 1);
    else if (stat.isFile() && ++count <= MAX_FILES) yield path;
  }
}
