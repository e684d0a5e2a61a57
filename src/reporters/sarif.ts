/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). The mapping follows Ruff's emitter:
 * rules[] from rule metadata (help text, helpUri, default level, tags, security-severity for
 * security rules), one result per finding with a region in UTF-16 columns, the stable fingerprint
 * as partialFingerprints, and fixes as fixes[].artifactChanges[].replacements[].
 * Validated against the OASIS schema in test/sarif.test.ts.
 */
import type { Finding } from '../engine/result.js';
import type { AnyRule } from '../engine/rule.js';
import type { Severity } from '../engine/types.js';
import type { Reporter } from './index.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub's bands: > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
const SECURITY_SEVERITY: Partial<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };
/** GitHub ranks non-security alerts by this (error/warning/note by default level). */
const PRECISION: Record<string, string> = { high: 'high', medium: 'medium', low: 'low' };
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const FINGERPRINT_KEY = 'prodaudit/v1';

export const sarif: Reporter = (result, { rules, pathPrefix = '' }) => {
  const used = new Set(result.findings.map((f) => f.ruleId));
  // Every rule that ran, plus any rule with a finding (so ruleIndex always resolves).
  const ruleList = [...rules];
  for (const id of used) if (!ruleList.some((r) => r.meta.id === id)) ruleList.push(stubRule(result.findings.find((f) => f.ruleId === id)!));
  const index = new Map(ruleList.map((r, i) => [r.meta.id, i]));
  const uri = (path: string) => `${pathPrefix}${path}`.split('/').map(encodeURIComponent).join('/');

  const driverRules = ruleList.map(({ meta: m }) => {
    const security = m.category === 'security';
    const refs = m.docs.references ?? [];
    return {
      id: m.id,
      name: camel(m.id),
      shortDescription: { text: m.title },
      fullDescription: { text: m.docs.why || m.title },
      ...(refs[0] ? { helpUri: refs[0] } : {}),
      help: {
        text: `${m.docs.fix}${refs.length ? `\n\nReferences:\n${refs.map((r) => `- ${r}`).join('\n')}` : ''}`,
        markdown: [`**Why it matters:** ${m.docs.why}`, '', `**How to fix:** ${m.docs.fix}`, ...(refs.length ? ['', '**References:**', ...refs.map((r) => `- ${r}`)] : [])].join('\n'),
      },
      defaultConfiguration: { level: LEVEL[m.severity] },
      properties: {
        tags: [...new Set([...(security ? ['security'] : []), m.category, ...(m.cwe ?? []).map((c) => `external/cwe/${c.toLowerCase()}`)])],
        precision: PRECISION[m.confidence] ?? 'medium',
        ...(security && SECURITY_SEVERITY[m.severity] ? { 'security-severity': SECURITY_SEVERITY[m.severity] } : {}),
        ...(m.mootWhen?.length ? { mootWhen: [...m.mootWhen] } : {}),
      },
    };
  });

  const results = result.findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId)!,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uri(f.location.path), uriBaseId: '%SRCROOT%' },
          ...(f.projectLevel
            ? {}
            : {
                region: {
                  startLine: f.location.startLine,
                  startColumn: f.location.startColumn,
                  endLine: f.location.endLine,
                  endColumn: Math.max(f.location.endColumn, f.location.endLine === f.location.startLine ? f.location.startColumn + 1 : 1),
                  ...(f.snippet ? { snippet: { text: f.snippet } } : {}),
                },
              }),
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    ...(result.baseline ? { baselineState: 'new' as const } : {}),
    ...(f.fix && f.fix.edits.length ? { fixes: [sarifFix(f, uri)] } : {}),
    properties: {
      severity: f.severity,
      confidence: f.confidence,
      category: f.category,
      ...(f.app ? { app: f.app } : {}),
      ...(f.projectLevel ? { projectLevel: true } : {}),
      ...(f.fix ? { fixApplicability: f.fix.applicability } : {}),
    },
  }));

  const notifications = [
    ...result.diagnostics.map((d) => ({
      level: d.level === 'skipped' ? ('warning' as const) : ('note' as const),
      message: { text: d.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: uri(d.path), uriBaseId: '%SRCROOT%' }, ...(d.line ? { region: { startLine: d.line } } : {}) } }],
    })),
    ...(result.suppressionProblems ?? []).map((p) => ({
      level: 'error' as const,
      descriptor: { id: `suppression-${p.kind}` },
      message: { text: p.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: uri(p.path), uriBaseId: '%SRCROOT%' }, region: { startLine: p.line } } }],
    })),
  ];

  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'prodaudit',
            version: result.tool.version,
            semanticVersion: result.tool.version,
            informationUri: 'https://www.npmjs.com/package/prodaudit',
            rules: driverRules,
          },
        },
        automationDetails: { id: 'prodaudit/' },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The audited repository root.' } } },
        invocations: [{ executionSuccessful: true, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        results,
        properties: {
          score: result.score,
          grade: result.grade,
          ...(result.baseline ? { baselineScore: result.baseline.score, fixedSinceBaseline: result.baseline.fixed.length } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

function sarifFix(f: Finding, uri: (p: string) => string) {
  const fix = f.fix!;
  const byPath = new Map<string, typeof fix.edits>();
  for (const e of fix.edits) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  return {
    description: { text: `${fix.title}${fix.applicability === 'unsafe' ? ' (unsafe: review before applying)' : ''}` },
    artifactChanges: [...byPath].map(([path, edits]) => ({
      artifactLocation: { uri: uri(path), uriBaseId: '%SRCROOT%' },
      replacements: edits.map((e) => ({
        // Line/column (end exclusive) when the engine supplied them; character offsets otherwise.
        deletedRegion: e.range
          ? { startLine: e.range.startLine, startColumn: e.range.startColumn, endLine: e.range.endLine, endColumn: e.range.endColumn }
          : { charOffset: e.start, charLength: e.end - e.start },
        insertedContent: { text: e.text },
      })),
    })),
  };
}

/** A rule not in the run's list (should not happen): enough metadata for a valid ruleIndex. */
function stubRule(f: Finding): AnyRule {
  return {
    meta: {
      id: f.ruleId,
      title: f.title,
      category: f.category,
      severity: f.severity,
      confidence: f.confidence,
      fixable: 'none',
      effort: 'hours',
      messages: {},
      docs: { why: f.title, fix: f.title, references: [] },
    },
    check: {},
  };
}

function camel(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[a-z]/, (c) => c.toUpperCase());
}
