/**
 * Direct dependencies resolved to versions (lockfile first, then an exact pin, else the lowest
 * version the requirement admits) and matched against the shipped advisory table
 * (src/data/advisories.ts). npm ranges use `semver`; Python requirements use PEP 440
 * (src/engine/pep440.ts), with Poetry's caret/tilde forms converted.
 */
import semver from 'semver';
import { ADVISORIES } from '../data/advisories.js';
import type { Advisory } from '../data/schema.js';
import { normalizePyName } from '../parsers/requirements.js';
import type { App, Dependency, ProjectFacts } from './facts.js';
import { lockedVersions, lockfilesOf, type Lockfile } from './lockfiles.js';
import { compareVersions, hasUpperBound, lowerBound, parseSpecifiers, parseVersion, pinnedVersion, poetryToPep440, satisfies, satisfiesAny } from './pep440.js';

export interface ResolvedDependency {
  readonly dep: Dependency;
  /** Advisory-table key: npm name, or PEP 503 name. */
  readonly key: string;
  /** Normalised range: a semver range (npm) or a PEP 440 specifier set (Python); undefined for URLs, git, aliases. */
  readonly range: string | undefined;
  /** Version the lockfile resolves, or the exact pin. */
  readonly resolved: { readonly version: string; readonly from: 'lock' | 'pin'; readonly lockfile?: string } | undefined;
  /** Lowest version the range admits. */
  readonly floor: string | undefined;
  /** The range has no upper bound (`*`, `latest`, `>=2`, no specifier). */
  readonly unbounded: boolean;
}

export interface AdvisoryMatch {
  readonly advisory: Advisory;
  /** `resolved`: the installed version is affected; `allowed`: no lock/pin, and the lowest admitted version is affected. */
  readonly mode: 'resolved' | 'allowed';
  readonly version: string;
}

/** A Python requirement as written in requirements/pyproject/Poetry/Pipfile, as a PEP 440 set. */
export function pythonRange(spec: string): string | undefined {
  const s = spec.trim();
  if (s === '' || s === '*') return '';
  if (/^[<>=!~]/.test(s) && !/^~(?!=)/.test(s)) return parseSpecifiers(s) ? s : undefined;
  return poetryToPep440(s);
}

/** An npm dependency spec as a semver range; undefined for git/URL/file/workspace/alias specs. */
export function npmRange(spec: string): string | undefined {
  const s = spec.trim();
  if (s === '' || s === 'latest' || s === '*' || s === 'x') return '*';
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|https?:|file:|link:|workspace:|npm:|portal:|patch:)/.test(s) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(s)) return undefined;
  return semver.validRange(s) ?? undefined;
}

export function resolveDependencies(facts: ProjectFacts, app: App): ResolvedDependency[] {
  const locks = lockfilesOf(facts, app);
  const cache = new Map<Lockfile, Map<string, string>>();
  const lockFor = (eco: 'node' | 'python', key: string) => {
    for (const l of locks.filter((x) => x.ecosystem === eco)) {
      let m = cache.get(l);
      if (!m) cache.set(l, (m = lockedVersions(facts, app, l)));
      const v = m.get(key);
      if (v) return { version: v, lockfile: l.path };
    }
    return undefined;
  };
  const out: ResolvedDependency[] = [];
  for (const dep of app.dependencies.values()) {
    if (dep.ecosystem === 'node') {
      const range = npmRange(dep.spec);
      const locked = lockFor('node', dep.name);
      // A lock entry the manifest no longer admits is stale: the next install re-resolves it.
      const lock = locked && (!range || range === '*' || safeSatisfies(locked.version, range)) ? locked : undefined;
      const exact = range && range !== '*' && semver.valid(dep.spec.trim().replace(/^=/, '')) ? semver.valid(dep.spec.trim().replace(/^=/, ''))! : undefined;
      let floor: string | undefined;
      try {
        floor = range && range !== '*' ? (semver.minVersion(range)?.version ?? undefined) : undefined;
      } catch {
        floor = undefined;
      }
      out.push({
        dep,
        key: dep.name,
        range,
        resolved: lock ? { ...lock, from: 'lock' } : exact ? { version: exact, from: 'pin' } : undefined,
        floor,
        unbounded: range === '*' || (range !== undefined && npmUnbounded(range)),
      });
    } else {
      const key = normalizePyName(dep.name);
      const isUrl = /^[a-z+]+:\/\//i.test(dep.spec) || dep.spec.startsWith('git+');
      const range = isUrl ? undefined : pythonRange(dep.spec);
      const set = range !== undefined ? parseSpecifiers(range) : undefined;
      const locked = lockFor('python', key);
      const lock = locked && (!set || set.length === 0 || satisfies(locked.version, set, { prereleases: true })) ? locked : undefined;
      const pin = set ? pinnedVersion(set) : undefined;
      out.push({
        dep,
        key,
        range,
        resolved: lock ? { ...lock, from: 'lock' } : pin && !pin.includes('*') ? { version: pin, from: 'pin' } : undefined,
        floor: set ? lowerBound(set) : undefined,
        unbounded: set !== undefined && !hasUpperBound(set),
      });
    }
  }
  return out;
}

