/**
 * The content-hash cache (`.prodaudit-cache/` in the audited root). One JSON file per
 * configuration key (tool version + the code of the engine and rules + parser versions +
 * enabled rules and their options + the project facts rules see during the pass), holding
 * per-file outcomes keyed by path and content hash, with what each outcome depended on
 * besides its own bytes (other files' hashes, the file list, the digests of the memo results it
 * used), memo results (what each read, and its value's digest), and project-check results.
 * A stat index (size, mtime -> hash) lets an unchanged re-run skip reading files; a file
 * modified within the last seconds before the cache was written is re-hashed (racy mtime).
 * Writes go to a temporary file renamed into place, so concurrent runs never see a torn
 * file: the last writer wins and both results are valid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_VERSION } from '../version.js';
import { bundle } from './bundle-state.js';
import type { DiscoveredFile } from './discover.js';
import { readUtf8 } from './encoding.js';
import type { App } from './facts.js';
import type { Dependencies, FileOutcome, MemoEntry, ResolvedDraft } from './file-pass.js';

/**
 * 2: memo results are entries of their own, and outcomes refer to them by digest (early cutoff).
 * 3: per-file memo parts that read only their own file are kept apart, without their dependencies.
 * 4: app-wide scans and project checks name the parts they used at the digests the file holds
 *    by memo name (`PackedDeps.parts`), not one key and digest per part.
 * 5: a memo's parts are written as the digest most of them have, the paths that have it, and the
 *    others (`PackedMemoParts`): 1.5 of the JS corpus's 3.0 MB were 21,000 copies of one digest.
 */
const FORMAT = 5;
/** A file whose mtime is this close to the cache's write time is re-hashed (mtime granularity, racy writes). */
const RACY_MS = 2000;
const KEEP_FILES = 4;

export type CachedOutcome = Omit<FileOutcome, 'path'>;

export interface ProjectEntry {
  readonly facts: string;
  readonly deps: Dependencies;
  readonly drafts: readonly ResolvedDraft[];
  readonly error?: string;
}

interface CacheData {
  readonly format: number;
  readonly key: string;
  readonly savedAt: number;
  readonly fileList: string;
  /** path -> [size, mtimeMs, hash] */
  readonly stat: Record<string, [number, number, string]>;
  readonly files: Record<string, CachedOutcome>;
  readonly project: Record<string, ProjectEntry>;
  /** memoKey -> the memo result's dependencies and value digest. */
  readonly memos: Record<string, MemoEntry>;
  /**
   * 'file' memo results that read their own file and nothing else (most of them): the file's hash
   * once, and per memo name its parts (PackedMemoParts: each part's value digest, or [digest,
   * value] when there is a value, the digest most share written once). On the Python corpus this
   * holds 18,000 results.
   */
  readonly parts?: { readonly hashes: Record<string, string>; readonly byMemo: Record<string, PackedMemoParts> };
}

/** A part as written: its value's digest, or [digest, value] when there is a value. */
type PartValue = string | [string, unknown];

/**
 * One memo's parts as written. Most parts of an app-wide scan say "no evidence in this file", so
 * they share one digest: `d` is the digest most of them have (with no value), `at` the paths whose
 * part has it ('*': every path of `hashes`; else their indexes in its key order), and `x` the rest.
 */
interface PackedMemoParts {
  readonly d: string;
  readonly at: '*' | readonly number[];
  readonly x: Record<string, PartValue>;
}

/** One memo's parts read back (PackedMemoParts): which paths have one, and what it is. */
class MemoParts {
  private defaults: Set<string> | undefined;

  constructor(
    private readonly raw: PackedMemoParts,
    private readonly hashes: Record<string, string>,
    private readonly order: () => readonly string[],
  ) {}

  private hasDefault(path: string): boolean {
    if (this.raw.at === '*') return Object.prototype.hasOwnProperty.call(this.hashes, path);
    if (!this.defaults) {
      const order = this.order();
      this.defaults = new Set(this.raw.at.map((i) => order[i]!));
    }
    return this.defaults.has(path);
  }

