import type { App, ProjectFacts } from '../src/engine/facts.js';
import { normalizePyName } from '../src/parsers/requirements.js';
import { defineRule } from '../src/engine/rule.js';
import type { ProjectContext, TextRange, TriggerApp } from '../src/engine/types.js';
import { escapeRegex } from './_shared/triggers.js';
import { parseDockerfile } from '../src/parsers/dockerfile.js';
import { isMap, isScalar, parseJson } from '../src/parsers/yaml.js';
import { lineBounds } from './_shared/manifest.js';

/** package.json scripts that run where the app is deployed: `npm start`, install hooks, common production names. */
const PROD_SCRIPTS = /^(start|start:prod|start:production|prod|production|serve|preinstall|install|postinstall|prestart|poststart)$/;
/** Node binaries whose package name differs from the command. */
const NODE_BINS: Record<string, string> = {
  'babel-node': '@babel/node',
  nest: '@nestjs/cli',
  tsc: 'typescript',
  tsnd: 'ts-node-dev',
  dotenv: 'dotenv-cli',
  'webpack-dev-server': 'webpack-dev-server',
  'react-scripts': 'react-scripts',
  sequelize: 'sequelize-cli',
};
/** Python console scripts and `python -m` modules whose distribution name differs. */
const PY_BINS: Record<string, string> = {
  'waitress-serve': 'waitress',
  watchmedo: 'watchdog',
  'uvicorn.workers': 'uvicorn',
};
/** Import name -> distribution name, where they differ. */
const PY_MODULES: Record<string, string> = {
  dotenv: 'python-dotenv',
  debug_toolbar: 'django-debug-toolbar',
  django_extensions: 'django-extensions',
  yaml: 'pyyaml',
  factory: 'factory-boy',
  jwt: 'pyjwt',
  dateutil: 'python-dateutil',
  magic: 'python-magic',
  multipart: 'python-multipart',
  flask_debugtoolbar: 'flask-debugtoolbar',
  corsheaders: 'django-cors-headers',
  rest_framework: 'djangorestframework',
  PIL: 'pillow',
};
/** Packages the production frameworks bring along: importing them works even when only a dev file declares them. */
const TRANSITIVE: Record<string, readonly string[]> = {
  flask: ['werkzeug', 'jinja2', 'click', 'itsdangerous', 'markupsafe', 'blinker'],
  fastapi: ['starlette', 'pydantic', 'anyio', 'typing-extensions'],
  django: ['asgiref', 'sqlparse'],
  uvicorn: ['click', 'h11'],
};
const BUNDLED_BUILD = /\b(esbuild|webpack|ncc|tsup|rollup|parcel|vite\s+build|bun\s+build|next\s+build|react-scripts\s+build)\b/;

type Messages = 'script' | 'procfile' | 'dockerfile' | 'import';

