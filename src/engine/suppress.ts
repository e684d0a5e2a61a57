/**
 * Inline suppressions, in the file's own comment syntax (`#` or `//`):
 *   # prodaudit-ignore debug-mode-enabled: reason          (this line, or the next code line)
 *   // prodaudit-ignore cors-wildcard, weak-secret-key: reason
 *   # prodaudit-ignore-file default-credentials: reason     (whole file)
 * `all` matches every rule.
 */
export interface Suppression {
  readonly line: number;
  /** Lines it covers: its own line (trailing comment) and the next non-comment line. */
  readonly covers: readonly number[];
  readonly rules: readonly string[];
  readonly reason: string;
  readonly file: boolean;
}

const DIRECTIVE = /(?:#|\/\/|\/\*|<!--)\s*prodaudit-ignore(-file)?\b\s*:?\s*([\w-]+(?:\s*,\s*[\w-]+)*)?\s*(?::\s*|--\s*)?(.*?)\s*(?:\*\/|-->)?\s*$/;

export function parseSuppressions(text: string): Suppression[] {
  if (!text.includes('prodaudit-ignore')) return [];
  const lines = text.split('\n');
  const out: Suppression[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.includes('prodaudit-ignore')) continue;
    const m = DIRECTIVE.exec(line);
    if (!m) continue;
    const rules = (m[2] ?? 'all').split(',').map((s) => s.trim()).filter(Boolean);
    const isFile = !!m[1];
    const covers = [i + 1];
    const standalone = /^\s*(#|\/\/|\/\*|<!--)/.test(line);
    if (standalone) {
      let j = i + 1;
      while (j < lines.length && /^\s*(#|\/\/)/.test(lines[j]!) && !lines[j]!.includes('prodaudit-ignore')) j++;
      if (j < lines.length) covers.push(j + 1);
    }
    out.push({ line: i + 1, covers, rules, reason: m[3] ?? '', file: isFile });
  }
  return out;
}

/**
 * The directive that suppresses `ruleId` at `line` (undefined for a whole-file finding: only a
 * `-file` directive covers those). With `requireReasons`, a directive without a reason suppresses nothing.
 */
export function isSuppressed(suppressions: readonly Suppression[], ruleId: string, line: number | undefined, requireReasons = false): Suppression | undefined {
  return suppressions.find(
    (s) =>
      (s.rules.includes(ruleId) || s.rules.includes('all')) &&
      (s.file || (line !== undefined && s.covers.includes(line))) &&
      (!requireReasons || s.reason.trim() !== ''),
  );
}
