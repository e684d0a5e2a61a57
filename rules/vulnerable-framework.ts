import semver from 'semver';
import { ADVISORIES } from '../src/data/advisories.js';
import { advisoriesFor, firstSafeVersion, npmRange, pythonRange, resolveDependencies, tableFor, type AdvisoryMatch, type ResolvedDependency } from '../src/engine/advisories.js';
import { lockfilesOf } from '../src/engine/lockfiles.js';
import { lowerBound, parseSpecifiers, satisfies } from '../src/engine/pep440.js';
import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import type { Fix, Severity, TextRange } from '../src/engine/types.js';
import { lineBounds, lineRange } from './_shared/manifest.js';

const RELOCK: Record<string, string> = {
  npm: 'npm install',
  pnpm: 'pnpm install',
  yarn: 'yarn install',
  bun: 'bun install',
  poetry: 'poetry lock',
  uv: 'uv lock',
  pdm: 'pdm lock',
  pipenv: 'pipenv lock',
  'pip-tools': 'pip-compile',
};

export default defineRule({
  meta: {
    id: 'vulnerable-framework',
    title: 'Framework version with a known critical or high advisory',
    category: 'security',
    severity: 'high',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'hours',
    cwe: ['CWE-1395'],
    messages: {
      resolved: '{name} {version} ({from}) is affected by {ids}: {impact} First safe version: {safe} (advisory table of {asOf}).',
      allowed: '{name} "{spec}" admits {version}, which is affected by {ids}: {impact} First safe version: {safe} (advisory table of {asOf}).',
    },
    docs: {
      why:
        'The frameworks and auth libraries a backend is built on are where a single published advisory turns into remote code execution, an authentication bypass or a one-request denial of service for every app that has not upgraded: Next.js middleware bypass (CVE-2025-29927) and React Server Components RCE (CVE-2025-66478), Django SQL injection through QuerySet keyword arguments, Werkzeug and Starlette multipart denial of service, jsonwebtoken and PyJWT key confusion. Exploits for these are public and scanned for. The rule checks direct dependencies against a curated table shipped with the tool (advisory id, affected range, first fixed version, impact): the version a lockfile resolves, else an exact pin, else the lowest version the requirement admits. Python ranges are evaluated with PEP 440 rules, npm ranges with semver. It is not a replacement for `npm audit` or `pip-audit`, which see every transitive package.',
      fix:
        'Upgrade to the first safe version named in the finding (or the newest release of the same line) and regenerate the lockfile. The automatic fix raises the version in the manifest (requirements.txt, package.json, pyproject.toml, Pipfile); it is unsafe because an upgrade can change behaviour: run the test suite, then re-lock (`npm install`, `poetry lock`, `uv lock`, `pip-compile`, ...).',
      whenNotTo:
        'An advisory whose vulnerable feature the app cannot reach (the Werkzeug debugger advisory only matters where the debugger runs); suppress the finding with that reason rather than leaving it unread.',
      references: [
        'https://github.com/advisories',
        'https://osv.dev/',
        'https://docs.djangoproject.com/en/dev/releases/security/',
        'https://cwe.mitre.org/data/definitions/1395.html',
      ],
      examples: [
        { file: 'requirements.txt', bad: 'flask==2.2.2', good: 'flask==2.2.5' },
        { file: 'package.json', bad: '"next": "15.1.0"', good: '"next": "15.2.6"' },
      ],
    },
  },
  check: {
    project(ctx) {
      for (const app of ctx.project.apps) {
        for (const r of resolveDependencies(ctx.project, app)) {
          if (r.dep.dev || !r.dep.line) continue;
          const matches = advisoriesFor(r);
          if (!matches.length) continue;
          const text = ctx.project.readText(r.dep.file);
          if (text === undefined) continue;
          const eco = tableFor(r);
          const version = matches[0]!.version;
          const safe = firstSafeVersion(eco, r.key, version) ?? matches.map((m) => m.advisory.fixed.at(-1)!).join(' / ');
          const worst = worstSeverity(matches);
          const at = specRange(text, r) ?? lineRange(text, r.dep.line);
          const fix = bumpFix(ctx.project, app, text, r, safe);
          ctx.report({
            messageId: matches[0]!.mode,
            file: r.dep.file,
            at,
            severity: matches[0]!.mode === 'resolved' ? worst : 'medium',
            confidence: matches[0]!.mode === 'resolved' ? 'high' : 'medium',
            data: {
              name: r.dep.name,
              version,
              from: r.resolved?.from === 'lock' && r.resolved.lockfile !== r.dep.file ? `locked in ${r.resolved.lockfile}` : `pinned in ${r.dep.file}`,
              spec: r.dep.spec,
              ids: matches.map((m) => `${m.advisory.id} (${m.advisory.severity})`).join(', '),
              impact: matches[0]!.advisory.impact,
              safe,
              asOf: ADVISORIES.asOf,
            },
            ...(fix ? { fix } : {}),
          });
        }
      }
    },
  },
});

