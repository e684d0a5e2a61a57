/**
 * File discovery. In a git work tree: `git ls-files -co --exclude-standard -z` (exact
 * .gitignore semantics, nested files and info/exclude included; tech-notes §5). Elsewhere:
 * fdir + ignore, loading nested .gitignore files while descending. Built-in ignores and
 * config ignores apply on top. Symlinks are never followed out of the root.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fdir } from 'fdir';
import ignore, { type Ignore } from 'ignore';
import type { FileKind } from './types.js';

export interface DiscoveredFile {
  /** Root-relative POSIX path. */
  readonly path: string;
  readonly size: number;
  /** Modification time, for the cache's stat index (unchanged size + mtime: the content hash is reused). */
  readonly mtimeMs?: number;
  /** How rules see it; undefined: listed for existence checks only, never read. */
  readonly kind: FileKind | undefined;
}

export interface Diagnostic {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** `skipped`: the file was not audited; `partial`: audited, but something in it could not be read. */
  readonly level: 'skipped' | 'partial' | 'warning';
}

export interface DiscoverOptions {
  /** gitignore-style patterns on top of .gitignore. */
  readonly ignore?: readonly string[];
  /** Files larger than this are listed but not read (diagnostic). */
  readonly maxFileSize?: number;
}

export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024;

/** Folders and files never audited: dependencies, build output, caches, minified bundles. */
export const BUILTIN_IGNORES = [
  'node_modules/',
  '.git/',
  'venv/',
  '.venv/',
  'virtualenv/',
  '__pycache__/',
  'site-packages/',
  '.tox/',
  '.nox/',
  '.mypy_cache/',
  '.pytest_cache/',
  '.ruff_cache/',
  'dist/',
  'build/',
  '.next/',
  'out/',
  '.nuxt/',
  '.output/',
  'coverage/',
  '.nyc_output/',
  'bower_components/',
  'vendor/',
  'vendors/',
  'third_party/',
  '.prodaudit-cache/',
  '.idea/',
  '.vscode/',
  '*.min.js',
  '*.min.mjs',
  '*.bundle.js',
  '*.chunk.js',
  '*.map',
  '*.d.ts',
  '*.pyc',
];

const SCRIPT_EXT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const TEXT_NAMES = new Set([
  'Procfile',
  'Pipfile',
  'runtime.txt',
  '.nvmrc',
  '.node-version',
  '.python-version',
  '.tool-versions',
  '.gitignore',
  '.dockerignore',
  'app.yaml.j2',
  'Makefile',
  'crontab',
  'alembic.ini',
  'manage.py.txt',
  // Lockfiles: read for the versions they resolve (src/engine/lockfiles.ts).
  'yarn.lock',
  'poetry.lock',
  'uv.lock',
  'pdm.lock',
  'Pipfile.lock',
]);

export function kindOf(path: string): FileKind | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base.endsWith('.py')) return 'python';
  if (SCRIPT_EXT.test(base) && !base.endsWith('.d.ts')) return 'script';
  if (/\.ya?ml$/i.test(base)) return 'yaml';
  if (base.endsWith('.json')) return 'json';
  if (/^\.env(\..+)?$/.test(base) || /\.env$/.test(base)) return 'env';
  if (/^(Dockerfile|Containerfile)([.-].+)?$/i.test(base) || /\.(Dockerfile|Containerfile)$/i.test(base)) return 'dockerfile';
  if (TEXT_NAMES.has(base)) return 'text';
  if (/^requirements.*\.(txt|in)$/i.test(base) || /\.(toml|prisma|ini|cfg|html|jinja2?|j2|sh|bash|conf)$/i.test(base)) return 'text';
  return undefined;
}

/**
 * Git options for every git call on an audited repository: its own .git/config is not trusted, and
 * `core.fsmonitor` is a command git runs on ls-files/status/diff (found by test/never-runs.test.ts).
 */
export const SAFE_GIT = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'core.untrackedCache=false'];

