/**
 * `npm run bench`: builds the corpora (Debian packages and npm only), then runs, interleaved
 * and BENCH_RUNS times (default 3): prodaudit cold, warm (cache), warm with one file changed,
 * `cat` of every file, the Node read+regex floor, and where available Bandit (Python corpus)
 * and ESLint + eslint-plugin-security (JS corpus). Prints medians, peak RSS (GNU time -v) and
 * the ratios the targets in issue 4 are stated in; writes bench/results/<timestamp>.json.
 * BENCH_ONLY=python,js,monorepo limits the corpora; BENCH_NO_ANCHORS=1 skips Bandit/ESLint.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateMonorepo } from './monorepo.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORPORA = join(REPO, 'bench', '.corpora');
const RESULTS = join(REPO, 'bench', 'results');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY = (process.env.BENCH_ONLY ?? 'python,js,monorepo').split(',');
const ANCHORS = !process.env.BENCH_NO_ANCHORS;
const JS_PACKAGES = ['express@5.1.0', 'mongoose@8.9.5', 'sequelize@6.37.5', 'typeorm@0.3.20', '@nestjs/core@10.4.15', '@nestjs/common@10.4.15', 'rxjs@7.8.1', 'lodash@4.17.21'];
const ESLINT_PACKAGES = ['eslint@9.17.0', 'eslint-plugin-security@3.0.1'];

interface Measure {
  wall: number;
  rssMB: number;
  code: number;
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
}

function listFiles(dir: string, keep: (p: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.prodaudit-cache' && e.name !== 'node_modules') walk(p);
      } else if (e.isFile() && keep(p)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Debian's python3-django sources plus the Python standard library, .py files only. */
function pythonCorpus(): string {
  const dest = join(CORPORA, 'python');
  if (existsSync(join(dest, '.done'))) return dest;
  if (!existsSync('/usr/lib/python3/dist-packages/django')) {
    log('installing python3-django (Debian)…');
    sh('apt-get', ['install', '-y', '-q', 'python3-django']);
  }
  rmSync(dest, { recursive: true, force: true });
  const copy = (from: string, to: string, skip: (p: string) => boolean) => {
    for (const f of listFiles(from, (p) => p.endsWith('.py') && !skip(p))) {
      const target = join(to, relative(from, f));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(f, target, { dereference: false });
    }
  };
  copy('/usr/lib/python3/dist-packages/django', join(dest, 'django'), () => false);
  const stdlib = readdirSync('/usr/lib').filter((d) => /^python3\.\d+$/.test(d)).sort().at(-1);
  if (stdlib) copy(join('/usr/lib', stdlib), join(dest, stdlib), (p) => /\/(dist|site)-packages\//.test(p));
  writeFileSync(join(dest, '.done'), '');
  return dest;
}

/** A pinned set of npm packages' JS/TS sources, copied out of node_modules (which prodaudit skips). */
function jsCorpus(): string {
  const dest = join(CORPORA, 'js-src');
  if (existsSync(join(dest, '.done'))) return dest;
  const prefix = join(CORPORA, 'js');
  if (!existsSync(join(prefix, 'node_modules', 'express'))) {
    log('npm install (JS corpus)…');
    sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix, ...JS_PACKAGES]);
  }
  rmSync(dest, { recursive: true, force: true });
  const nm = join(prefix, 'node_modules');
  for (const pkg of JS_PACKAGES.map((p) => p.slice(0, p.lastIndexOf('@')))) {
    for (const f of listFilesDeep(join(nm, pkg))) {
      const target = join(dest, relative(nm, f));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(f, target);
    }
  }
  writeFileSync(join(dest, '.done'), '');
  return dest;
}

/** Every .js/.mjs/.cjs/.ts (not .d.ts, not minified) of one package, without its nested node_modules. */
function listFilesDeep(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.isFile() && /\.(?:[cm]?js|ts)$/.test(e.name) && !/\.d\.ts$|\.min\.js$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function monorepoCorpus(): string {
  const dest = join(CORPORA, 'monorepo');
  if (existsSync(join(dest, '.done'))) return dest;
  rmSync(dest, { recursive: true, force: true });
  log('generating the synthetic monorepo (seed 42)…');
  const s = generateMonorepo(dest, 20_000, 42);
  log(`  ${s.files} files, ${(s.bytes / 1e6).toFixed(1)} MB`);
  writeFileSync(join(dest, '.done'), '');
  return dest;
}

function eslintBin(): string | undefined {
  const prefix = join(CORPORA, 'eslint');
  const bin = join(prefix, 'node_modules', '.bin', 'eslint');
  if (!existsSync(bin)) {
    try {
      log('npm install eslint + eslint-plugin-security…');
      sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix, ...ESLINT_PACKAGES]);
    } catch {
      return undefined;
    }
  }
  // ESLint 9 ignores files outside its config file's folder ("outside of the base path"), so the
  // config sits in the corpora folder, above js-src, and imports the plugin by absolute URL.
  const plugin = pathToFileURL(join(prefix, 'node_modules', 'eslint-plugin-security', 'index.js')).href;
  writeFileSync(
    join(CORPORA, 'eslint.config.mjs'),
    `import security from ${JSON.stringify(plugin)};\nexport default [security.configs.recommended, { languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } }];\n`,
  );
  return existsSync(bin) ? bin : undefined;
}