  get(path: string): PartValue | undefined {
    const v = Object.prototype.hasOwnProperty.call(this.raw.x, path) ? this.raw.x[path] : undefined;
    return v !== undefined ? v : this.hasDefault(path) ? this.raw.d : undefined;
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  *paths(): Generator<string> {
    if (this.raw.at === '*') {
      for (const path in this.hashes) if (!Object.prototype.hasOwnProperty.call(this.raw.x, path)) yield path;
    } else {
      const order = this.order();
      for (const i of this.raw.at) yield order[i]!;
    }
    for (const path in this.raw.x) yield path;
  }

  get size(): number {
    let n = 0;
    for (const _ in this.raw.x) n++;
    if (this.raw.at !== '*') return n + this.raw.at.length;
    for (const path in this.hashes) if (!Object.prototype.hasOwnProperty.call(this.raw.x, path)) n++;
    return n;
  }
}

const digestOf = (v: PartValue): string => (typeof v === 'string' ? v : v[0]);

/**
 * Dependencies as written for memo results and project checks, whose records named every part of
 * an app-wide scan with its digest (3,051 keys and digests per record on the JS corpus: 2.4 of the
 * cache's 5.4 MB). `parts` names, per memo, the subjects (paths) whose parts were used at the
 * digest `CacheData.parts` holds for them, or '*' for all of that memo's parts there; `memos`
 * keeps the rest. Expanded back (`unpackDeps`) the first time the record is validated.
 */
interface PackedDeps extends Dependencies {
  parts?: Record<string, '*' | string[]>;
}

/**
 * The digest a memo's value has in this run, validating or recomputing it on demand (audit.ts):
 * undefined when it cannot be computed (its memo or app is gone).
 */
export type MemoDigest = (key: string) => string | undefined;

let codeDigestMemo: string | undefined;

/** Hash of the compiled engine and rules plus parser versions: a rebuilt tool never reuses old results. */
export function codeDigest(): string {
  if (codeDigestMemo) return codeDigestMemo;
  const h = createHash('sha1').update(`${FORMAT}\0${TOOL_VERSION}\0${process.versions.node}\0`);
  const own = bundle();
  // The single-file build holds all of the engine and rules: its bytes stand for them.
  if (own) h.update('bundle\0').update(readFileSync(own.file));
  const distRoot = fileURLToPath(new URL('../../', import.meta.url));
  for (const sub of own ? [] : ['src', 'rules']) {
    const files: string[] = [];
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.js')) files.push(p);
      }
    };
    walk(join(distRoot, sub));
    for (const f of files.sort()) h.update(f.slice(distRoot.length)).update(readFileSync(f));
  }
  const require = createRequire(import.meta.url);
  for (const pkg of ['ts-morph', 'web-tree-sitter', '@vscode/tree-sitter-wasm', 'yaml']) {
    try {
      const dir = dirname(require.resolve(`${pkg}/package.json`));
      h.update(`${pkg}@${(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version}`);
    } catch {
      h.update(`${pkg}@?`);
    }
  }
  codeDigestMemo = h.digest('base64url');
  return codeDigestMemo;
}

/** What rules can learn about apps: changes here invalidate everything that depended on facts. */
export function appsDigest(apps: readonly App[]): string {
  const data = apps.map((a) => [
    a.root,
    a.name,
    [...a.ecosystems].sort(),
    [...a.frameworks].sort(),
    [...a.dependencies].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
    a.manifests,
    [...a.scripts],
    a.entryPoints,
  ]);
  return createHash('sha1').update(JSON.stringify(data)).digest('base64url');
}

export function fileListDigest(files: readonly DiscoveredFile[]): string {
  const h = createHash('sha1');
  for (const f of files) h.update(f.path).update(f.kind ?? '-').update('\0');
  return h.digest('base64url');
}

export function configKey(parts: readonly unknown[]): string {
  return createHash('sha1').update(JSON.stringify([FORMAT, codeDigest(), ...parts])).digest('base64url').slice(0, 16);
}

export class AuditCache {
  private readonly data: CacheData | undefined;
  private readonly next: { stat: CacheData['stat']; files: CacheData['files']; project: CacheData['project']; memos: CacheData['memos'] };
  private changed = false;
  readonly stats = { hits: 0, misses: 0, statHits: 0, hashed: 0, projectHits: 0, memosValid: 0, memosRecomputed: 0, saveError: undefined as string | undefined };

  constructor(
    private readonly dir: string,
    private readonly key: string,
    private readonly fileList: string,
  ) {
    this.data = load(join(dir, `${key}.json`), key);
    this.next = { stat: {}, files: {}, project: {}, memos: {} };
    if (!this.data) this.changed = true;
  }

