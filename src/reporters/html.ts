/**
 * `--format html`: one self-contained report file (inline CSS and JS, a CSP that forbids every
 * network load): score gauge and grade, category bars, top opportunities, a findings table
 * filterable by severity, category and app (all rows visible without JS), not-applicable rules
 * with reasons, and the environment variables production needs.
 *
 * Every string is escaped; secrets are already redacted in the result by the engine. Deterministic:
 * no timestamps, stable order.
 */
import { describeOpportunity } from '../engine/opportunities.js';
import type { Finding } from '../engine/result.js';
import { SEVERITIES } from '../engine/types.js';
import { countBySeverity, ruleMap, SEVERITY_LABEL, where } from './common.js';
import type { Reporter } from './index.js';
import { requiredEnvVars } from './markdown.js';

/** Escape text for HTML element content and double-quoted attributes. */
export function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function gaugeColor(score: number | null): string {
  return score === null ? '#888' : score >= 90 ? '#0c8a3e' : score >= 50 ? '#c76a00' : '#c5221f';
}

function gauge(score: number | null, grade: string): string {
  const r = 52;
  const c = 2 * Math.PI * r;
  const frac = score === null ? 0 : Math.max(0, Math.min(100, score)) / 100;
  return `<svg class="gauge" viewBox="0 0 120 120" width="140" height="140" role="img" aria-label="Score ${esc(score ?? 'n/a')} of 100, grade ${esc(grade)}">
<circle cx="60" cy="60" r="${r}" fill="none" stroke="#e6e6e6" stroke-width="10"/>
<circle cx="60" cy="60" r="${r}" fill="none" stroke="${gaugeColor(score)}" stroke-width="10" stroke-linecap="round" stroke-dasharray="${(c * frac).toFixed(2)} ${c.toFixed(2)}" transform="rotate(-90 60 60)"/>
<text x="60" y="62" text-anchor="middle" font-size="30" font-weight="600" fill="${gaugeColor(score)}">${esc(score ?? 'n/a')}</text>
<text x="60" y="84" text-anchor="middle" font-size="13" fill="#555">grade ${esc(grade)}</text>
</svg>`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#202124;background:#f5f6f8}
main{max-width:1100px;margin:0 auto;padding:24px}header.top{display:flex;gap:32px;align-items:center;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}section.card{background:#fff;border-radius:8px;padding:16px 20px;box-shadow:0 1px 3px rgba(0,0,0,.12);margin-top:16px}
.status{font-weight:600}.tally span{margin-right:12px}.bars{display:grid;grid-template-columns:140px 1fr 60px;gap:6px 12px;align-items:center}
.bar{height:10px;background:#e6e6e6;border-radius:5px;overflow:hidden}.bar>div{height:100%}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:8px;border-bottom:1px solid #eee;vertical-align:top}th{font-size:12px;text-transform:uppercase;color:#5f6368}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.sev-critical{background:#fce8e6;color:#a50e0e}.sev-high{background:#feefe3;color:#b06000}.sev-medium{background:#fef7e0;color:#8a6d00}.sev-low{background:#e8f0fe;color:#174ea6}.sev-info{background:#f1f3f4;color:#3c4043}
code,pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}pre{background:#f8f9fa;border:1px solid #eee;border-radius:4px;padding:6px 8px;margin:6px 0;overflow:auto;white-space:pre-wrap}
.rule{color:#5f6368}.filters{display:flex;gap:16px;flex-wrap:wrap;margin-bottom:10px}.filters label{font-weight:600;font-size:13px}.filters select{margin-left:6px}
.frame .ln{display:inline-block;min-width:3em;margin-right:10px;padding-right:8px;border-right:1px solid #ddd;color:#80868b;text-align:right;user-select:none}
.muted{color:#5f6368}footer{margin:24px 0;color:#5f6368;font-size:12px}
`;

const SCRIPT = `(function(){var f=document.getElementById('filters');if(!f)return;f.hidden=false;
var rows=[].slice.call(document.querySelectorAll('#findings tbody tr'));var out=document.getElementById('shown');
function apply(){var s=document.getElementById('f-sev').value,c=document.getElementById('f-cat').value,a=document.getElementById('f-app').value,n=0;
rows.forEach(function(r){var ok=(!s||r.dataset.severity===s)&&(!c||r.dataset.category===c)&&(!a||r.dataset.app===a);r.hidden=!ok;if(ok)n++;});out.textContent=n+' of '+rows.length+' shown';}
f.addEventListener('change',apply);apply();})();`;

function select(id: string, label: string, values: readonly string[]): string {
  return `<label for="${id}">${esc(label)}<select id="${id}"><option value="">All</option>${values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('')}</select></label>`;
}

export const html: Reporter = (result, { rules }) => {
  const meta = ruleMap(rules);
  const name = result.root.split(/[\\/]/).filter(Boolean).pop() || result.root;
  const counts = countBySeverity(result.findings);
  const status = counts.critical > 0 ? 'Not production ready' : counts.high > 0 ? 'Needs work' : 'Ready (no blocking findings)';
  const o: string[] = [];
  o.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">', `<title>prodaudit: ${esc(name)}</title>`, `<style>${STYLE}</style></head><body><main>`);
  o.push(`<header class="top">${gauge(result.score, result.grade)}<div><h1>Production readiness: ${esc(name)}</h1>`,
    `<p class="status">${esc(status)}</p>`, `<p class="tally">${SEVERITIES.map((s) => `<span><span class="sev sev-${s}">${SEVERITY_LABEL[s]}</span> ${counts[s]}</span>`).join('')}</p>`,
    result.gradeCap ? `<p class="muted">Grade ${esc(result.gradeCap)}.</p>` : '', '</div></header>');

  o.push('<section class="card" aria-labelledby="h-cat"><h2 id="h-cat">Categories</h2><div class="bars">');
  for (const c of result.categories) {
    if (c.passed + c.failed === 0) continue;
    const w = c.score ?? 0;
    o.push(`<span>${esc(c.category)}</span><div class="bar" role="img" aria-label="${esc(c.category)} ${esc(c.score ?? 'n/a')} of 100"><div style="width:${w}%;background:${gaugeColor(c.score)}"></div></div><span><b>${esc(c.score ?? 'n/a')}</b></span>`);
  }
  o.push('</div></section>');

  if (result.apps.length > 1) {
    o.push('<section class="card" aria-labelledby="h-apps"><h2 id="h-apps">Apps</h2><table><thead><tr><th scope="col">App</th><th scope="col">Frameworks</th><th scope="col">Score</th><th scope="col">Grade</th><th scope="col">Findings</th></tr></thead><tbody>');
    for (const a of result.apps) o.push(`<tr><td><code>${esc(a.root || '.')}</code></td><td>${esc(a.frameworks.join(', ') || a.ecosystems.join(', ') || '-')}</td><td>${esc(a.score ?? 'n/a')}</td><td>${esc(a.grade)}</td><td>${a.findings}</td></tr>`);
    o.push('</tbody></table></section>');
  }

  const ops = (result.opportunities ?? []).filter((x) => x.overallGain > 0 || x.categoryGain > 0).slice(0, 5);
  if (ops.length) {
    o.push('<section class="card" aria-labelledby="h-ops"><h2 id="h-ops">Top opportunities</h2><ul>');
    for (const x of ops) o.push(`<li>${esc(describeOpportunity(x))}${x.autoFixable ? ' <span class="muted">(auto-fixable)</span>' : ''}</li>`);
    o.push('</ul></section>');
  }

  const cats = [...new Set(result.findings.map((f) => f.category))].sort();
  const apps = [...new Set(result.findings.map((f) => f.app))].sort();
  o.push(`<section class="card" aria-labelledby="h-find"><h2 id="h-find">Findings (${result.findings.length})</h2>`);
  o.push(`<div class="filters" id="filters" hidden>${select('f-sev', 'Severity', SEVERITIES.filter((s) => counts[s] > 0))}${select('f-cat', 'Category', cats)}${apps.length > 1 ? select('f-app', 'App', apps) : '<select id="f-app" hidden aria-hidden="true"><option value=""></option></select>'}<span id="shown" class="muted" aria-live="polite"></span></div>`);
  o.push('<table id="findings"><thead><tr><th scope="col">Severity</th><th scope="col">Finding</th><th scope="col">Location</th></tr></thead><tbody>');
  for (const f of result.findings) o.push(row(f, meta.get(f.ruleId)?.meta.docs));
  o.push('</tbody></table></section>');

  const moot = result.outcomes.filter((x) => x.status === 'notApplicable' && x.reason);
  if (moot.length) {
    o.push('<section class="card" aria-labelledby="h-na"><h2 id="h-na">Not applicable here</h2><ul>');
    for (const x of moot) o.push(`<li><b>${esc(x.title)}</b> <code class="rule">${esc(x.ruleId)}</code>: ${esc(x.reason)}</li>`);
    o.push('</ul></section>');
  }
  const env = requiredEnvVars(result);
  if (env.length) {
    o.push('<section class="card" aria-labelledby="h-env"><h2 id="h-env">Environment variables production needs</h2><table><thead><tr><th scope="col">Variable</th><th scope="col">What it is for</th><th scope="col">Needed by</th></tr></thead><tbody>');
    for (const v of env) o.push(`<tr><td><code>${esc(v.name)}</code></td><td>${esc(v.description)}</td><td>${v.by.map((p) => `<code>${esc(p)}</code>`).join(', ')}</td></tr>`);
    o.push('</tbody></table></section>');
  }
  o.push(`<footer>Generated by prodaudit ${esc(result.tool.version)}. ${result.outcomes.filter((x) => x.status === 'passed').length} checks passed.</footer>`);
  o.push(`</main><script>${SCRIPT}</script></body></html>`);
  return `${o.filter(Boolean).join('\n')}\n`;
};

/** The flagged line with its line number in a gutter, as the terminal report prints it (project-level findings have none). */
function codeFrame(f: Finding): string {
  if (f.projectLevel || !f.snippet) return '';
  return `<pre class="frame" aria-label="code at line ${f.location.startLine}"><span class="ln">${f.location.startLine}</span>${esc(f.snippet)}</pre>`;
}

function row(f: Finding, docs: { why?: string; fix?: string } | undefined): string {
  const fix = f.fix ? `${f.fix.title} (auto-fix: ${f.fix.applicability})` : docs?.fix;
  const preview = f.fix?.edits.length ? `<details><summary>Patch preview</summary><pre>${esc(f.fix.edits.map((e) => `${e.path}${e.range ? `:${e.range.startLine}` : ''}\n+ ${e.text}`).join('\n'))}</pre></details>` : '';
  return `<tr data-severity="${f.severity}" data-category="${esc(f.category)}" data-app="${esc(f.app)}"><td><span class="sev sev-${f.severity}">${SEVERITY_LABEL[f.severity]}</span></td>` +
    `<td><b>${esc(f.title)}</b> <code class="rule">${esc(f.ruleId)}</code><br>${esc(f.message)}` +
    codeFrame(f) +
    (docs?.why ? `<p><b>Why:</b> ${esc(docs.why)}</p>` : '') + (fix ? `<p><b>Fix:</b> ${esc(fix)}</p>` : '') + preview +
    `</td><td><code>${esc(where(f))}</code>${f.app ? `<br><span class="muted">app ${esc(f.app)}</span>` : ''}</td></tr>`;
}