function banditBin(): string | undefined {
  const has = () => spawnSync('bandit', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!has()) {
    log('apt-get install bandit…');
    spawnSync('apt-get', ['install', '-y', '-q', 'bandit'], { stdio: 'ignore' });
  }
  return has() ? 'bandit' : undefined;
}

/** Run under GNU time -v: wall seconds and peak RSS of the whole process tree's largest process. */
function measure(cmd: string, args: string[], cwd?: string): Measure {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  const err = r.stderr ?? '';
  const wallText = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)/.exec(err)?.[1]?.trim() ?? '0';
  const parts = wallText.split(':').map(Number);
  const wall = parts.reduce((acc, x) => acc * 60 + x, 0);
  const rssKB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0);
  const code = /Exit status: (\d+)/.exec(err)?.[1];
  if (code !== undefined && Number(code) > 1) log(`  ${cmd} exited ${code}: ${err.split('\n').slice(0, 3).join(' | ')}`);
  return { wall, rssMB: rssKB / 1024, code: code === undefined ? -1 : Number(code) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

interface Step {
  name: string;
  before?: () => void;
  run: () => Measure;
}

function main(): void {
  mkdirSync(CORPORA, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const cli = join(REPO, 'bin', 'prodaudit.js');
  const floor = join(REPO, 'dist', 'bench', 'floor.js');
  const out = join(CORPORA, 'out.json');
  const corpora: { name: string; dir: string; ext: RegExp; anchor?: Step }[] = [];
  if (ONLY.includes('python')) {
    const dir = pythonCorpus();
    const bandit = ANCHORS ? banditBin() : undefined;
    corpora.push({ name: 'python', dir, ext: /\.py$/, anchor: bandit ? { name: 'bandit', run: () => measure(bandit, ['-r', dir, '-f', 'json', '-q', '-o', join(CORPORA, 'bandit.json')]) } : undefined });
  }
  if (ONLY.includes('js')) {
    const dir = jsCorpus();
    const eslint = ANCHORS ? eslintBin() : undefined;
    const cfg = join(CORPORA, 'eslint.config.mjs');
    corpora.push({
      name: 'js',
      dir,
      ext: /\.(?:[cm]?js|ts)$/,
      anchor: eslint
        ? {
            name: 'eslint+security',
            run: () => {
              const report = join(CORPORA, 'eslint.json');
              rmSync(report, { force: true });
              const m = measure(eslint, ['-c', cfg, '--no-inline-config', '--no-warn-ignored', '--no-error-on-unmatched-pattern', '-f', 'json', '-o', report, '**/*.js', '**/*.mjs', '**/*.cjs'], dir);
              // What it linted, so a run that silently skipped the corpus shows (ESLint lints the JS files; prodaudit the .ts too).
              if (existsSync(report)) log(`  eslint linted ${(JSON.parse(readFileSync(report, 'utf8')) as unknown[]).length} files`);
              return m;
            },
          }
        : undefined,
    });
  }
  if (ONLY.includes('monorepo')) corpora.push({ name: 'monorepo', dir: monorepoCorpus(), ext: /./ });

  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: existsSync('/etc/debian_version') ? `Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}` : process.platform,
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
  log(`machine: ${JSON.stringify(machine)}`);
  const results: Record<string, Record<string, Measure[]>> = {};
  const info: Record<string, { files: number; MB: number }> = {};

  for (const c of corpora) {
    const all = listFiles(c.dir, (p) => c.ext.test(p) && !p.endsWith('.done'));
    const listPath = join(CORPORA, `${c.name}.list`);
    writeFileSync(listPath, `${all.join('\n')}\n`);
    info[c.name] = { files: all.length, MB: all.reduce((s, f) => s + statSync(f).size, 0) / 1e6 };
    log(`${c.name}: ${info[c.name]!.files} files, ${info[c.name]!.MB.toFixed(1)} MB`);
    const victim = all.find((f) => /\.py$|\.js$/.test(f))!;
    const original = readFileSync(victim);
    const cache = join(c.dir, '.prodaudit-cache');
    const pa = (extra: string[]) => measure('node', [cli, c.dir, '-f', 'json', '-o', out, ...extra]);
    const steps: Step[] = [
      { name: 'prodaudit cold', before: () => rmSync(cache, { recursive: true, force: true }), run: () => pa([]) },
      { name: 'prodaudit warm', run: () => pa([]) },
      { name: 'prodaudit warm, 1 file changed', before: () => appendFileSync(victim, `\n${victim.endsWith('.py') ? '#' : '//'} bench edit ${Date.now()}\n`), run: () => pa([]) },
      { name: 'prodaudit cold, 1 thread', before: () => writeFileSync(victim, original), run: () => pa(['--no-cache', '--workers', '1']) },
      { name: 'cat', run: () => measure('sh', ['-c', `xargs -d '\\n' -a '${listPath}' cat > /dev/null`]) },
      { name: 'node read+regex', run: () => measure('node', [floor, listPath]) },
      ...(c.anchor ? [c.anchor] : []),
    ];
    results[c.name] = {};
    for (let r = 0; r < RUNS; r++) {
      for (const s of steps) {
        s.before?.();
        const m = s.run();
        (results[c.name]![s.name] ??= []).push(m);
        log(`  run ${r + 1} ${s.name}: ${m.wall.toFixed(2)} s, ${m.rssMB.toFixed(0)} MB`);
      }
    }
    writeFileSync(victim, original);
    rmSync(cache, { recursive: true, force: true });
  }

  // Report.
  const lines: string[] = [`machine: ${machine.cores} × ${machine.cpu}, ${machine.memGB} GB, ${machine.os}, Node ${machine.node}, load at start ${machine.load}; medians of ${RUNS} runs`, ''];
  for (const [name, steps] of Object.entries(results)) {
    const med = (s: string) => median((steps[s] ?? []).map((m) => m.wall));
    const rss = (s: string) => Math.max(...(steps[s] ?? []).map((m) => m.rssMB));
    lines.push(`## ${name}: ${info[name]!.files} files, ${info[name]!.MB.toFixed(1)} MB`, '', '| run | median wall (s) | peak RSS (MB) |', '| --- | ---: | ---: |');
    for (const s of Object.keys(steps)) lines.push(`| ${s} | ${med(s).toFixed(2)} | ${rss(s).toFixed(0)} |`);
    const cold = med('prodaudit cold');
    lines.push('', 'ratios:');
    lines.push(`- warm / cold = ${((med('prodaudit warm') / cold) * 100).toFixed(1)}% (target ≤ 10%)`);
    lines.push(`- warm with 1 file changed / cold = ${((med('prodaudit warm, 1 file changed') / cold) * 100).toFixed(1)}% (target ≤ 15%)`);
    lines.push(`- cold / node read+regex floor = ${(cold / med('node read+regex')).toFixed(1)}x${name === 'monorepo' ? ' (target ≤ 10x)' : ''}; cold / cat = ${(cold / med('cat')).toFixed(1)}x`);
    // An anchor that crashed (exit status above 1; 1 means it found something) gives no ratio.
    const ran = (s: string) => (steps[s] ?? []).length > 0 && (steps[s] ?? []).every((m) => m.code >= 0 && m.code <= 1);
    for (const s of ['bandit', 'eslint+security']) if (steps[s] && !ran(s)) lines.push(`- ${s} failed (exit status ${steps[s]!.map((m) => m.code).join(', ')}): no ratio`);
    if (ran('bandit')) lines.push(`- bandit / prodaudit cold = ${(med('bandit') / cold).toFixed(1)}x faster (target ≥ 10x)`);
    if (ran('eslint+security')) lines.push(`- eslint+security / prodaudit cold = ${(med('eslint+security') / cold).toFixed(1)}x faster (target ≥ 5x)`);
    if (name === 'monorepo') lines.push(`- peak RSS cold = ${rss('prodaudit cold').toFixed(0)} MB (target < 400 MB)`);
    lines.push('');
  }
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(RESULTS, `${stamp}.json`), JSON.stringify({ machine, info, runs: RUNS, results }, null, 2));
  writeFileSync(join(RESULTS, `${stamp}.md`), `${text}\n`);
}

main();