  /** The hash the stat index vouches for, or undefined when the file must be read and hashed. */
  statHash(file: DiscoveredFile): string | undefined {
    const s = this.data?.stat[file.path];
    if (!s || file.mtimeMs === undefined) return undefined;
    if (s[0] !== file.size || s[1] !== file.mtimeMs || file.mtimeMs >= this.data!.savedAt - RACY_MS) return undefined;
    this.stats.statHits++;
    return s[2];
  }

  /**
   * A cached outcome for this path at its current hash, if what it depended on is unchanged. The
   * file is hashed (`hashOf`, which may read it) only when there is an outcome to compare with: a
   * cold run read all 20,000 files of the monorepo before the pass and held their 77 MB of text
   * (to hand to the pass) until it ended.
   */
  lookup(path: string, hashOf: (p: string) => string, memoDigest: MemoDigest): CachedOutcome | undefined {
    this.hashOf ??= hashOf;
    const e = this.data?.files[path];
    if (!e || e.hash !== hashOf(path) || !this.depsHold(e.deps, hashOf, memoDigest)) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return e;
  }

  project(ruleId: string, facts: string, hashOf: (p: string) => string, memoDigest: MemoDigest): ProjectEntry | undefined {
    const e = this.data?.project[ruleId];
    if (!e || e.facts !== facts || !this.depsHold(e.deps, hashOf, memoDigest)) return undefined;
    this.stats.projectHits++;
    return e;
  }

  /** True when the previous run left memo results (validating one may need the parsers). */
  hasMemos(): boolean {
    for (const _ in this.data?.memos ?? {}) return true;
    for (const _ in this.data?.parts?.byMemo ?? {}) return true;
    return false;
  }

  /**
   * Nothing changed since the cache was written: the same file list, and every audited file's
   * size and mtime as the stat index has them (call after hashing them all: a file that had to be
   * read and hashed, for a changed stat or a racy mtime, makes this false). Then every recorded dependency holds by
   * construction (outcomes, memos and project checks are functions of those files and of the
   * configuration in the key), so they are not re-validated one by one: on the JS corpus that
   * was 21,000 memo digests per warm run.
   */
  markUnchanged(): boolean {
    if (!this.mayBeUnchanged() || this.stats.hashed > 0) return false;
    this.unchanged = true;
    return true;
  }

  /** The previous run saw the same file list (only then can nothing have changed). */
  mayBeUnchanged(): boolean {
    return this.data !== undefined && this.data.fileList === this.fileList;
  }

  private unchanged = false;
  private unpacked = false;
  /** One dependency record per path for the parts read back (records are only read). */
  private readonly partDeps = new Map<string, Dependencies>();

  /** Every memo entry, with the compact per-file parts expanded (only to carry them all over unchanged). */
  private memos(): Record<string, MemoEntry> {
    if (!this.unpacked && this.data) {
      const memos = this.data.memos as Record<string, MemoEntry>;
      for (const name in this.data.parts?.byMemo ?? {}) {
        for (const path of this.memoParts(name)!.paths()) {
          const e = this.part(name, path);
          if (e) memos[`${name}\0${path}`] = e;
        }
      }
      this.unpacked = true;
    }
    return this.data?.memos ?? {};
  }

  private readonly partTables = new Map<string, MemoParts | undefined>();
  private order: readonly string[] | undefined;

  /** A memo's parts in the file read (undefined when it has none). */
  private memoParts(name: string): MemoParts | undefined {
    if (!this.partTables.has(name)) {
      const parts = this.data?.parts;
      const raw = parts && Object.prototype.hasOwnProperty.call(parts.byMemo, name) ? parts.byMemo[name] : undefined;
      this.partTables.set(name, raw && new MemoParts(raw, parts!.hashes, () => (this.order ??= Object.keys(parts!.hashes))));
    }
    return this.partTables.get(name);
  }

  /** A packed part read back as a memo entry (built on demand: a run with one file changed validates 21,000 of them). */
  private part(name: string, path: string): MemoEntry | undefined {
    const v = this.memoParts(name)?.get(path);
    if (v === undefined) return undefined;
    let deps = this.partDeps.get(path);
    if (!deps) {
      const hash = this.data!.parts!.hashes[path];
      if (hash === undefined) return undefined;
      this.partDeps.set(path, (deps = { fileList: false, files: { [path]: hash }, memos: {} }));
    }
    return typeof v === 'string' ? { deps, digest: v } : { deps, digest: v[0], value: v[1] };
  }

