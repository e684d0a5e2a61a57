/**
 * PEP 440 versions and specifiers (https://peps.python.org/pep-0440/), the subset pip and
 * packaging implement: `==`, `!=`, `~=`, `<`, `<=`, `>`, `>=`, `===`, `==1.2.*` prefix
 * matching, epochs, pre/post/dev releases, local versions (`+ubuntu1`, ignored except by `==`
 * with a local label and `===`). Plus Poetry's caret/tilde/bare-version forms, converted to
 * PEP 440. Environment markers and extras are stripped before evaluation: they choose *whether*
 * a requirement applies, not which versions it allows.
 */

export interface Pep440Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly ['a' | 'b' | 'rc', number] | undefined;
  readonly post: number | undefined;
  readonly dev: number | undefined;
  readonly local: readonly (string | number)[] | undefined;
  readonly text: string;
}

const VERSION =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:(?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

export function parseVersion(text: string): Pep440Version | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  const preTag = m[3]?.toLowerCase();
  const pre: Pep440Version['pre'] = preTag
    ? [preTag === 'alpha' || preTag === 'a' ? 'a' : preTag === 'beta' || preTag === 'b' ? 'b' : 'rc', Number(m[4] ?? 0)]
    : undefined;
  const post = m[5] !== undefined ? Number(m[5]) : m[6] !== undefined ? Number(m[7] ?? 0) : undefined;
  const dev = m[8] !== undefined ? Number(m[9] ?? 0) : undefined;
  const local = m[10] ? m[10].toLowerCase().split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : undefined;
  return { epoch: Number(m[1] ?? 0), release: m[2]!.split('.').map(Number), pre, post, dev, local, text: text.trim() };
}

export const isPrerelease = (v: Pep440Version): boolean => v.pre !== undefined || v.dev !== undefined;

