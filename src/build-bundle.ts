/**
 * `npm run build`, after tsc: bundles src/bundle.ts (the CLI, the engine, every rule and the pass
 * worker) with esbuild into dist/prodaudit.cjs, one CommonJS file bin/prodaudit.js loads with V8's
 * code cache (src/bundle-loader.ts). The parsers' packages stay outside: web-tree-sitter finds its
 * .wasm next to itself, and the TypeScript compiler is loaded from @ts-morph/common with a code
 * cache of its own (src/parsers/script.ts). esbuild is a development dependency: an installed
 * package ships the built file.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['dist/src/bundle.js'],
  outfile: 'dist/prodaudit.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['web-tree-sitter', 'ts-morph', '@ts-morph/common', '@vscode/tree-sitter-wasm'],
  // import.meta.url of every module becomes the bundle's own URL: createRequire and version.ts
  // resolve from dist/, as the unbundled dist/src/*.js do one or two folders deeper.
  define: { 'import.meta.url': '__prodauditBundleUrl' },
  banner: { js: "const __prodauditBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  logLevel: 'warning',
});
