import { posix } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { ProjectFacts } from '../src/engine/facts.js';
import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import { composeServices, rangeOf } from './_shared/config-files.js';
import { isAppName } from './_shared/python.js';

/** Start-command tokens that mean a development server, with why. */
const DEV_COMMANDS: { test: (argv: readonly string[]) => boolean; what: string }[] = [
  { test: (a) => seq(a, ['flask', 'run']) || seq(a, ['-m', 'flask', 'run']), what: 'the Flask development server (`flask run`)' },
  { test: (a) => a.includes('runserver') && (a.some((x) => /manage\.py$/.test(x)) || a.includes('django-admin')), what: "Django's development server (`runserver`)" },
  { test: (a) => /(^|\/)(uvicorn|gunicorn|hypercorn)$/.test(a[0] ?? '') && a.includes('--reload'), what: 'an auto-reloading server (`--reload`)' },
  { test: (a) => a.some((x) => /^--inspect(-brk)?(=|$)/.test(x)), what: 'Node with the inspector open (`--inspect`): anyone reaching the port can run code' },
  { test: (a) => /(^|\/)(nodemon|ts-node-dev|ts-node|node-dev|supervisor)$/.test(a[0] ?? ''), what: 'a development runner ({tool})' },
  { test: (a) => a[0] === 'tsx' && a[1] === 'watch', what: 'a file watcher (`tsx watch`)' },
  { test: (a) => seq(a, ['next', 'dev']) || seq(a, ['nuxt', 'dev']) || seq(a, ['react-scripts', 'start']) || seq(a, ['vite']) && a.length === 1 || seq(a, ['webpack', 'serve']) || a[0] === 'webpack-dev-server', what: 'a front-end development server ({tool})' },
  { test: (a) => (a[0] === 'nest' && a[1] === 'start' && a.some((x) => x === '--watch' || x === '--debug')), what: 'Nest in watch mode (`nest start --watch`)' },
  { test: (a) => /^(npm|yarn|pnpm|bun)$/.test(a[0] ?? '') && (seq(a.slice(1), ['run', 'dev']) || seq(a.slice(1), ['dev']) || seq(a.slice(1), ['run', 'watch'])), what: 'the "dev" script ({tool})' },
];

