/**
 * The production-readiness checklist (`prodaudit checklist`, `--format markdown`): the seed
 * documents, generated, for a pull-request comment or a planning doc. Score and grade (with the
 * change against a baseline), quick wins, checkbox items by priority with file links and effort,
 * the environment variables production needs, and the lower priorities collapsed.
 *
 * Stable: no timings, no absolute paths, deterministic order, and a first-line marker
 * (CHECKLIST_MARKER) so a bot can find its comment and update it in place.
 */
import { describeOpportunity } from '../engine/opportunities.js';
import type { AuditResult, Finding } from '../engine/result.js';
import type { AnyRule } from '../engine/rule.js';
import { SEVERITIES, type Severity } from '../engine/types.js';
import { cell, code, countBySeverity, EFFORT_HOURS, EFFORT_LABEL, fileLink, formatHours, ruleMap, scoreDelta } from './common.js';
import type { Reporter } from './index.js';

export const CHECKLIST_MARKER = '<!-- prodaudit:checklist -->';

const HEADING: Record<Severity, string> = {
  critical: '🔴 Critical: must fix before production',
  high: '🟠 High: fix before launch',
  medium: '🟡 Medium: fix soon after launch',
  low: '🔵 Low: improvements',
  info: '⚪ Info: worth knowing',
};
/** Priorities shown open; the rest go in one collapsed section. */
const OPEN: readonly Severity[] = ['critical', 'high'];

export const markdown: Reporter = (result, { rules, linkBase, pathPrefix = '' }) => {
  const meta = ruleMap(rules);
  const out: string[] = [];
  const name = result.root.split(/[\\/]/).filter(Boolean).pop() || result.root;
  const counts = countBySeverity(result.findings);
  const isNew = newSet(result);
  const status = counts.critical > 0 ? 'NOT PRODUCTION READY' : counts.high > 0 ? 'NEEDS WORK' : 'READY (no blocking findings)';
  const effortOf = (f: Finding) => meta.get(f.ruleId)?.meta.effort ?? 'hours';
  const link = (f: Finding) => fileLink(f, linkBase, pathPrefix);

  out.push(CHECKLIST_MARKER);
  out.push(`# Production readiness: ${name}`);
  out.push('');
  out.push(`**${status}** · Score **${result.score ?? 'n/a'}/100**${scoreDelta(result.score, result.baseline?.score)} · Grade **${result.grade}**${result.baseline && result.baseline.grade !== result.grade ? ` (was ${result.baseline.grade})` : ''}`);
  if (result.gradeCap) out.push('', `> Grade ${result.gradeCap}.`);
  out.push('');
  const tally = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(' · ');
  const delta = result.baseline ? ` · 🆕 ${isNew.size} new · ✅ ${result.baseline.fixed.length} fixed since the baseline` : '';
  out.push(`${tally}${delta}`);
  if (result.changedSince) out.push('', `Only findings on lines changed since \`${result.changedSince.ref}\` (${result.changedSince.hidden} others hidden).`);
  out.push('');
  out.push('| Category | Score | Passed | Failed |');
  out.push('| --- | --- | --- | --- |');
  for (const c of result.categories) if (c.passed + c.failed > 0) out.push(`| ${c.category} | ${c.score ?? 'n/a'} | ${c.passed} | ${c.failed} |`);
  if (result.apps.length > 1) {
    out.push('', '| App | Frameworks | Score | Grade | Findings |', '| --- | --- | --- | --- | --- |');
    for (const a of result.apps) out.push(`| ${code(a.root || '.')} | ${a.frameworks.join(', ') || a.ecosystems.join(', ') || '-'} | ${a.score ?? 'n/a'} | ${a.grade} | ${a.findings} |`);
  }

  // Quick wins: high impact (critical/high), low effort (minutes) or an automatic fix.
  const quick = result.findings
    .filter((f) => OPEN.includes(f.severity) && (effortOf(f) === 'minutes' || f.fix))
    .sort((a, b) => Number(!!b.fix) - Number(!!a.fix));
  if (quick.length) {
    out.push('', '## ⚡ Quick wins', '', '_High impact, low effort; 🔧 = `prodaudit --fix` can do it._', '');
    for (const f of quick.slice(0, 10)) out.push(`- ${f.title}: ${f.message} (${link(f)})${f.fix ? ` 🔧 ${f.fix.title}` : ''}`);
    if (quick.length > 10) out.push(`- … and ${quick.length - 10} more below`);
  }
  const ops = (result.opportunities ?? []).filter((o) => o.overallGain > 0 || o.categoryGain > 0).slice(0, 5);
  if (ops.length) {
    out.push('', '## 📈 Biggest score gains', '');
    for (const o of ops) out.push(`- ${describeOpportunity(o)}${o.autoFixable ? ' 🔧' : ''}`);
  }

  let totalHours = 0;
  const rest: string[] = [];
  let restCount = 0;
  let restHours = 0;
  for (const sev of SEVERITIES) {
    const list = result.findings.filter((f) => f.severity === sev);
    if (!list.length) continue;
    const hours = list.reduce((h, f) => h + EFFORT_HOURS[effortOf(f)], 0);
    totalHours += hours;
    const section = [`## ${HEADING[sev]} (${list.length}, ~${formatHours(hours)})`, '', ...list.flatMap((f) => item(f, meta.get(f.ruleId), isNew.has(f.fingerprint), link, result.apps.length > 1))];
    if (OPEN.includes(sev)) out.push('', ...section);
    else {
      rest.push('', ...section);
      restCount += list.length;
      restHours += hours;
    }
  }
  const env = requiredEnvVars(result);
  if (env.length) {
    out.push('', '## 🔑 Environment variables production needs', '', '| Variable | What it is for | Needed by |', '| --- | --- | --- |');
    for (const v of env) out.push(`| ${code(v.name)} | ${cell(v.description)} | ${v.by.map((p) => code(p)).join(', ')} |`);
  }
  if (restCount) {
    out.push('', `<details><summary>Medium, low and info: ${restCount} more item${restCount === 1 ? '' : 's'} (~${formatHours(restHours)})</summary>`, ...rest, '', '</details>');
  }
  if (result.baseline?.fixed.length) {
    out.push('', `<details><summary>✅ Fixed since the baseline (${result.baseline.fixed.length})</summary>`, '');
    for (const f of result.baseline.fixed) out.push(`- [x] ~~${cell(f.message)}~~ (${code(f.line ? `${f.path}:${f.line}` : f.path)}, ${code(f.ruleId)})`);
    out.push('', '</details>');
  }
  if (result.diagnostics.length) {
    out.push('', `<details><summary>${result.diagnostics.length} file${result.diagnostics.length === 1 ? '' : 's'} could not be fully audited</summary>`, '');
    for (const d of result.diagnostics.slice(0, 100)) out.push(`- ${code(`${d.path}${d.line ? `:${d.line}` : ''}`)}: ${d.message}`);
    out.push('', '</details>');
  }
  out.push('');
  out.push(`**${result.findings.length} item${result.findings.length === 1 ? '' : 's'}, ~${formatHours(totalHours)} of work.** ${result.outcomes.filter((o) => o.status === 'passed').length} checks passed.${result.suppressed ? ` ${result.suppressed} suppressed in code.` : ''}`);
  out.push('');
  out.push(`_Generated by prodaudit ${result.tool.version}: \`prodaudit checklist\` rewrites this list; \`prodaudit explain RULE\` tells more about an item._`);
  return `${out.join('\n')}\n`;
};