  /** The previous run's result of a memo, when its own dependencies still hold (nested memos through `memoDigest`). */
  memo(key: string, hashOf: (p: string) => string, memoDigest: MemoDigest): MemoEntry | undefined {
    this.hashOf ??= hashOf;
    let e = this.data?.memos[key];
    if (!e && !this.unpacked) {
      const cut = key.indexOf('\0');
      if (cut !== -1 && key.indexOf('\0', cut + 1) === -1) {
        const path = key.slice(cut + 1);
        e = this.part(key.slice(0, cut), path);
        // A part read its own file only: it holds when that file's hash does.
        if (e) return this.unchanged || hashOf(path) === e.deps.files[path] ? e : undefined;
      }
    }
    return e && this.depsHold(e.deps, hashOf, memoDigest) ? e : undefined;
  }

  /** Files and the file list first: a memo is recomputed only for an outcome that nothing else invalidates. */
  private depsHold(deps: Dependencies, hashOf: (p: string) => string, memoDigest: MemoDigest): boolean {
    this.hashOf ??= hashOf;
    if (deps.fileList && this.data!.fileList !== this.fileList) return false;
    if (this.unchanged) return true;
    for (const p in deps.files) if (hashOf(p) !== deps.files[p]) return false;
    const parts = (deps as PackedDeps).parts;
    if (parts) {
      // A packed part read its own file only, so it holds at its digest while that file's hash is
      // the one the cache file has for it: only parts of edited files are asked for their digest
      // now (a run with one file changed asked for 21,000, one per part of every app-wide scan).
      const stale = this.stalePaths(hashOf);
      for (const name in parts) {
        const subjects = parts[name]!;
        const held = this.memoParts(name);
        const check = (path: string) => {
          const v = held?.get(path);
          return v !== undefined && memoDigest(`${name}\0${path}`) === digestOf(v);
        };
        if (subjects === '*') {
          for (const path of stale) if (held?.has(path) && !check(path)) return false;
        } else {
          for (const path of subjects) if (!held?.has(path) || (stale.has(path) && !check(path))) return false;
        }
      }
    }
    for (const k in deps.memos) if (memoDigest(k) !== deps.memos[k]) return false;
    return true;
  }

  private stale: Set<string> | undefined;
  /** The run's file hashes (the first lookup's), for the parts carried over by save(). */
  private hashOf: ((p: string) => string) | undefined;

  /** Paths whose packed parts no longer hold: their file's hash is not the one the cache file has. */
  private stalePaths(hashOf: (p: string) => string): Set<string> {
    if (!this.stale) {
      this.stale = new Set();
      const hashes = this.data?.parts?.hashes ?? {};
      for (const path in hashes) if (hashOf(path) !== hashes[path]) this.stale.add(path);
    }
    return this.stale;
  }

  /** Record this run's results (hits too: the next file holds exactly what this run saw). */
  store(file: DiscoveredFile | undefined, outcome: FileOutcome, fresh: boolean): void {
    const { path, ...rest } = outcome;
    this.next.files[path] = rest;
    if (file && file.mtimeMs !== undefined && outcome.hash !== '-') this.next.stat[path] = [file.size, file.mtimeMs, outcome.hash];
    if (fresh) this.changed = true;
  }

  storeHash(file: DiscoveredFile, hash: string): void {
    if (file.mtimeMs !== undefined && hash !== '-' && !this.next.stat[file.path]) this.next.stat[file.path] = [file.size, file.mtimeMs, hash];
  }

  storeProject(ruleId: string, entry: ProjectEntry, fresh: boolean): void {
    this.next.project[ruleId] = entry;
    if (fresh) this.changed = true;
  }

  /** A memo result for the next run: one this run computed (fresh) or one it found still valid. */
  storeMemo(key: string, entry: MemoEntry, fresh: boolean): void {
    this.next.memos[key] = entry;
    if (fresh) this.changed = true;
  }

