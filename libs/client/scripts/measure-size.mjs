// The browser build's size of @switchboard/client, as an application's bundler makes it: the built
// package (dist/libs/client) bundled for the browser by rolldown (Vite's bundler), minified, and
// gzipped (level 9). Three imports: the whole client, the facade (SwitchboardClient), and what a page
// that only runs tasks and streams their events pulls in (Transport + TasksApi: tree-shaking). Fails
// when a bundle would import anything (a Node module, a dependency): the client is self-contained.
//   node libs/client/scripts/measure-size.mjs [--json]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rolldown } from 'rolldown';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const entry = join(root, 'dist/libs/client/src/index.js');

const CASES = {
  'everything (import *)': `export * from ${JSON.stringify(entry)};`,
  SwitchboardClient: `export { SwitchboardClient } from ${JSON.stringify(entry)};`,
  'Transport + TasksApi': `export { Transport, TasksApi } from ${JSON.stringify(entry)};`,
};

async function measure(source) {
  const id = '\0size-entry';
  const bundle = await rolldown({
    input: id,
    platform: 'browser',
    logLevel: 'silent',
    plugins: [
      {
        name: 'size-entry',
        resolveId: (s) => (s === id ? id : undefined),
        load: (s) => (s === id ? source : undefined),
      },
    ],
    // Anything that is not a file of the package stays an import, and fails the check below.
    external: (s) => !s.startsWith('/') && !s.startsWith('.') && s !== id,
  });
  const { output } = await bundle.generate({ format: 'esm', minify: true });
  await bundle.close();
  const [chunk] = output;
  if (output.length !== 1 || chunk.imports.length > 0 || chunk.dynamicImports.length > 0) {
    throw new Error(
      `the browser bundle imports ${[...chunk.imports, ...chunk.dynamicImports].join(', ')}`,
    );
  }
  const code = Buffer.from(chunk.code);
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const results = {};
for (const [name, source] of Object.entries(CASES)) results[name] = await measure(source);
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const [name, r] of Object.entries(results)) {
    console.log(`client browser build, ${name}: ${kb(r.minified)} minified, ${kb(r.gzip)} gzipped`);
  }
}