export default defineRule({
  meta: {
    id: 'dev-dependency-in-production',
    title: 'Production needs a development-only dependency',
    category: 'configuration',
    severity: 'high',
    confidence: 'medium',
    fixable: 'none',
    effort: 'minutes',
    cwe: ['CWE-1104'],
    // The per-file check reports an import of a package the app declares only for development, so
    // a file that names none of those packages cannot be reported (most apps have a handful).
    triggers: [(text, _options, kind, app) => devOnlyNeedle(app, kind === 'python' ? 'python' : 'node')?.test(text) ?? false],
    messages: {
      script: 'The "{script}" script runs {what}, but {pkg} is only a dev dependency: a production install (npm ci --omit=dev) does not have it{via}.',
      procfile: 'The Procfile process "{proc}" runs {what}, but {pkg} is only declared for development ({where}).',
      dockerfile: '{keyword} runs {what}, but {pkg} is only declared for development ({where}).',
      import: '{module} is imported at module level, but {pkg} is only declared for development ({where}): the import fails in a production install.',
    },
    docs: {
      why:
        'Production installs leave development dependencies out: `npm ci --omit=dev` (and NODE_ENV=production installs, Heroku\'s pruning, `pip install -r requirements.txt` without requirements-dev.txt, `poetry install --only main`, `pipenv install --deploy`). A start command, Procfile process or Dockerfile CMD that needs nodemon, ts-node, tsx, dotenv-cli, patch-package or a Python server declared only for development then fails at boot, or works only because the image happened to install everything, which also ships compilers, test tools and dev servers (with their vulnerabilities) to production. The same goes for a module-level import of a package declared only for development.',
      fix:
        'Either run production without the tool (compile TypeScript in a build step and start `node dist/server.js`; start with `node` instead of nodemon; read env vars from the platform instead of dotenv-cli), or move the package to `dependencies` / the main requirements (gunicorn, python-dotenv) if production really needs it. Keep nodemon, ts-node and watchers in `dev` scripts.',
      whenNotTo: 'Images that deliberately install development dependencies and run a build step in the same stage; prefer a multi-stage build anyway.',
      references: [
        'https://docs.npmjs.com/cli/v10/commands/npm-ci#omit',
        'https://devcenter.heroku.com/articles/nodejs-support#package-installation',
        'https://python-poetry.org/docs/managing-dependencies/#dependency-groups',
      ],
      examples: [{ file: 'package.json', bad: '"start": "nodemon server.js"', good: '"start": "node server.js"' }],
    },
  },
  check: {
    project(ctx) {
      for (const app of ctx.project.apps) {
        nodeScripts(ctx, app);
        procfileAndDocker(ctx, app);
      }
    },
    script(ctx) {
      const app = ctx.project.appOf(ctx.path);
      if (!isNodeBackend(ctx.project, app)) return;
      const seen = new Set<string>();
      for (const imp of ctx.js.imports) {
        const pkg = packageOf(imp.module);
        if (!pkg || seen.has(pkg) || !nodeDevOnly(app, pkg) || pkg.startsWith('@types/')) continue;
        const stmtStart = ctx.text.lastIndexOf('\n', imp.range.start) + 1;
        const lineText = ctx.text.slice(stmtStart, imp.range.end);
        // Module level only (a statement that starts its line), and never type-only imports (erased by tsc).
        if (!/^(import|export|const|let|var)\b/.test(lineText) || /^import\s+type\b|^export\s+type\b/.test(lineText)) continue;
        seen.add(pkg);
        ctx.report({ messageId: 'import', at: imp.range, data: { module: imp.module, pkg, where: 'devDependencies' } });
      }
    },
    python(ctx) {
      const app = ctx.project.appOf(ctx.path);
      const seen = new Set<string>();
      for (const imp of ctx.py.imports) {
        if (imp.module.startsWith('.')) continue;
        const head = imp.module.split('.')[0]!;
        const pkg = normalizePyName(PY_MODULES[head] ?? head);
        if (seen.has(pkg)) continue;
        const where = pyDevOnly(ctx.project, app, pkg);
        if (!where) continue;
        // Module level only: Python nests by indentation, so an indented import sits in a
        // function, an `if DEBUG:` or a `try/except ImportError` and is not needed at start-up.
        const col = imp.range.start - (ctx.text.lastIndexOf('\n', imp.range.start - 1) + 1);
        if (col > 0) continue;
        seen.add(pkg);
        ctx.report({ messageId: 'import', at: imp.range, data: { module: imp.module, pkg, where } });
      }
    },
  },
});

type Ctx = ProjectContext<Messages, Record<string, never>>;

const needles = { python: new WeakMap<TriggerApp, RegExp | null>(), node: new WeakMap<TriggerApp, RegExp | null>() };

/**
 * A regex matching any name under which a file could import one of the app's dev-only packages:
 * npm names as written; Python distributions by their import names (PY_MODULES reversed, and the
 * distribution name with any of - _ . between its parts, case-insensitive, as normalizePyName
 * folds them). Null when the app declares no dev-only package of that ecosystem.
 */
function devOnlyNeedle(app: TriggerApp, ecosystem: 'python' | 'node'): RegExp | null {
  const cache = needles[ecosystem];
  if (cache.has(app)) return cache.get(app)!;
  const names: string[] = [];
  for (const [key, d] of app.dependencies) {
    if (d.ecosystem !== ecosystem || !d.dev) continue;
    if (ecosystem === 'node') names.push(escapeRegex(key));
    else {
      names.push(key.split('-').map(escapeRegex).join('[-_.]+'));
      for (const [module, dist] of Object.entries(PY_MODULES)) if (normalizePyName(dist) === key) names.push(escapeRegex(module));
    }
  }
  const re = names.length ? new RegExp(names.join('|'), ecosystem === 'python' ? 'i' : '') : null;
  cache.set(app, re);
  return re;
}