  /** Atomic write (temp file + rename); old cache files of other configurations beyond a few are pruned. */
  save(): void {
    if (!this.changed && this.data && Object.keys(this.data.files).length === Object.keys(this.next.files).length) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const gitignore = join(this.dir, '.gitignore');
      try {
        statSync(gitignore);
      } catch {
        writeFileSync(gitignore, '*\n');
      }
      // Unchanged: memo results were not re-validated one by one, so the previous ones carry over.
      const memos = this.unchanged && Object.keys(this.next.memos).length === 0 ? this.memos() : this.next.memos;
      // Parts of unedited files carry over from the previous file as they are written there:
      // records that still hold were validated without asking for them one by one (depsHold),
      // and the next run may need them.
      const carry: Carry | undefined =
        this.data?.parts && !this.unchanged && this.hashOf
          ? { names: Object.keys(this.data.parts.byMemo), memoParts: (name) => this.memoParts(name), hashes: this.data.parts.hashes, stale: this.stalePaths(this.hashOf) }
          : undefined;
      // The parts are written as they are grouped, not built as objects first: packing the
      // monorepo's 124,000 parts into new records was the run's peak (+30 MB at the very end).
      const packed = packedParts(memos, carry);
      // A record still packed against the previous file's parts is written as it is when this file
      // holds the same parts of those memos at the same digests; else it is expanded and packed
      // against this file's.
      if (this.data) {
        const same = new Map<string, boolean>();
        const sameParts = (name: string): boolean => {
          let r = same.get(name);
          if (r === undefined) same.set(name, (r = packed.holdsSame(this.memoParts(name), name)));
          return r;
        };
        for (const e of [...Object.values(memos), ...Object.values(this.next.project)]) {
          const parts = (e.deps as PackedDeps).parts;
          if (parts && !Object.keys(parts).every(sameParts)) unpackDeps(e.deps as PackedDeps, (name) => this.memoParts(name));
        }
      }
      const pack = (deps: Dependencies) => ((deps as PackedDeps).parts ? deps : packDeps(deps, packed));
      const project: Record<string, ProjectEntry> = {};
      for (const [id, e] of Object.entries(this.next.project)) project[id] = { ...e, deps: pack(e.deps) };
      const packedMemos: Record<string, MemoEntry> = {};
      for (const [key, e] of Object.entries(packed.memos)) packedMemos[key] = { ...e, deps: pack(e.deps) };
      const data = { format: FORMAT, key: this.key, savedAt: Date.now(), fileList: this.fileList, ...this.next, project, memos: packedMemos, parts: packed.parts };
      const final = join(this.dir, `${this.key}.json`);
      const tmp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      // Record by record: the whole file as one string was the run's peak on the monorepo (a 45 MB
      // JSON string on top of everything the run still held).
      const fd = openSync(tmp, 'w');
      try {
        writeJson(fd, data, 2);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, final);
      prune(this.dir);
    } catch (e) {
      // A cache that cannot be written (read-only checkout) only costs speed; PRODAUDIT_STATS shows why.
      this.stats.saveError = String((e as Error).message ?? e).split('\n')[0];
    }
  }
}

/** JSON.stringify(value) written to `fd` in pieces of about 1 MB: plain objects down to `depth` levels are written entry by entry. */
function writeJson(fd: number, value: unknown, depth: number): void {
  let pending = '';
  const out = (s: string) => {
    pending += s;
    if (pending.length > 1 << 20) {
      writeSync(fd, pending);
      pending = '';
    }
  };
  const put = (v: unknown, d: number) => {
    if (v instanceof Streamed) {
      v.write(out);
      return;
    }
    if (d === 0 || v === null || typeof v !== 'object' || Array.isArray(v)) {
      out(JSON.stringify(v));
      return;
    }
    let sep = '{';
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || typeof x === 'function') continue;
      out(`${sep}${JSON.stringify(k)}:`);
      put(x, d - 1);
      sep = ',';
    }
    out(sep === '{' ? '{}' : '}');
  };
  put(value, depth);
  if (pending) writeSync(fd, pending);
}

/** A value writeJson asks to write itself. */
class Streamed {
  constructor(readonly write: (out: (s: string) => void) => void) {}
}

/**
 * A dependency record as written (PackedDeps): the parts it used at the digest this file holds
 * for them (`packed` subjects of a memo name) go by memo name, '*' when that is all of the memo's
 * parts here; anything else (app memos, a part held at another digest or not packed) stays in
 * `memos`.
 */
