/**
 * `npm run build`, after tsc: bundles src/bundle.ts (the CLI, the engine, every rule and the pass
 * worker) with esbuild into dist/prodaudit.cjs, one CommonJS file bin/prodaudit.js loads with V8's
 * code cache (src/bundle-loader.ts). The parsers' packages stay outside: web-tree-sitter finds its
 * .wasm next to itself, and the TypeScript compiler is loaded from @ts-morph/common with a code
 * cache of its own (src/parsers/script.ts). esbuild is a development dependency: an installed
 * package ships the built file.
 */
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

const result = await build({
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
  write: false,
});
// esbuild writes strings, regular expressions and identifiers in ASCII (charset: 'ascii', its
// default) but keeps comments as they are, and two of zod's hold non-ASCII text. An ASCII file is
// read without UTF-8 validation (readUtf8 in src/engine/encoding.ts, 25 ms for this one), so
// those characters are escaped too: inside a comment the escape is only text.
for (const out of result.outputFiles) {
  writeFileSync(out.path, out.text.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`));
}
