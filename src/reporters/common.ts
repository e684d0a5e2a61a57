import type { Finding } from '../engine/result.js';
import type { AnyRule } from '../engine/rule.js';
import type { Effort, Severity } from '../engine/types.js';

export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };
/** Hours of work one finding takes by hand, for totals in checklists. */
export const EFFORT_HOURS: Record<Effort, number> = { minutes: 0.25, hours: 2, days: 8 };
export const EFFORT_LABEL: Record<Effort, string> = { minutes: '< 30 min', hours: '1–4 h', days: '1+ day' };

export function ruleMap(rules: readonly AnyRule[]): Map<string, AnyRule> {
  return new Map(rules.map((r) => [r.meta.id, r]));
}

export function where(f: Finding): string {
  return f.projectLevel ? f.location.path : `${f.location.path}:${f.location.startLine}`;
}

export function formatHours(h: number): string {
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 8) return `${Math.round(h * 10) / 10} h`;
  return `${Math.round((h / 8) * 10) / 10} days`;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

/** "72/100 (+5 since baseline)" pieces, shared by the markdown-ish reporters. */
export function scoreDelta(score: number | null, baseline: number | null | undefined): string {
  if (baseline === undefined || baseline === null || score === null) return '';
  const d = score - baseline;
  return d === 0 ? ' (= baseline)' : ` (${d > 0 ? '▲ +' : '▼ '}${d} vs baseline ${baseline})`;
}

/** Markdown-safe inline code: backticks inside become single quotes, newlines spaces. */
export function code(s: string): string {
  return `\`${s.replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``;
}

/** Escape text for a markdown table cell. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A markdown table; every cell escaped with `cell`. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** A link to a finding's file and line: `linkBase` (e.g. a blob URL at a commit) + repo path + #L anchor. */
export function fileLink(f: Finding, linkBase: string | undefined, pathPrefix = ''): string {
  const path = `${pathPrefix}${f.location.path}`;
  const label = f.projectLevel ? path : `${path}:${f.location.startLine}`;
  const target = `${linkBase ?? ''}${path.split('/').map(encodeURIComponent).join('/')}${f.projectLevel ? '' : `#L${f.location.startLine}${f.location.endLine > f.location.startLine ? `-L${f.location.endLine}` : ''}`}`;
  return `[${label.replace(/([[\]])/g, '\\$1')}](${target})`;
}