function packDeps(deps: Dependencies, packed: Pick<PackedParts, 'subjects' | 'digest'>): Dependencies {
  const rest: Record<string, string> = {};
  const byName = new Map<string, string[]>();
  for (const key in deps.memos) {
    const digest = deps.memos[key]!;
    const cut = key.indexOf('\0');
    const name = key.slice(0, cut);
    const subject = key.slice(cut + 1);
    if (cut === -1 || !packed.subjects.get(name)?.has(subject) || packed.digest(name, subject) !== digest) {
      rest[key] = digest;
      continue;
    }
    let subjects = byName.get(name);
    if (!subjects) byName.set(name, (subjects = []));
    subjects.push(subject);
  }
  if (byName.size === 0) return deps;
  const parts: Record<string, '*' | string[]> = {};
  // Distinct subjects of parts this file holds: as many as it holds means all of them.
  for (const [name, subjects] of byName) parts[name] = subjects.length === packed.subjects.get(name)!.size ? '*' : subjects;
  const out: PackedDeps = { fileList: deps.fileList, files: deps.files, memos: rest, parts };
  return out;
}

/** A record read back packed, expanded in place (once) against the file it was read from. */
function unpackDeps(deps: PackedDeps, memoParts: (name: string) => MemoParts | undefined): void {
  const parts = deps.parts;
  if (!parts) return;
  delete deps.parts;
  const memos = deps.memos as Record<string, string>;
  for (const [name, subjects] of Object.entries(parts)) {
    const held = memoParts(name);
    for (const path of subjects === '*' ? (held?.paths() ?? []) : subjects) {
      const v = held?.get(path);
      // Not in the file (cannot happen for a file this code wrote): a digest no memo has, so the record fails to validate.
      memos[`${name}\0${path}`] = v === undefined ? '' : digestOf(v);
    }
  }
}

/** Parts of the previous cache file to write again: all but those of `stale` paths and those `all` has anew. */
interface Carry {
  readonly names: readonly string[];
  readonly memoParts: (name: string) => MemoParts | undefined;
  readonly hashes: Record<string, string>;
  readonly stale: ReadonlySet<string>;
}

/**
 * What packedParts returns, as `memos` (full entries, picked out of `all` by reference), a `parts`
 * that writes its records while reading `all` and `carry` (same JSON, without the records built
 * first), per memo name the subjects (paths) whose parts it packs, and `holdsSame(held, name)`:
 * whether those are exactly the parts `held` (the previous file's of `name`) has, at the same digests.
 */
interface PackedParts {
  readonly memos: Record<string, MemoEntry>;
  readonly parts: Streamed;
  readonly subjects: Map<string, Set<string>>;
  /** The digest of a packed part (one of `subjects`). */
  digest(name: string, path: string): string | undefined;
  holdsSame(held: MemoParts | undefined, name: string): boolean;
}

