// Writes docs/openapi.json from the gateway's route table and zod schemas (what GET /openapi.json serves).
// Usage: npx tsx --tsconfig tsconfig.base.json tools/docs/generate-openapi.ts [--check]
// With --check nothing is written; exits 1 when the committed copy is out of date.
import { PLATFORM_VERSION } from '@switchboard/runtime';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../../apps/gateway/src/openapi/openapi.document.js';

const file = join(import.meta.dirname, '..', '..', 'docs', 'openapi.json');
const content = `${JSON.stringify(buildOpenApiDocument(PLATFORM_VERSION), null, 2)}\n`;
let current = '';
try {
  current = readFileSync(file, 'utf8');
} catch {
  /* missing */
}
if (process.argv.includes('--check')) {
  if (current !== content) {
    console.error(
      'docs/openapi.json is out of date: run `npx tsx --tsconfig tsconfig.base.json tools/docs/generate-openapi.ts`',
    );
    process.exit(1);
  }
  console.log('docs/openapi.json is current');
} else if (current !== content) {
  writeFileSync(file, content);
  console.log('wrote docs/openapi.json');
} else {
  console.log('docs/openapi.json is current');
}
