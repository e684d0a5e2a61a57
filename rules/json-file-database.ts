import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import { dotted, ts, walk } from '../src/parsers/script.js';
import { insideFunction } from './_shared/js.js';
import { isToolingPath, jsPathText, pyPathText } from './_shared/storage.js';

const WRITE_MODE = /[wax+]/;
const JSON_FILE = /\.json$/i;
const JSON_DB_PACKAGES = /^(lowdb|lowdb\/node|lowdb\/adapters\/FileSync|node-json-db|json-server|nedb|@seald-io\/nedb|diskdb)$/;

export default defineRule({
  meta: {
    id: 'json-file-database',
    title: 'JSON files used as a database',
    category: 'data',
    severity: 'high',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'days',
    cwe: ['CWE-362'],
    // Python reports need `import json` (importsModule), a json.dump/dumps call and open()/write_text.
    // JS reports need a JSON-db package import, or an fs write call (its name is in the text) whose
    // callee says Json or whose data comes from JSON.stringify.
    triggers: [
      (text, _o, kind) =>
        kind === 'python'
          ? /\bjson\b/.test(text) && /dump/.test(text) && /open|write_text/.test(text)
          : /lowdb|node-json-db|json-server|nedb|diskdb/.test(text) || (/Json|stringify/.test(text) && /writeFile|appendFile|outputJson|writeJson/.test(text)),
    ],
    messages: {
      pyWrite: 'Application data is written to the JSON file "{file}" in {fn}.',
      jsWrite: 'Application data is written to the JSON file "{file}" with {callee}.',
      jsonDb: '"{pkg}" stores the application\'s data in a local JSON file.',
    },
    docs: {
      why:
        'A JSON file rewritten on every change has no transactions and no locking: two requests that save at once lose one write or leave a truncated file, a crash mid-write corrupts all of it, every read loads the whole file, and the file lives on one machine\'s disk (lost when the container is replaced, not shared between workers).',
      fix: 'Move the data to a database (PostgreSQL with SQLAlchemy/Django ORM/Prisma, or a document store) with migrations and backups. JSON files are fine for read-only configuration shipped with the code.',
      whenNotTo: 'Scripts, management commands, fixtures and files that are only read are not reported.',
      references: ['https://12factor.net/backing-services', 'https://www.sqlite.org/howtocorrupt.html'],
      examples: [{ file: 'auth.py', bad: "with open('users.json', 'w') as f:\n    json.dump(users, f)", good: 'db.session.add(User(...)); db.session.commit()' }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      if (isToolingPath(ctx.path)) return;
      if (!py.importsModule('json')) return;
      const dumpScopes = new Set(py.calls.filter((c) => /^json\.dumps?$/.test(c.qualified)).map((c) => c.scope.functions.join('.')));
      const seen = new Set<string>();
      for (const c of py.calls) {
        const isOpen = c.qualified === 'open' || c.qualified === 'io.open' || c.qualified === 'codecs.open' || /(^|\.)aiofiles\.open$/.test(c.qualified);
        const isWriteText = c.callee.endsWith('.write_text') && c.func.kind === 'attr';
        if (!isOpen && !isWriteText) continue;
        const fnKey = c.scope.functions.join('.');
        if (!c.scope.functions.length || !dumpScopes.has(fnKey)) continue;
        let file: string | undefined;
        if (isOpen) {
          const mode = c.keyword('mode') ?? c.positional[1];
          if (mode?.kind !== 'str' || !WRITE_MODE.test(mode.value) || /b/.test(mode.value)) continue;
          file = pyPathText(c.positional[0] ?? c.keyword('file'), py);
        } else if (c.func.kind === 'attr') {
          file = pyPathText(c.func.object, py);
        }
        if (!file || !JSON_FILE.test(file) || seen.has(file)) continue;
        seen.add(file);
        ctx.report({ messageId: 'pyWrite', data: { file: file.split('/').pop()!, fn: `${c.scope.functions.at(-1)}()` }, at: c.range });
      }
    },
    script(ctx) {
      const { js } = ctx;
      if (isToolingPath(ctx.path)) return;
      for (const imp of js.imports) {
        if (JSON_DB_PACKAGES.test(imp.module)) {
          ctx.report({ messageId: 'jsonDb', data: { pkg: imp.module }, at: imp.range });
          return;
        }
      }
      const seen = new Set<string>();
      for (const call of js.calls()) {
        const q = call.qualified;
        if (!/^(fs|node:fs|fs\/promises|node:fs\/promises|fs-extra)(\.promises)?\.(writeFileSync|writeFile|appendFileSync|appendFile|outputJson|outputJsonSync|writeJson|writeJsonSync)$/.test(q) && !/^(fs|node:fs)(\/promises)?\.(writeFile|appendFile)$/.test(q)) continue;
        if (!/Json/.test(q) && !containsJsonStringify(call.args[1]) && !boundToJsonStringify(call.args[1], call.node)) continue;
        if (!insideFunction(call.node)) continue;
        const file = jsPathText(call.args[0], js);
        if (!file || !JSON_FILE.test(file) || seen.has(file)) continue;
        seen.add(file);
        ctx.report({ messageId: 'jsWrite', data: { file: file.split('/').pop()!, callee: call.callee }, at: call.range });
      }
    },
  },
});

function containsJsonStringify(node: ts.Node | undefined): boolean {
  if (!node) return false;
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && dotted(n.expression) === 'JSON.stringify') found = true;
    return undefined;
  });
  return found;
}

/** `const data = JSON.stringify(x); fs.writeFileSync(p, data)`: the argument is a local bound to JSON.stringify(...). */
function boundToJsonStringify(arg: ts.Node | undefined, from: ts.Node): boolean {
  if (!arg || !ts.isIdentifier(arg)) return false;
  for (let p = from.parent; p; p = p.parent) {
    if (!ts.isBlock(p) && !ts.isSourceFile(p)) continue;
    for (const st of p.statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === arg.text && d.initializer) return containsJsonStringify(d.initializer);
      }
    }
  }
  return false;
}