function safeSatisfies(version: string, range: string): boolean {
  try {
    return semver.satisfies(version, range, { includePrerelease: true });
  } catch {
    return false;
  }
}

function npmUnbounded(range: string): boolean {
  try {
    // No upper bound: the range admits an absurdly high major.
    return semver.satisfies('99999.0.0', range);
  } catch {
    return false;
  }
}

export const tableFor = (r: Pick<ResolvedDependency, 'dep'>) => r.dep.ecosystem === 'node' ? 'npm' : 'pypi';

function affects(a: Advisory, version: string): boolean {
  if (a.ecosystem === 'npm') {
    const v = semver.valid(version) ?? semver.coerce(version)?.version;
    return !!v && semver.satisfies(v, a.affected, { includePrerelease: true });
  }
  return satisfiesAny(version, a.affected);
}

/** Advisories of the table that hit a dependency: by its resolved version, else by the lowest version its range admits. */
export function advisoriesFor(r: ResolvedDependency): AdvisoryMatch[] {
  const eco = tableFor(r);
  const list = ADVISORIES.advisories.filter((a) => a.ecosystem === eco && a.package === r.key);
  if (!list.length) return [];
  const version = r.resolved?.version ?? r.floor;
  if (!version) return [];
  const mode = r.resolved ? 'resolved' : 'allowed';
  return list.filter((a) => affects(a, version)).map((advisory) => ({ advisory, mode, version }));
}

/** Compare two versions of an ecosystem (semver for npm, PEP 440 for PyPI). */
export const compareVersion = (eco: 'npm' | 'pypi', a: string, b: string): number => {
  if (eco === 'npm') return semver.compare(semver.coerce(a)?.version ?? '0.0.0', semver.coerce(b)?.version ?? '0.0.0');
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x && y ? compareVersions(x, y) : 0;
};

/**
 * The first version at or above `from` that no advisory of the table affects: the smallest fixed
 * version above it, repeated while the candidate is itself affected (Next 15.1.0 -> 15.2.3 -> 15.2.6).
 */
export function firstSafeVersion(eco: 'npm' | 'pypi', pkg: string, from: string): string | undefined {
  const list = ADVISORIES.advisories.filter((a) => a.ecosystem === eco && a.package === pkg);
  let cur = from;
  for (let i = 0; i < 20; i++) {
    const hits = list.filter((a) => affects(a, cur));
    if (!hits.length) return cur === from ? undefined : cur;
    const next = hits
      .map((a) => a.fixed.filter((f) => compareVersion(eco, f, cur) > 0).sort((x, y) => compareVersion(eco, x, y))[0])
      .filter((x): x is string => !!x)
      .sort((x, y) => compareVersion(eco, x, y))
      .at(-1);
    if (!next) return undefined;
    cur = next;
  }
  return undefined;
}

/** Newest version named anywhere in the shipped table for a package (newest known release or highest fixed version). */
export function newestInTable(eco: 'npm' | 'pypi', pkg: string): string | undefined {
  const versions = [...ADVISORIES.advisories.filter((a) => a.ecosystem === eco && a.package === pkg).flatMap((a) => a.fixed)];
  const known = ADVISORIES.newest[pkg];
  if (known) versions.push(known);
  return versions.sort((a, b) => compareVersion(eco, a, b)).at(-1);
}

/** Is this package covered by the advisory table at all? */
export const inTable = (eco: 'npm' | 'pypi', pkg: string): boolean => ADVISORIES.advisories.some((a) => a.ecosystem === eco && a.package === pkg);
