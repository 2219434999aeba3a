// Prints the size of the console's JavaScript as browsers download it (gzip), after each build.
// The budget (200 KB gzipped) is measured in bench/console, not enforced here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = new URL('../../dist/apps/console/assets/', import.meta.url);
let raw = 0;
let gzip = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
  const body = readFileSync(join(dir.pathname, name));
  raw += body.length;
  gzip += gzipSync(body, { level: 9 }).length;
}
console.log(
  `console JavaScript: ${(raw / 1024).toFixed(1)} KB, ${(gzip / 1024).toFixed(1)} KB gzipped`,
);
