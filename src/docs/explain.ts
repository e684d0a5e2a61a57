import type { AnyRule } from '../engine/rule.js';

/** `prodaudit explain ID`: everything from the rule's own metadata. */
export function explain(rule: AnyRule): string {
  const m = rule.meta;
  const out = [
    `${m.id}: ${m.title}`,
    '',
    `Category:    ${m.category}`,
    `Severity:    ${m.severity} (default; set in .prodaudit.yml under rules.${m.id})`,
    `Confidence:  ${m.confidence}`,
    `Frameworks:  ${m.frameworks?.join(', ') ?? 'any'}`,
    `Auto-fix:    ${m.fixable === 'none' ? 'no' : m.fixable}`,
    `Effort:      ${m.effort}`,
    ...(m.cwe?.length ? [`CWE:         ${m.cwe.join(', ')}`] : []),
    '',
    'What it reports:',
    ...Object.values(m.messages).map((t) => `  - ${t}`),
    '',
    'Why it matters:',
    indent(m.docs.why),
    '',
    'How to fix:',
    indent(m.docs.fix),
  ];
  if (m.docs.whenNotTo) out.push('', 'When not to:', indent(m.docs.whenNotTo));
  if (m.docs.examples?.length) {
    out.push('', 'Examples:');
    for (const e of m.docs.examples) out.push(`  ${e.file}`, '    bad:', indent(e.bad, 6), '    good:', indent(e.good, 6));
  }
  out.push('', 'References:', ...m.docs.references.map((r) => `  - ${r}`));
  return `${out.join('\n')}\n`;
}

function indent(s: string, n = 2): string {
  return s
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
}