export default defineRule({
  meta: {
    id: 'dev-server-in-production',
    title: 'Development server used to run the app',
    category: 'operations',
    severity: 'high',
    confidence: 'high',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'minutes',
    cwe: ['CWE-489'],
    triggers: ['flask', 'runserver', 'reload', 'inspect', 'nodemon', 'ts-node', 'tsx', 'dev', 'watch', 'python', 'react-scripts', 'webpack'],
    messages: {
      command: 'The {where} starts {what}.',
      pythonRun: 'The {where} runs `{cmd}`, which starts the app with {callee}() (the built-in development server).',
    },
    docs: {
      why:
        'Development servers are single-process, unhardened and slow: Werkzeug\'s and Django\'s runserver say "do not use it in a production deployment", auto-reloaders watch the file system and restart mid-request, nodemon/ts-node compile on the fly and hold the source in memory, and an open Node inspector port lets anyone who reaches it execute code.',
      fix:
        'Start the app with a production server: `gunicorn -w 4 -b 0.0.0.0:8000 app:app` (Flask/Django WSGI), `gunicorn -k uvicorn.workers.UvicornWorker main:app` or `uvicorn main:app --workers 4` (FastAPI), `node dist/server.js` after a build step (Express/Nest), `next start` (Next.js). Keep dev servers in a `dev` script or docker-compose.override.yml.',
      references: ['https://flask.palletsprojects.com/en/latest/deploying/', 'https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver', 'https://www.uvicorn.org/deployment/', 'https://nodejs.org/en/learn/getting-started/security-best-practices'],
      examples: [{ file: 'Dockerfile', bad: 'CMD ["flask", "run", "--host=0.0.0.0"]', good: 'CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]' }],
    },
  },
  check: {
    dockerfile(ctx) {
      const lastStage = ctx.instructions.reduce((m, i) => Math.max(m, i.stage), 0);
      for (const ins of ctx.instructions) {
        if ((ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') || ins.stage !== lastStage) continue;
        const found = analyze(ins.exec ?? shellWords(ins.args), posix.dirname(ctx.path), ctx.project);
        if (found) ctx.report({ ...found, data: { ...found.data, where: `Dockerfile ${ins.keyword}` }, at: ins.argsRange });
      }
    },
    text(ctx) {
      if (!/(^|\/)Procfile$/.test(ctx.path)) return;
      let offset = 0;
      for (const line of ctx.text.split('\n')) {
        const m = /^(\w[\w-]*)\s*:\s*(.+?)\s*$/.exec(line.replace(/\r$/, ''));
        if (m && m[1] !== 'release') {
          const start = offset + line.indexOf(m[2]!);
          const found = analyze(shellWords(m[2]!), posix.dirname(ctx.path), ctx.project);
          if (found) ctx.report({ ...found, data: { ...found.data, where: `Procfile "${m[1]}" process` }, at: { start, end: start + m[2]!.length } });
        }
        offset += line.length + 1;
      }
    },
    yaml(ctx) {
      for (const doc of ctx.docs) {
        for (const svc of composeServices(doc)) {
          if (!isMap(svc.node)) continue;
          const cmd = svc.node.get('command', true);
          const argv = isScalar(cmd) && typeof cmd.value === 'string' ? shellWords(cmd.value) : isSeq(cmd) ? cmd.items.map((i) => (isScalar(i) ? String(i.value) : '')) : undefined;
          if (!argv) continue;
          const found = analyze(argv, posix.dirname(ctx.path), ctx.project);
          if (found) ctx.report({ ...found, data: { ...found.data, where: `compose service "${svc.name}" command` }, at: rangeOf(cmd as never) });
        }
      }
    },
    json(ctx) {
      if (!/(^|\/)package\.json$/.test(ctx.path)) return;
      const scripts = ctx.doc.get('scripts', true);
      if (!isMap(scripts)) return;
      for (const pair of scripts.items) {
        if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
        const name = String(pair.key.value);
        if (!/^(start|serve|prod|start:prod|production)$/.test(name)) continue;
        for (const part of String(pair.value.value).split(/&&|\|\||;/)) {
          const found = analyze(shellWords(part), posix.dirname(ctx.path), ctx.project);
          if (found) {
            ctx.report({ ...found, data: { ...found.data, where: `package.json "${name}" script` }, at: rangeOf(pair.key as never) });
            break;
          }
        }
      }
    },
  },
});

type Found = { messageId: 'command' | 'pythonRun'; data: Record<string, string> };

/** Does this start command run a development server? */
function analyze(words: readonly string[], dir: string, project: ProjectFacts): Found | undefined {
  // `npx nodemon`, `pnpm exec ts-node`, `yarn nodemon`: the tool is the next word.
  let argv = words;
  if (argv[0] === 'npx' || argv[0] === 'bunx') argv = argv.slice(1).filter((w, i) => i > 0 || !w.startsWith('-'));
  else if ((argv[0] === 'pnpm' || argv[0] === 'npm') && argv[1] === 'exec') argv = argv.slice(2);
  else if (argv[0] === 'yarn' && argv[1] && !/^(run|dev|start|install|build|-)/.test(argv[1])) argv = argv.slice(1);
  if (argv.length === 0) return undefined;
  for (const c of DEV_COMMANDS) {
    if (c.test(argv)) return { messageId: 'command', data: { what: c.what.replace('{tool}', `\`${argv.join(' ').slice(0, 60)}\``) } };
  }
  const callee = pythonDevRun(argv, dir, project);
  if (callee) return { messageId: 'pythonRun', data: { cmd: argv.join(' '), callee } };
  return undefined;
}

function seq(argv: readonly string[], words: readonly string[]): boolean {
  for (let i = 0; i + words.length <= argv.length; i++) if (words.every((w, j) => argv[i + j] === w)) return true;
  return false;
}

/** Split a shell command line into words (quotes honoured, env assignments and `exec` dropped). */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(cmd))) words.push(m[1] ?? m[2] ?? m[3]!);
  while (words.length && (/^[A-Z_][A-Z0-9_]*=/.test(words[0]!) || words[0] === 'exec' || words[0] === 'sh' && words[1] === '-c')) words.splice(0, words[0] === 'sh' ? 2 : 1);
  if (words.length === 1 && /\s/.test(words[0]!)) return shellWords(words[0]!);
  return words;
}

/** `python app.py` / `python -m app`: the module, when it calls app.run() at module level. */
export function pythonDevRun(argv: readonly string[], dir: string, project: ProjectFacts): string | undefined {
  if (!/(^|\/)python[0-9.]*$/.test(argv[0] ?? '')) return undefined;
  let file: string | undefined;
  const m = argv.indexOf('-m');
  if (m !== -1 && argv[m + 1] && argv[m + 1] !== 'flask') file = `${argv[m + 1]!.replace(/\./g, '/')}.py`;
  else file = argv.slice(1).find((a) => a.endsWith('.py') && !/manage\.py$/.test(a));
  if (!file) return undefined;
  const candidates = [posix.join(dir, file), file, posix.join(dir, 'app', file)].map((p) => posix.normalize(p).replace(/^\.\//, ''));
  for (const path of candidates) {
    if (!project.fileSet.has(path)) continue;
    const py = project.python(path);
    if (!py) continue;
    const run = py.calls.find((c) => c.scope.functions.length === 0 && /\.run$/.test(c.callee) && isAppName(c.callee.split('.').slice(0, -1).join('.'), py));
    if (run) return run.callee;
  }
  return undefined;
}