/** npm package of a module specifier ("lodash/fp" -> lodash, "@nestjs/core/x" -> @nestjs/core); undefined for relative and built-in. */
function packageOf(module: string): string | undefined {
  if (module.startsWith('.') || module.startsWith('/') || module.startsWith('node:') || module.includes(':')) return undefined;
  const parts = module.split('/');
  return module.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function nodeDevOnly(app: App, pkg: string): boolean {
  const d = app.dependencies.get(pkg.toLowerCase());
  return !!d && d.ecosystem === 'node' && d.dev;
}

/** Where a Python distribution is declared when it is declared only for development, else undefined. */
function pyDevOnly(facts: ProjectFacts, app: App, pkg: string): string | undefined {
  const d = app.dependencies.get(pkg);
  if (!d || d.ecosystem !== 'python' || !d.dev) return undefined;
  for (const [fw, brought] of Object.entries(TRANSITIVE)) {
    const f = app.dependencies.get(fw);
    if (f && !f.dev && brought.includes(pkg)) return undefined;
  }
  return d.file;
}

/** A Node backend whose server code runs unbundled (bundled builds inline their imports). */
function isNodeBackend(facts: ProjectFacts, app: App): boolean {
  if (!app.ecosystems.has('node')) return false;
  if ([...app.scripts.values()].some((s) => BUNDLED_BUILD.test(s))) return false;
  return ['express', 'nestjs', 'fastify', 'koa'].some((f) => app.frameworks.has(f as never)) || app.entryPoints.some((e) => /server\.[cm]?[jt]s$|main\.ts$|index\.[cm]?[jt]s$/.test(e));
}

interface Use {
  readonly pkg: string;
  readonly what: string;
}

/** Packages a shell command needs: its programs (after env assignments, npx, cross-env) and `node -r/--require/--import/--loader` modules. */
function commandUses(cmd: string, python: boolean): { uses: Use[]; scripts: string[] } {
  const uses: Use[] = [];
  const scripts: string[] = [];
  for (const seg of cmd.split(/&&|\|\||;|\|/)) {
    const toks = seg.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < toks.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(toks[i]!)) i++;
    if (['npx', 'exec', 'bunx', 'env'].includes(toks[i] ?? '') || (toks[i] === 'pnpm' && toks[i + 1] === 'exec') || (toks[i] === 'poetry' && toks[i + 1] === 'run') || (toks[i] === 'pipenv' && toks[i + 1] === 'run') || (toks[i] === 'uv' && toks[i + 1] === 'run')) {
      i += toks[i] === 'pnpm' || toks[i] === 'poetry' || toks[i] === 'pipenv' || toks[i] === 'uv' ? 2 : 1;
      while (i < toks.length && toks[i]!.startsWith('-')) i++;
    }
    const bin = toks[i];
    if (!bin) continue;
    // npm/yarn/pnpm scripts: `npm start`, `npm run serve`, `yarn serve`, `pnpm run x`
    if (/^(npm|yarn|pnpm|bun)$/.test(bin)) {
      const a = toks[i + 1];
      if (a === 'start' || a === 'test') scripts.push(a);
      else if (a === 'run' || a === 'run-script') toks[i + 2] && scripts.push(toks[i + 2]!);
      else if (a && bin !== 'npm' && !a.startsWith('-') && !['install', 'add', 'ci', 'exec', 'dlx'].includes(a)) scripts.push(a);
      continue;
    }
    if (bin === 'cross-env') {
      uses.push({ pkg: 'cross-env', what: 'cross-env' });
      const rest = toks.slice(i + 1).filter((t) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(t)).join(' ');
      const inner = commandUses(rest, python);
      uses.push(...inner.uses);
      scripts.push(...inner.scripts);
      continue;
    }
    if (bin === 'node' || bin === 'nodejs') {
      for (let j = i + 1; j < toks.length; j++) {
        const m = /^(?:-r|--require|--import|--loader|--experimental-loader)(?:=(.+))?$/.exec(toks[j]!);
        if (!m) continue;
        const mod = m[1] ?? toks[++j];
        const pkg = mod && packageOf(mod);
        if (pkg) uses.push({ pkg, what: `node ${toks[j - (m[1] ? 0 : 1)]} ${mod}`.replace(/\s+/g, ' ') });
      }
      continue;
    }
    if (python) {
      if (/^python[0-9.]*$/.test(bin)) {
        if (toks[i + 1] === '-m' && toks[i + 2]) {
          const mod = toks[i + 2]!;
          uses.push({ pkg: normalizePyName(PY_BINS[mod] ?? PY_MODULES[mod] ?? mod.split('.')[0]!), what: `python -m ${mod}` });
        } else if (/manage\.py$/.test(toks[i + 1] ?? '') && toks[i + 2] === 'runserver_plus') {
          uses.push({ pkg: 'django-extensions', what: 'manage.py runserver_plus' });
        }
        continue;
      }
      uses.push({ pkg: normalizePyName(PY_BINS[bin] ?? bin), what: bin });
      continue;
    }
    const base = bin.replace(/^\.\/node_modules\/\.bin\//, '');
    uses.push({ pkg: NODE_BINS[base] ?? base, what: base });
  }
  return { uses, scripts };
}

function nodeScripts(ctx: Ctx, app: App): void {
  const manifest = app.manifests.find((m) => m.endsWith('package.json'));
  if (!manifest || app.scripts.size === 0) return;
  const rangeOf = scriptRanges(ctx.project.readText(manifest));
  const entry = [...app.scripts.keys()].filter((k) => PROD_SCRIPTS.test(k));
  reportScripts(ctx, app, manifest, rangeOf, entry.map((s) => ({ script: s, via: '' })));
}

/** Where each package.json script's command is written. */
function scriptRanges(text: string | undefined): (name: string) => TextRange | undefined {
  const json = text === undefined ? undefined : parseJson(text);
  const section = json && !json.errors.length && isMap(json.doc.contents) ? json.doc.contents.get('scripts', true) : undefined;
  return (name) => {
    if (!isMap(section)) return undefined;
    const p = section.items.find((x) => isScalar(x.key) && x.key.value === name);
    return p && isScalar(p.value) && p.value.range ? { start: p.value.range[0], end: p.value.range[1] } : undefined;
  };
}

/** Report dev-only programs in scripts, following `npm run x` into the scripts they call (a few levels). */
function reportScripts(ctx: Ctx, app: App, manifest: string, rangeOf: (n: string) => TextRange | undefined, start: { script: string; via: string }[]): void {
  const queue = [...start];
  const done = new Set<string>();
  for (let n = 0; queue.length && n < 50; n++) {
    const { script, via } = queue.shift()!;
    if (done.has(script)) continue;
    done.add(script);
    const cmd = app.scripts.get(script);
    if (cmd === undefined) continue;
    const { uses, scripts } = commandUses(cmd, false);
    for (const s of scripts) queue.push({ script: s, via: via || ` (reached from ${script})` });
    const at = rangeOf(script);
    if (!at) continue;
    const reported = new Set<string>();
    for (const u of uses) {
      if (reported.has(u.pkg) || !nodeDevOnly(app, u.pkg)) continue;
      reported.add(u.pkg);
      ctx.report({ messageId: 'script', file: manifest, at, data: { script, what: u.what, pkg: u.pkg, via } });
    }
  }
}

function procfileAndDocker(ctx: Ctx, app: App): void {
  const prefix = app.root ? `${app.root}/` : '';
  const manifest = app.manifests.find((m) => m.endsWith('package.json'));
  for (const file of ctx.project.files) {
    if (!file.startsWith(prefix) || ctx.project.appOf(file) !== app || ctx.project.contextOf(file) !== 'production') continue;
    const base = file.slice(file.lastIndexOf('/') + 1);
    const isDocker = /^(Dockerfile|Containerfile)([.-].+)?$/i.test(base) || /\.(Dockerfile|Containerfile)$/i.test(base);
    if (base !== 'Procfile' && !isDocker) continue;
    const text = ctx.project.readText(file);
    if (text === undefined) continue;
    const commands: { cmd: string; at: TextRange; label: { messageId: 'procfile' | 'dockerfile'; key: string } }[] = [];
    if (base === 'Procfile') {
      text.split('\n').forEach((_, i) => {
        const b = lineBounds(text, i + 1);
        const m = /^([A-Za-z0-9_-]+):\s*(.+?)\s*$/.exec(text.slice(b.start, b.end));
        if (m) commands.push({ cmd: m[2]!, at: { start: b.start, end: b.end }, label: { messageId: 'procfile', key: m[1]! } });
      });
    } else {
      const ins = parseDockerfile(text);
      const lastStage = Math.max(0, ...ins.map((x) => x.stage));
      for (const x of ins) {
        if ((x.keyword === 'CMD' || x.keyword === 'ENTRYPOINT') && x.stage === lastStage) {
          commands.push({ cmd: x.exec ? x.exec.join(' ') : x.args, at: x.range, label: { messageId: 'dockerfile', key: x.keyword } });
        }
      }
    }
    for (const c of commands) {
      const python = app.ecosystems.has('python') && !app.ecosystems.has('node');
      const { uses, scripts } = commandUses(c.cmd, python);
      const reported = new Set<string>();
      for (const u of uses) {
        if (reported.has(u.pkg)) continue;
        const where = nodeDevOnly(app, u.pkg) ? 'devDependencies' : pyDevOnly(ctx.project, app, u.pkg);
        if (!where) continue;
        reported.add(u.pkg);
        ctx.report({
          messageId: c.label.messageId,
          file,
          at: c.at,
          data: { proc: c.label.key, keyword: c.label.key, what: u.what, pkg: u.pkg, where },
        });
      }
      // `web: npm start` / CMD ["npm", "run", "serve"]: the scripts it runs are production scripts too.
      if (scripts.length && manifest) {
        reportScripts(ctx, app, manifest, scriptRanges(ctx.project.readText(manifest)), scripts.filter((s) => !PROD_SCRIPTS.test(s)).map((s) => ({ script: s, via: ` (run by ${file})` })));
      }
    }
  }
}
