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
