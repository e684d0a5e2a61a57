/**
 * pip requirements files: `name[extras] specifiers ; markers  # comment`, `-r`/`-c` includes,
 * `-e`/URL/VCS requirements, line continuations. Specifiers are kept as written; issue-8's
 * PEP 440 evaluation builds on them.
 */
export interface Requirement {
  readonly name: string;
  /** Normalised name (PEP 503: lower case, runs of -_. become -). */
  readonly normalized: string;
  readonly extras: readonly string[];
  /** Version specifier as written: "==3.0.3", ">=2,<3", "" when absent. */
  readonly specifier: string;
  readonly marker: string;
  /** For `-e`, VCS or URL requirements: the URL. */
  readonly url: string | undefined;
  readonly line: number;
}

export interface RequirementsParse {
  readonly requirements: readonly Requirement[];
  /** Files named by `-r` / `-c`. */
  readonly includes: readonly string[];
}

export const normalizePyName = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

const REQ = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(\(?\s*(?:[<>=!~]=?|===)[^;#]*\)?)?\s*(?:;([^#]*))?$/;

export function parseRequirements(text: string): RequirementsParse {
  const requirements: Requirement[] = [];
  const includes: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!;
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const inc = /^(?:-r|--requirement|-c|--constraint)\s*=?\s*(\S+)/.exec(line);
    if (inc) {
      includes.push(inc[1]!);
      continue;
    }
    const editable = /^(?:-e|--editable)\s+(\S+)/.exec(line);
    const urlLike = editable?.[1] ?? (/^(git\+|hg\+|svn\+|bzr\+|https?:|file:)/.test(line) ? line.split(/\s+/)[0] : undefined);
    if (urlLike) {
      const egg = /#egg=([A-Za-z0-9._-]+)/.exec(urlLike) ?? /^([A-Za-z0-9._-]+)\s*@/.exec(line);
      const name = egg?.[1] ?? urlLike;
      requirements.push({ name, normalized: normalizePyName(name), extras: [], specifier: '', marker: '', url: urlLike, line: lineNo });
      continue;
    }
    const at = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*@\s*(\S+)/.exec(line);
    if (at) {
      requirements.push({ name: at[1]!, normalized: normalizePyName(at[1]!), extras: splitExtras(at[2]), specifier: '', marker: '', url: at[3], line: lineNo });
      continue;
    }
    if (line.startsWith('-')) continue; // other pip options (--index-url, --hash on its own line, ...)
    const m = REQ.exec(line.replace(/\s+--hash=\S+/g, ''));
    if (!m) continue;
    requirements.push({
      name: m[1]!,
      normalized: normalizePyName(m[1]!),
      extras: splitExtras(m[2]),
      specifier: (m[3] ?? '').replace(/[()\s]/g, ''),
      marker: (m[4] ?? '').trim(),
      url: undefined,
      line: lineNo,
    });
  }
  return { requirements, includes };
}

function splitExtras(s: string | undefined): string[] {
  return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
}
