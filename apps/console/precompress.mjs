// Writes each built text file's brotli (quality 11) and gzip (level 9) forms beside it
// (`<file>.br`, `<file>.gz`), once per build: the gateway serves them as they are instead of
// compressing the console at every start (about 2 s of CPU per gateway). A file the gateway finds
// without them (another CONSOLE_DIR) it still compresses itself (apps/gateway/src/console).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The gateway's rule (console-assets.ts): text types, and only past the size a header costs. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);
const MIN_COMPRESS_BYTES = 1_024;

const root = new URL('../../dist/apps/console/', import.meta.url).pathname;

function* files(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let count = 0;
for (const path of [...files(root)]) {
  if (!COMPRESSIBLE.has(extname(path).toLowerCase())) continue;
  const body = readFileSync(path);
  if (body.length < MIN_COMPRESS_BYTES) continue;
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
  count++;
}
console.log(`console: ${count} file(s) precompressed (brotli, gzip)`);