function worstSeverity(matches: readonly AdvisoryMatch[]): Severity {
  return matches.some((m) => m.advisory.severity === 'critical') ? 'critical' : 'high';
}

/** The version literal of the requirement's lower bound on its manifest line, after the package name. */
function floorToken(text: string, r: ResolvedDependency): { range: TextRange; value: string } | undefined {
  const b = lineBounds(text, r.dep.line!);
  const line = text.slice(b.start, b.end);
  const nameAt = line.toLowerCase().indexOf(r.dep.name.toLowerCase());
  if (nameAt === -1) return undefined;
  const floor = r.floor ?? (r.range ? (r.dep.ecosystem === 'node' ? semver.minVersion(r.range)?.version : lowerBound(parseSpecifiers(r.range) ?? [])) : undefined);
  const spec = r.dep.spec;
  // The first version literal in the spec as written ("^4.16.0" -> 4.16.0, ">=2.0,<3" -> 2.0).
  const literal = /\d+(?:\.\d+)*(?:[-.]?[A-Za-z]+\.?\d*)?/.exec(spec)?.[0];
  if (!literal || !floor) return undefined;
  const from = line.indexOf(literal, nameAt + r.dep.name.length);
  if (from === -1) return undefined;
  return { range: { start: b.start + from, end: b.start + from + literal.length }, value: literal };
}

function specRange(text: string, r: ResolvedDependency): TextRange | undefined {
  return floorToken(text, r)?.range;
}

/** Raise the requirement's lower bound to the first safe version, when the edited requirement then admits it and nothing older. */
function bumpFix(facts: ProjectFacts, app: App, text: string, r: ResolvedDependency, safe: string): Fix | undefined {
  if (!/^\d/.test(safe)) return undefined;
  const tok = floorToken(text, r);
  if (!tok) return undefined;
  const spec = r.dep.spec;
  const edited = spec.replace(tok.value, safe);
  if (r.dep.ecosystem === 'node') {
    const range = npmRange(edited);
    if (!range || range === '*' || !semver.satisfies(safe, range) || semver.minVersion(range)?.version !== safe) return undefined;
  } else {
    const range = pythonRange(edited);
    const set = range !== undefined ? parseSpecifiers(range) : undefined;
    if (!set || !satisfies(safe, set, { prereleases: true }) || lowerBound(set) !== safe) return undefined;
  }
  const lock = lockfilesOf(facts, app).find((l) => l.ecosystem === r.dep.ecosystem && l.manager !== 'pip-tools');
  return {
    title: `Require ${r.dep.name} ${safe} or later`,
    applicability: 'unsafe',
    edits: [{ start: tok.range.start, end: tok.range.end, text: safe }],
    ...(lock ? { followUp: `${RELOCK[lock.manager]} (regenerate ${lock.path}), then run the tests` } : { followUp: 'reinstall dependencies and run the tests' }),
  };
}