function packedParts(all: Record<string, MemoEntry>, carry?: Carry): PackedParts {
  const memos: Record<string, MemoEntry> = {};
  const hashes = new Map<string, string>();
  /** Per memo name, the keys of its parts in `all` (in `all`'s order). */
  const byMemo = new Map<string, string[]>();
  for (const key in all) {
    const e = all[key]!;
    const cut = key.indexOf('\0');
    const path = cut === -1 || key.indexOf('\0', cut + 1) !== -1 ? undefined : key.slice(cut + 1);
    const hash = path === undefined ? undefined : ownFileHash(e.deps, path);
    if (hash === undefined || (hashes.get(path!) ?? hash) !== hash) {
      memos[key] = e;
      continue;
    }
    hashes.set(path!, hash);
    const name = key.slice(0, cut);
    let keys = byMemo.get(name);
    if (!keys) byMemo.set(name, (keys = []));
    keys.push(key);
  }
  const subjects = new Map([...byMemo].map(([name, keys]) => [name, new Set(keys.map((k) => k.slice(name.length + 1)))]));
  /** Per memo name, the paths whose parts come from `carry` (as it wrote them). */
  const carried = new Map<string, string[]>();
  if (carry) {
    for (const name of carry.names) {
      const mine = subjects.get(name);
      const paths: string[] = [];
      for (const path of carry.memoParts(name)?.paths() ?? []) {
        if (carry.stale.has(path) || mine?.has(path)) continue;
        const hash = carry.hashes[path];
        // A hash another part of the file has anew (it changed while the run read it): not carried.
        if (hash === undefined || (hashes.get(path) ?? hash) !== hash) continue;
        hashes.set(path, hash);
        paths.push(path);
      }
      if (paths.length === 0) continue;
      carried.set(name, paths);
      if (mine) for (const p of paths) mine.add(p);
      else subjects.set(name, new Set(paths));
    }
  }
  const parts = new Streamed((out) => {
    // The key order JSON.parse gives `hashes` back in (integer-like keys first): `at` indexes it.
    const table: Record<string, string> = {};
    for (const [path, hash] of hashes) table[path] = hash;
    const index = new Map<string, number>();
    let sep = '{';
    out('{"hashes":');
    for (const path in table) {
      index.set(path, index.size);
      out(`${sep}${JSON.stringify(path)}:${JSON.stringify(table[path])}`);
      sep = ',';
    }
    out(`${sep === '{' ? '{}' : '}'},"byMemo":`);
    let outer = '{';
    for (const name of new Set([...byMemo.keys(), ...carried.keys()])) {
      const entries: [string, PartValue][] = [];
      for (const key of byMemo.get(name) ?? []) {
        const e = all[key]!;
        entries.push([key.slice(name.length + 1), e.value === undefined ? e.digest : [e.digest, e.value]]);
      }
      const held = carry?.memoParts(name);
      for (const path of carried.get(name) ?? []) entries.push([path, held!.get(path)!]);
      // The digest most parts have without a value, written once.
      const counts = new Map<string, number>();
      for (const [, v] of entries) if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
      let d = '';
      let most = 0;
      for (const [digest, n] of counts) if (n > most) [d, most] = [digest, n];
      const at: number[] = [];
      let x = '{';
      for (const [path, v] of entries) {
        if (v === d) at.push(index.get(path)!);
        else {
          x += `${x === '{' ? '' : ','}${JSON.stringify(path)}:${JSON.stringify(v)}`;
        }
      }
      at.sort((i, j) => i - j);
      out(`${outer}${JSON.stringify(name)}:{"d":${JSON.stringify(d)},"at":${at.length === index.size ? '"*"' : JSON.stringify(at)},"x":${x}}}`);
      outer = ',';
    }
    out(outer === '{' ? '{}}' : '}}');
  });
  const holdsSame = (held: MemoParts | undefined, name: string): boolean => {
    if ((held?.size ?? 0) !== (subjects.get(name)?.size ?? 0)) return false;
    // Carried parts are the held ones; those of `all` must be held at the same digest (then, as
    // many in all, the two sets are the same).
    for (const key of byMemo.get(name) ?? []) {
      const v = held?.get(key.slice(name.length + 1));
      if (v === undefined || digestOf(v) !== all[key]!.digest) return false;
    }
    return true;
  };
  const digest = (name: string, path: string): string | undefined => {
    const e = all[`${name}\0${path}`];
    if (e) return e.digest;
    const v = carry?.memoParts(name)?.get(path);
    return v === undefined ? undefined : digestOf(v);
  };
  return { memos, parts, subjects, digest, holdsSame };
}

/** The hash of `path` when `deps` read that file and nothing else (a memo part that can be packed and shared); else undefined. */
export function ownFileHash(deps: Dependencies, path: string): string | undefined {
  return !deps.fileList && onlyKey(deps.files) === path && isEmpty(deps.memos) ? deps.files[path] : undefined;
}

/** The record's single key; undefined when it has none or several. */
function onlyKey(r: Record<string, unknown>): string | undefined {
  let only: string | undefined;
  for (const k in r) {
    if (only !== undefined) return undefined;
    only = k;
  }
  return only;
}

function isEmpty(r: Record<string, unknown>): boolean {
  for (const _ in r) return false;
  return true;
}

function load(path: string, key: string): CacheData | undefined {
  try {
    const data = JSON.parse(readUtf8(readFileSync(path))) as CacheData;
    if (data.format !== FORMAT || data.key !== key || typeof data.files !== 'object' || typeof data.memos !== 'object') return undefined;
    return data;
  } catch {
    return undefined;
  }
}

function prune(dir: string): void {
  const now = Date.now();
  const entries = readdirSync(dir)
    .filter((n) => n.endsWith('.json') || n.endsWith('.tmp'))
    .map((n) => {
      try {
        return { n, t: statSync(join(dir, n)).mtimeMs };
      } catch {
        return { n, t: 0 };
      }
    });
  const stale = entries.filter((e) => e.n.endsWith('.tmp') && now - e.t > 10 * 60_000);
  const jsons = entries.filter((e) => e.n.endsWith('.json')).sort((a, b) => b.t - a.t);
  for (const e of [...stale, ...jsons.slice(KEEP_FILES)]) {
    try {
      unlinkSync(join(dir, e.n));
    } catch {
      // another run pruned it
    }
  }
}
