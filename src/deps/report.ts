/**
 * `prodaudit deps`: runtimes and direct dependencies per app, with the version each resolves to
 * (lockfile or exact pin), the newest version the shipped advisory table names, EOL status of
 * every runtime pin, and the advisories that hit. Offline: everything comes from the repository
 * and the dated tables in src/data/. Renders as text, JSON or markdown (pure functions).
 */
import { ADVISORIES } from '../data/advisories.js';
import { NODE_RUNTIMES, PYTHON_RUNTIMES } from '../data/runtimes.js';
import { advisoriesFor, compareVersion, firstSafeVersion, newestInTable, resolveDependencies, tableFor } from '../engine/advisories.js';
import type { App, ProjectFacts } from '../engine/facts.js';
import { inspectProject } from '../engine/inspect.js';
import { LineIndex } from '../engine/lines.js';
import { lockfilesOf } from '../engine/lockfiles.js';
import { collectRuntimePins, judgePin, type RuntimeStatus } from '../engine/runtimes.js';
import { mdTable } from '../reporters/common.js';
import { TOOL_VERSION } from '../version.js';

export const DEPS_SCHEMA_VERSION = 1;

export interface DepsRuntime {
  readonly runtime: 'node' | 'python';
  readonly file: string;
  readonly line: number;
  readonly where: string;
  readonly pin: string;
  /** Newest release line the pin admits (known to the table). */
  readonly cycle: string | null;
  readonly eol: string | null;
  readonly status: RuntimeStatus;
}

export interface DepsAdvisory {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly severity: 'critical' | 'high';
  readonly affected: string;
  readonly fixed: readonly string[];
  readonly impact: string;
  readonly url: string;
  /** `resolved`: the pinned/locked version is affected; `allowed`: the lowest version the requirement admits is. */
  readonly match: 'resolved' | 'allowed';
}

export interface DepsDependency {
  readonly name: string;
  readonly ecosystem: 'node' | 'python';
  readonly spec: string;
  readonly dev: boolean;
  readonly file: string;
  readonly line: number | null;
  /** Version installed: from the lockfile, else an exact pin; null when only a range is known. */
  readonly pinned: string | null;
  readonly pinnedFrom: string | null;
  /** Newest version the shipped advisory table names for this package (null: not covered by the table). */
  readonly newestInTable: string | null;
  /** The pinned version is newer than anything the table names (the table is not a release feed). */
  readonly newerThanTable: boolean;
  readonly advisories: readonly DepsAdvisory[];
  readonly firstSafe: string | null;
}

export interface DepsApp {
  readonly root: string;
  readonly name: string;
  readonly ecosystems: readonly string[];
  readonly lockfiles: readonly { readonly path: string; readonly manager: string }[];
  readonly runtimes: readonly DepsRuntime[];
  readonly dependencies: readonly DepsDependency[];
}

export interface DepsReport {
  readonly schemaVersion: number;
  readonly tool: { readonly name: 'prodaudit'; readonly version: string };
  readonly root: string;
  /** Date EOL status was evaluated at. */
  readonly evaluatedAt: string;
  readonly tables: {
    readonly node: { readonly asOf: string; readonly source: string };
    readonly python: { readonly asOf: string; readonly source: string };
    readonly advisories: { readonly asOf: string; readonly source: string; readonly entries: number };
  };
  readonly apps: readonly DepsApp[];
}

export interface DepsOptions {
  readonly ignore?: readonly string[];
  /** Evaluate EOL status at this date (default: today). */
  readonly today?: Date;
}

/** Scan `root` (discovery and facts of the audit engine, no rules) and build the report. */
export async function dependencyReport(root: string, options: DepsOptions = {}): Promise<DepsReport> {
  const { root: absRoot, value: facts } = await inspectProject(root, { ignore: options.ignore }, (f) => f);
  const today = options.today ?? new Date();
  const pins = collectRuntimePins(facts);
  return {
    schemaVersion: DEPS_SCHEMA_VERSION,
    tool: { name: 'prodaudit', version: TOOL_VERSION },
    root: absRoot,
    evaluatedAt: today.toISOString().slice(0, 10),
    tables: {
      node: { asOf: NODE_RUNTIMES.asOf, source: NODE_RUNTIMES.source },
      python: { asOf: PYTHON_RUNTIMES.asOf, source: PYTHON_RUNTIMES.source },
      advisories: { asOf: ADVISORIES.asOf, source: ADVISORIES.source, entries: ADVISORIES.advisories.length },
    },
    apps: facts.apps.map((app) => appReport(facts, app, pins.filter((p) => facts.appOf(p.file) === app), today)),
  };
}

