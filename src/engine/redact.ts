/**
 * Secrets found in audited code never reach any output in full: every snippet and message
 * passes through here. A secret keeps its first 2 characters (at most) and its length class.
 */
export function mask(secret: string): string {
  if (secret.length <= 4) return '****';
  const keep = secret.length >= 12 ? 2 : 1;
  return `${secret.slice(0, keep)}${'*'.repeat(Math.min(8, secret.length - keep))}`;
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(mask(s));
  }
  return out;
}

/**
 * Defence in depth for text taken from audited files (snippets, messages, diagnostics, `--diff`):
 * a rule passes the secrets it knows about, but a finding of another rule can sit on a line that
 * holds a secret too. Masked here without any rule's help: passwords in URLs (`scheme://user:PASS@`),
 * literals assigned to secret-looking names (`SECRET_KEY = "…"`, `password: …`, `API_KEY=…`),
 * well-known token shapes and private key blocks. References (`${VAR}`, `os.environ[…]`,
 * `process.env.X`, calls) are code, not secrets, and stay readable.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@'"`]*:)([^\s@'"`/]+)(?=@)/gi;
const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*(?:secret|passw(?:or)?d|passwd|pwd|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credentials?|auth[_-]?key|signing[_-]?key)[A-Za-z0-9_.-]*`;
const QUOTED_ASSIGN = new RegExp(String.raw`(${SECRET_NAME}["'\]]*\s*(?:=|:|=>)\s*[rbuf]?)(["'\x60])((?:(?!\2)[^\\\n]|\\.){4,}?)\2`, 'gi');
const BARE_ASSIGN = new RegExp(String.raw`(^|[\s{,;]|export\s)(${SECRET_NAME}\s*(?:=|:\s))(?![\s"'\x60$\{\[(<]|None\b|null\b|true\b|false\b|True\b|False\b)([^\s,;#)}\]]{4,})`, 'gi');
const TOKEN_SHAPES = /\b(?:sk_(?:live|test)_[A-Za-z0-9]{8,}|rk_live_[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;

/** A value that is code or a reference rather than a literal secret. */
function isReference(v: string): boolean {
  return /^(?:\$|\{\{|%\(|<|os\.|process\.env|env\(|getenv|config\(|settings\.)/.test(v) || /^[A-Za-z_][\w.]*[([]/.test(v) || /^[A-Za-z_]+(?:\.[A-Za-z_]\w*)+$/.test(v);
}

export function scrubSecrets(text: string): string {
  if (!text) return text;
  return text
    .replace(PRIVATE_KEY, '-----BEGIN PRIVATE KEY----- ********')
    .replace(URL_CREDENTIALS, (_m, pre: string, pass: string) => (pass.startsWith('$') || pass.startsWith('{') ? `${pre}${pass}` : `${pre}${mask(pass)}`))
    .replace(QUOTED_ASSIGN, (m, pre: string, q: string, v: string) => (isReference(v) || /\*{4}/.test(v) ? m : `${pre}${q}${mask(v)}${q}`))
    .replace(BARE_ASSIGN, (m, lead: string, pre: string, v: string) => (isReference(v) || /\*{4}/.test(v) ? m : `${lead}${pre}${mask(v)}`))
    .replace(TOKEN_SHAPES, (t) => mask(t));
}