function cmpRelease(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

const PRE_ORDER = { a: 0, b: 1, rc: 2 } as const;

/** Sort key pieces as `packaging` defines them: dev-only releases sort before pre-releases, post after. */
function cmpSuffix(a: Pep440Version, b: Pep440Version): number {
  // pre: a dev-only release (no pre, no post) sorts before any pre-release; a final release after.
  const preKey = (v: Pep440Version): [number, number, number] =>
    v.pre ? [1, PRE_ORDER[v.pre[0]], v.pre[1]] : v.post === undefined && v.dev !== undefined ? [0, 0, 0] : [2, 0, 0];
  const pa = preKey(a);
  const pb = preKey(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  const postA = a.post ?? -1;
  const postB = b.post ?? -1;
  if (postA !== postB) return postA < postB ? -1 : 1;
  const devA = a.dev ?? Number.POSITIVE_INFINITY;
  const devB = b.dev ?? Number.POSITIVE_INFINITY;
  if (devA !== devB) return devA < devB ? -1 : 1;
  return 0;
}

function cmpLocal(a: Pep440Version, b: Pep440Version): number {
  if (!a.local && !b.local) return 0;
  if (!a.local) return -1;
  if (!b.local) return 1;
  const n = Math.max(a.local.length, b.local.length);
  for (let i = 0; i < n; i++) {
    const x = a.local[i];
    const y = b.local[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return 1; // numeric segments sort after alphanumeric ones
    if (typeof y === 'number') return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function compareVersions(a: Pep440Version, b: Pep440Version, withLocal = true): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return cmpRelease(a.release, b.release) || cmpSuffix(a, b) || (withLocal ? cmpLocal(a, b) : 0);
}

const publicOf = (v: Pep440Version): Pep440Version => (v.local ? { ...v, local: undefined } : v);
const baseOf = (v: Pep440Version): Pep440Version => ({ ...v, pre: undefined, post: undefined, dev: undefined, local: undefined });

export type Operator = '===' | '==' | '!=' | '~=' | '<=' | '>=' | '<' | '>';
export interface Specifier {
  readonly op: Operator;
  readonly version: string;
}

const SPEC = /^(===|==|!=|~=|<=|>=|<|>)\s*(\S+)$/;

/**
 * A specifier set as written ("==3.0.3", ">=2,<3", "~=1.4.2, !=1.4.5"); markers after `;`,
 * extras in brackets and surrounding parentheses are stripped. Undefined when not parseable.
 */
export function parseSpecifiers(text: string): Specifier[] | undefined {
  const body = text.split(';')[0]!.replace(/\[[^\]]*\]/g, '').replace(/[()]/g, '').trim();
  if (body === '') return [];
  const out: Specifier[] = [];
  for (const raw of body.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const m = SPEC.exec(part.replace(/\s+/g, ''));
    if (!m) return undefined;
    const op = m[1] as Operator;
    const version = m[2]!;
    if (op !== '===' && !(op === '==' || op === '!=' ? /^v?\d/i.test(version) && parseVersion(version.replace(/\.\*$/, '')) : parseVersion(version))) return undefined;
    if (op === '~=' && (parseVersion(version)?.release.length ?? 0) < 2) return undefined;
    out.push({ op, version });
  }
  return out;
}

function matchesOne(v: Pep440Version, s: Specifier, plain = false): boolean {
  if (s.op === '===') return v.text.toLowerCase() === s.version.toLowerCase();
  if (s.op === '==' || s.op === '!=') {
    let eq: boolean;
    if (s.version.endsWith('.*')) {
      const prefix = parseVersion(s.version.slice(0, -2))!;
      const cand = publicOf(v);
      eq = cand.epoch === prefix.epoch && prefixMatch(cand, prefix);
    } else {
      const spec = parseVersion(s.version)!;
      eq = compareVersions(spec.local ? v : publicOf(v), spec) === 0;
    }
    return s.op === '==' ? eq : !eq;
  }
  const spec = parseVersion(s.version)!;
  const cand = publicOf(v);
  switch (s.op) {
    case '~=': {
      const prefix = { ...spec, release: spec.release.slice(0, -1), pre: undefined, post: undefined, dev: undefined };
      return compareVersions(cand, spec) >= 0 && cand.epoch === spec.epoch && prefixMatch(cand, prefix);
    }
    case '>=':
      return compareVersions(cand, spec) >= 0;
    case '<=':
      return compareVersions(cand, spec) <= 0;
    case '<':
      if (compareVersions(cand, spec) >= 0) return false;
      if (plain) return true;
      // "<3.0" excludes 3.0 pre-releases unless the bound is itself a pre-release.
      return isPrerelease(spec) || !isPrerelease(cand) || compareVersions(baseOf(cand), baseOf(spec)) !== 0;
    case '>':
      if (compareVersions(cand, spec) <= 0) return false;
      if (plain) return true;
      // ">1.7" excludes 1.7.post1 unless the bound is a post-release.
      return spec.post !== undefined || cand.post === undefined || compareVersions(baseOf(cand), baseOf(spec)) !== 0;
  }
}

/** Release-segment prefix match with zero padding of the candidate ("1.1" matches "1.1.*", "1.1.0" too). */
function prefixMatch(cand: Pep440Version, prefix: Pep440Version): boolean {
  const want = prefix.release;
  for (let i = 0; i < want.length; i++) if ((cand.release[i] ?? 0) !== want[i]) return false;
  // "==1.1a1.*" style prefixes also constrain the suffix.
  if (prefix.pre && (!cand.pre || cand.pre[0] !== prefix.pre[0] || cand.pre[1] !== prefix.pre[1])) return false;
  return true;
}

export interface MatchOptions {
  /**
   * Let pre-releases match. PEP 440's default (undefined) admits them only when a specifier
   * names a pre-release itself; advisory ranges pass `true` (a 2.3.2rc1 is as affected as 2.3.1).
   */
  readonly prereleases?: boolean;
  /**
   * Compare `<`/`>` by plain version order, as advisory databases (OSV "introduced/fixed")
   * do: 2.3.2rc1 is below "<2.3.2". PEP 440's exclusive-bound rules apply otherwise.
   */
  readonly plainOrdering?: boolean;
}

/** Does `version` satisfy every specifier of the set? */
export function satisfies(version: string | Pep440Version, specs: readonly Specifier[] | string, options: MatchOptions = {}): boolean {
  const v = typeof version === 'string' ? parseVersion(version) : version;
  const set = typeof specs === 'string' ? parseSpecifiers(specs) : specs;
  if (!v || !set) return false;
  const pre = options.prereleases ?? set.some((s) => s.op !== '!=' && s.op !== '===' && !s.version.endsWith('.*') && isPrerelease(parseVersion(s.version)!));
  if (isPrerelease(v) && !pre) return false;
  return set.every((s) => matchesOne(v, s, options.plainOrdering));
}

/** An advisory range: specifier sets joined by `||` ("<2.2.5 || >=2.3.0,<2.3.2"). */
export function satisfiesAny(version: string, ranges: string, options: MatchOptions = { prereleases: true, plainOrdering: true }): boolean {
  return ranges.split('||').some((r) => satisfies(version, r.trim(), options));
}

/** Exactly one version pinned ("==3.0.3", "===3.0.3"), not a wildcard. */
export function pinnedVersion(specs: readonly Specifier[]): string | undefined {
  const eq = specs.find((s) => (s.op === '==' && !s.version.endsWith('.*')) || s.op === '===');
  return eq?.version;
}

/** The lowest version a set admits, when it has a lower bound ("~=2.2" -> 2.2, ">2" -> undefined). */
export function lowerBound(specs: readonly Specifier[]): string | undefined {
  const pin = pinnedVersion(specs);
  if (pin) return pin;
  let best: Pep440Version | undefined;
  for (const s of specs) {
    let cand: Pep440Version | undefined;
    if (s.op === '>=' || s.op === '~=') cand = parseVersion(s.version);
    else if (s.op === '==' && s.version.endsWith('.*')) cand = parseVersion(s.version.slice(0, -2));
    if (cand && (!best || compareVersions(cand, best) > 0)) best = cand;
  }
  return best ? best.text.replace(/^v/i, '') : undefined;
}

/** Does the set cap versions from above (`<`, `<=`, `~=`, `==` incl. wildcards, `===`)? */
export function hasUpperBound(specs: readonly Specifier[]): boolean {
  return specs.some((s) => s.op === '<' || s.op === '<=' || s.op === '~=' || s.op === '==' || s.op === '===');
}

/**
 * Poetry constraint -> PEP 440 set: "^1.2.3" (>=1.2.3,<2.0.0), "^0.2.3" (>=0.2.3,<0.3.0),
 * "~1.2.3" (>=1.2.3,<1.3.0), "1.2.3" (==1.2.3), "1.2.*", "*", and PEP 440 forms unchanged.
 */
export function poetryToPep440(spec: string): string | undefined {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const out: string[] = [];
  for (const p of parts.length ? parts : ['*']) {
    if (p === '*') continue;
    let m = /^\^\s*v?(\d+(?:\.\d+)*)(.*)$/.exec(p);
    if (m) {
      const rel = m[1]!.split('.').map(Number);
      const i = rel.findIndex((x) => x !== 0);
      const idx = i === -1 ? rel.length - 1 : i;
      const upper = rel.slice(0, idx + 1);
      upper[idx] = upper[idx]! + 1;
      out.push(`>=${m[1]}${m[2]}`, `<${upper.join('.')}`);
      continue;
    }
    m = /^~(?!=)\s*v?(\d+(?:\.\d+)*)(.*)$/.exec(p);
    if (m) {
      const rel = m[1]!.split('.').map(Number);
      const upper = rel.length > 1 ? [rel[0]!, rel[1]! + 1] : [rel[0]! + 1];
      out.push(`>=${m[1]}${m[2]}`, `<${upper.join('.')}`);
      continue;
    }
    if (/^v?\d/.test(p)) {
      out.push(`==${p}`);
      continue;
    }
    out.push(p);
  }
  const joined = out.join(',');
  return parseSpecifiers(joined) ? joined : undefined;
}
