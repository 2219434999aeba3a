// Builds the web console into dist/apps/console (served by the gateway at /console/).
// Relative asset URLs (base './'), so the page works under any path prefix a proxy adds.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The console calls the gateway through @switchboard/client, built from its source with the page.
  resolve: {
    alias: {
      '@switchboard/client': fileURLToPath(
        new URL('../../libs/client/src/index.ts', import.meta.url),
      ),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