function appReport(facts: ProjectFacts, app: App, pins: ReturnType<typeof collectRuntimePins>, today: Date): DepsApp {
  const lines = new Map<string, LineIndex>();
  const lineOf = (file: string, offset: number) => {
    let idx = lines.get(file);
    if (!idx) lines.set(file, (idx = new LineIndex(facts.readText(file) ?? '')));
    return idx.position(offset).line;
  };
  const runtimes = pins.map((p): DepsRuntime => {
    const v = judgePin(p, today);
    return { runtime: p.runtime, file: p.file, line: lineOf(p.file, p.at.start), where: p.where, pin: p.raw, cycle: v.cycle?.cycle ?? null, eol: v.cycle?.eol ?? null, status: v.status };
  });
  const dependencies = resolveDependencies(facts, app)
    .map((r): DepsDependency => {
      const eco = tableFor(r);
      const matches = advisoriesFor(r);
      const from = r.resolved?.version ?? r.floor;
      const newest = newestInTable(eco, r.key);
      return {
        name: r.dep.name,
        ecosystem: r.dep.ecosystem,
        spec: r.dep.spec,
        dev: r.dep.dev,
        file: r.dep.file,
        line: r.dep.line ?? null,
        pinned: r.resolved?.version ?? null,
        pinnedFrom: r.resolved ? (r.resolved.from === 'lock' ? (r.resolved.lockfile ?? null) : r.dep.file) : null,
        newestInTable: newest ?? null,
        newerThanTable: !!(newest && r.resolved && compareVersion(eco, r.resolved.version, newest) > 0),
        advisories: matches.map((m) => ({
          id: m.advisory.id,
          aliases: m.advisory.aliases,
          severity: m.advisory.severity,
          affected: m.advisory.affected,
          fixed: m.advisory.fixed,
          impact: m.advisory.impact,
          url: m.advisory.url,
          match: m.mode,
        })),
        firstSafe: matches.length && from ? (firstSafeVersion(eco, r.key, from) ?? null) : null,
      };
    })
    .sort((a, b) => Number(a.dev) - Number(b.dev) || a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name));
  return {
    root: app.root,
    name: app.name,
    ecosystems: [...app.ecosystems].sort(),
    lockfiles: lockfilesOf(facts, app).map((l) => ({ path: l.path, manager: l.manager })),
    runtimes,
    dependencies,
  };
}

const STATUS: Record<RuntimeStatus, string> = { eol: 'EOL', 'near-eol': 'EOL soon', supported: 'supported', unknown: 'unknown' };

function runtimeCells(r: DepsRuntime): string[] {
  return [r.runtime === 'node' ? 'Node.js' : 'Python', r.pin, `${r.file}:${r.line} (${r.where})`, r.cycle ?? '-', r.eol ?? '-', STATUS[r.status]];
}

function depCells(d: DepsDependency): string[] {
  const adv = d.advisories.length ? d.advisories.map((a) => `${a.id} (${a.severity}${a.match === 'allowed' ? ', allowed by range' : ''})`).join(', ') : '-';
  return [
    d.name + (d.dev ? ' (dev)' : ''),
    d.spec || '-',
    d.pinned ? `${d.pinned}${d.pinnedFrom && d.pinnedFrom !== d.file ? ` (${d.pinnedFrom})` : ''}` : '-',
    d.newestInTable ? `${d.newestInTable}${d.newerThanTable ? ' (older than pinned)' : ''}` : '-',
    adv,
    d.firstSafe ?? '-',
  ];
}

const RUNTIME_HEAD = ['Runtime', 'Pin', 'Where', 'Release line', 'EOL', 'Status'];
const DEP_HEAD = ['Package', 'Requirement', 'Pinned', 'Newest in table', 'Advisories', 'First safe'];

function textTable(head: readonly string[], rows: readonly string[][]): string {
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const fmt = (r: readonly string[]) => r.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

function tablesLine(r: DepsReport): string {
  return `EOL tables: Node.js of ${r.tables.node.asOf} (${r.tables.node.source}), Python of ${r.tables.python.asOf} (${r.tables.python.source}); advisory table of ${r.tables.advisories.asOf} (${r.tables.advisories.entries} curated entries). Evaluated ${r.evaluatedAt}.`;
}

export function renderDepsText(r: DepsReport): string {
  const out: string[] = [`prodaudit ${r.tool.version} deps  ${r.root}`, tablesLine(r), ''];
  for (const app of r.apps) {
    out.push(`App ${app.name === '.' ? '(root)' : app.name}  [${app.ecosystems.join(', ') || 'no manifest'}]  lockfiles: ${app.lockfiles.map((l) => l.path).join(', ') || 'none'}`);
    out.push(app.runtimes.length ? textTable(RUNTIME_HEAD, app.runtimes.map(runtimeCells)) : 'No runtime pins found.');
    out.push('');
    out.push(app.dependencies.length ? textTable(DEP_HEAD, app.dependencies.map(depCells)) : 'No dependencies declared.');
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

export function renderDepsMarkdown(r: DepsReport): string {
  const out: string[] = ['# Dependencies and runtimes', '', `_${tablesLine(r)}_`, ''];
  for (const app of r.apps) {
    out.push(`## ${app.name === '.' ? 'Repository root' : app.name}`, '', `Lockfiles: ${app.lockfiles.map((l) => `\`${l.path}\``).join(', ') || '**none**'}`, '');
    out.push('### Runtimes', '', app.runtimes.length ? mdTable(RUNTIME_HEAD, app.runtimes.map(runtimeCells)) : 'No runtime pins found.', '');
    out.push('### Direct dependencies', '', app.dependencies.length ? mdTable(DEP_HEAD, app.dependencies.map(depCells)) : 'No dependencies declared.', '');
  }
  return `${out.join('\n')}\n`;
}

export function renderDepsJson(r: DepsReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export const DEPS_FORMATS = { text: renderDepsText, json: renderDepsJson, markdown: renderDepsMarkdown } as const;
export type DepsFormat = keyof typeof DEPS_FORMATS;