function item(f: Finding, rule: AnyRule | undefined, isNew: boolean, link: (f: Finding) => string, showApp: boolean): string[] {
  const lines = [`- [ ] **${f.title}**: ${f.message} (${link(f)})${showApp && f.app ? ` [${code(f.app)}]` : ''}${isNew ? ' 🆕' : ''}`];
  if (f.snippet) lines.push(`  - ${code(f.snippet)}`);
  const fix = f.fix ? `${f.fix.title} (🔧 ${f.fix.applicability} auto-fix: \`prodaudit --fix${f.fix.applicability === 'unsafe' ? ' --unsafe-fixes' : ''}\`)` : rule?.meta.docs.fix;
  if (fix) lines.push(`  - Fix: ${fix}`);
  lines.push(`  - Effort: ${EFFORT_LABEL[rule?.meta.effort ?? 'hours']} · ${code(f.ruleId)}`);
  return lines;
}

function newSet(result: AuditResult): Set<string> {
  if (!result.baseline) return new Set();
  // keepKnown runs list the new ones; filtered runs hold only new findings.
  return new Set(result.baseline.newFingerprints ?? result.findings.map((f) => f.fingerprint));
}

export interface RequiredEnvVar {
  readonly name: string;
  readonly description: string;
  /** Files whose findings' fixes introduce it. */
  readonly by: readonly string[];
}

/**
 * The environment variables production needs. For now: the ones the findings' fixes introduce
 * (`fix.envVars`). Hook for the `prodaudit env` inventory: when it is on the result, merge its
 * variables here (this function is the single place the checklist reads them from).
 */
export function requiredEnvVars(result: AuditResult): RequiredEnvVar[] {
  const byName = new Map<string, { description: string; by: Set<string> }>();
  for (const f of result.findings) {
    for (const v of f.fix?.envVars ?? []) {
      const e = byName.get(v.name) ?? { description: v.description, by: new Set<string>() };
      e.by.add(f.location.path);
      byName.set(v.name, e);
    }
  }
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, e]) => ({ name, description: e.description, by: [...e.by].sort() }));
}
