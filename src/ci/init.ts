/**
 * `prodaudit init`: audit the folder once to detect its apps and frameworks, then write a
 * commented `.prodaudit.yml`: the gate thresholds set from what it found, the rules that apply
 * to the detected frameworks (commented, with their current finding counts), the deployment
 * context keys and the per-app section, each with a line saying what it does.
 */
import type { AuditResult } from '../engine/result.js';
import type { AnyRule } from '../engine/rule.js';
import { CONTEXT_DOCS, CONTEXT_KEYS, type Framework } from '../engine/types.js';

export const SCHEMA_URL = 'https://unpkg.com/prodaudit/schema/prodaudit.schema.json';

export function initConfig(result: AuditResult, rules: readonly AnyRule[]): string {
  const frameworks = new Set(result.apps.flatMap((a) => a.frameworks)) as Set<Framework>;
  const detected = result.apps.map((a) => `${a.frameworks.join(', ') || a.ecosystems.join(', ') || 'no framework'} (${a.root || '.'})`).join('; ');
  const counts = new Map<string, number>();
  for (const f of result.findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  const relevant = rules.filter((r) => !r.meta.frameworks || r.meta.frameworks.some((f) => frameworks.has(f)));
  const w = Math.max(0, ...relevant.map((r) => r.meta.id.length + r.meta.severity.length + 2));
  const moots = (key: string) => rules.filter((r) => r.meta.mootWhen?.includes(key as never)).map((r) => r.meta.id);
  const L: string[] = [];
  L.push(`# yaml-language-server: $schema=${SCHEMA_URL}`);
  L.push('# prodaudit configuration, written by `prodaudit init`. Every key is optional.');
  L.push(`# Detected: ${detected || 'no app'}.`);
  L.push(`# Score when this file was written: ${result.score ?? 'n/a'}/100 (grade ${result.grade}), ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}.`);
  L.push('');
  L.push('# Exit 1 when a finding at or above this severity is open (with --ci): off, info, low, medium, high, critical.');
  L.push('failOn: high');
  L.push('# Exit 1 when the overall score is below this (0-100).');
  L.push(result.score !== null ? `minScore: ${Math.max(0, Math.floor(result.score / 10) * 10)}` : '# minScore: 70');
  L.push("# Exit 1 when the score drops below the baseline's (`prodaudit baseline` writes one; CI then fails only on new findings).");
  L.push('# baseline: .prodaudit-baseline.json');
  L.push('# failOnRegression: true');
  L.push('');
  L.push(`# Rule levels (info, low, medium, high, critical) or off. The ${relevant.length} rules that apply to what was detected:`);
  L.push('rules:');
  for (const r of relevant) {
    const n = counts.get(r.meta.id);
    L.push(`#   ${`${r.meta.id}: ${r.meta.severity}`.padEnd(w)}  # ${r.meta.title}${n ? ` (${n} now)` : ''}`);
  }
  L.push('');
  L.push('# gitignore-style patterns to skip, on top of .gitignore (tests, examples and dev config are already left out).');
  L.push('ignore: []');
  L.push('');
  L.push('# Deployment facts the repository cannot show. Rules a fact makes moot are reported as not applicable,');
  L.push('# with the reason you give here (true, or the reason as a string).');
  L.push('context:');
  for (const k of CONTEXT_KEYS) {
    const m = moots(k);
    L.push(`#   ${k}: "..."   # ${CONTEXT_DOCS[k]}${m.length ? `; makes moot: ${m.join(', ')}` : ''}`);
  }
  L.push('');
  L.push('# prodaudit-ignore comments: require a reason, and report the ones that suppress nothing.');
  L.push('# suppressions:');
  L.push('#   requireReasons: true');
  L.push('#   reportUnused: true');
  if (result.apps.length > 1 || result.apps.some((a) => a.root)) {
    L.push('');
    L.push('# Per-app settings, keyed by app folder; they win over the top-level ones inside that app.');
    L.push('# apps:');
    for (const a of result.apps) {
      L.push(`#   ${a.root || '.'}:${a.score !== null ? `   # now ${a.score}/100` : ''}`);
      L.push('#     minScore: 70');
      L.push('#     rules: {}');
    }
  }
  return `${L.join('\n')}\n`;
}