export function discover(root: string, options: DiscoverOptions = {}): { files: DiscoveredFile[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const extra = ignore().add(BUILTIN_IGNORES).add([...(options.ignore ?? [])]);
  const listed = gitList(root) ?? walkList(root);
  const realRoot = realpathSync(root);
  const files: DiscoveredFile[] = [];
  const seen = new Set<string>();
  for (const path of listed) {
    if (!path || seen.has(path) || extra.ignores(path)) continue;
    seen.add(path);
    const abs = join(root, path);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      continue; // deleted since git listed it, or vanished during the scan
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(abs);
      } catch {
        diagnostics.push({ path, message: 'broken symbolic link; skipped', level: 'skipped' });
        continue;
      }
      if (real !== realRoot && !real.startsWith(realRoot + sep)) {
        diagnostics.push({ path, message: 'symbolic link points outside the audited root; not followed', level: 'skipped' });
        continue;
      }
      try {
        st = statSync(abs);
      } catch {
        continue;
      }
      if (!st.isFile()) continue; // directory links are never followed (no loops)
    }
    if (!st.isFile()) continue;
    const kind = kindOf(path);
    if (kind && st.size > maxSize) {
      diagnostics.push({ path, message: `file is ${(st.size / 1048576).toFixed(1)} MB, over the ${(maxSize / 1048576).toFixed(1)} MB limit; skipped`, level: 'skipped' });
      files.push({ path, size: st.size, mtimeMs: st.mtimeMs, kind: undefined });
      continue;
    }
    files.push({ path, size: st.size, mtimeMs: st.mtimeMs, kind });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics };
}

/**
 * Whether git could see a work tree here: a `.git` (folder or file) in the root or above it, or
 * GIT_DIR set. Elsewhere git is not asked (spawning it cost 30 ms of every run on a plain folder).
 */
function mayBeInGit(root: string): boolean {
  if (process.env.GIT_DIR) return true;
  for (let dir = resolve(root); ; ) {
    if (existsSync(join(dir, '.git'))) return true;
    const up = dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}

function gitList(root: string): string[] | undefined {
  if (!mayBeInGit(root)) return undefined;
  try {
    // Outside a work tree (none, or a bare repository) ls-files fails, so it is the only git call.
    const out = execFileSync('git', [...SAFE_GIT, '-c', 'core.quotepath=off', 'ls-files', '-co', '--exclude-standard', '-z', '--', '.'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1024 * 1024 * 512,
      encoding: 'utf8',
    });
    const listed = out.split('\0').filter(Boolean);
    // Nothing listed: the audited folder is ignored by the enclosing repository (a vendored app,
    // a scratch checkout under a gitignored folder). Audit it as a plain folder instead of as empty.
    return listed.length ? listed : undefined;
  } catch {
    return undefined;
  }
}

/** Walk without git: nested .gitignore files apply to their own folder and below. */
function walkList(root: string): string[] {
  const builtin = ignore().add(BUILTIN_IGNORES);
  const ignoresByDir = new Map<string, Ignore | null>();
  const ignoreFor = (dir: string): Ignore | null => {
    if (ignoresByDir.has(dir)) return ignoresByDir.get(dir)!;
    let ig: Ignore | null = null;
    try {
      ig = ignore().add(readFileSync(join(root, dir, '.gitignore'), 'utf8'));
    } catch {
      ig = null;
    }
    ignoresByDir.set(dir, ig);
    return ig;
  };
  /** The .gitignore files that apply below `dir`: each with the length of its folder's prefix. */
  const applyingByDir = new Map<string, readonly (readonly [number, Ignore])[]>();
  const applying = (dir: string): readonly (readonly [number, Ignore])[] => {
    let list = applyingByDir.get(dir);
    if (list) return list;
    const cut = dir.lastIndexOf('/');
    const above = dir === '' ? [] : applying(cut === -1 ? '' : dir.slice(0, cut));
    const own = ignoreFor(dir);
    list = own ? [...above, [dir === '' ? 0 : dir.length + 1, own] as const] : above;
    applyingByDir.set(dir, list);
    return list;
  };
  const ignored = (rel: string, isDir: boolean): boolean => {
    const probe = isDir ? `${rel}/` : rel;
    if (builtin.ignores(probe)) return true;
    const cut = rel.lastIndexOf('/');
    for (const [at, ig] of applying(cut === -1 ? '' : rel.slice(0, cut))) if (ig.ignores(probe.slice(at))) return true;
    return false;
  };
  const base = resolve(root);
  const prefix = base.endsWith(sep) ? base : base + sep;
  const toRel = (abs: string) => {
    const rel = abs.startsWith(prefix) ? abs.slice(prefix.length) : relative(base, abs);
    return sep === '/' ? rel : rel.split(sep).join('/');
  };
  return new fdir()
    .withFullPaths()
    .exclude((_name, dirPath) => {
      const rel = toRel(dirPath.replace(/[\\/]$/, ''));
      return rel !== '' && ignored(rel, true);
    })
    .filter((p) => !ignored(toRel(p), false))
    .crawl(base)
    .sync()
    .map(toRel);
}
