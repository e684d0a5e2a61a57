/**
 * `--format html` rendered in a real browser: Debian's headless Chromium, driven by playwright-core.
 * The report loads with no network request and no CSP violation, the filters work, and the
 * screenshot (decoded back in the browser, pixel by pixel) shows the score gauge and the findings.
 *
 * Where no Chromium is installed the test skips with a notice; under CI=true it fails instead,
 * since .ci/run installs one.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cli } from './support/ci.js';

const APP = 'fixtures/_apps/flask-insecure';

function findChromium(): string | undefined {
  const candidates = [process.env.PRODAUDIT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

const executablePath = findChromium();
if (!executablePath && process.env.CI) throw new Error('html-render: no Chromium found under CI (.ci/run installs Debian\'s chromium); set PRODAUDIT_CHROMIUM to its path');
if (!executablePath) console.log('# html-render: skipped, no Chromium installed (apt-get install chromium, or set PRODAUDIT_CHROMIUM)');

interface Json {
  score: number;
  findings: { ruleId: string; severity: string; category: string }[];
}

/** Decode a PNG in the browser and count the pixels inside `box` within `tol` of each colour. */
async function countColours(page: Page, png: Buffer, box: { x: number; y: number; width: number; height: number }, colours: string[], tol = 24): Promise<number[]> {
  return page.evaluate(async ({ src, box, colours, tol }) => {
    // Browser globals, typed loosely: the project's tsconfig has no DOM lib.
    const { Image, document } = globalThis as any;
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const x = Math.max(0, Math.floor(box.x));
    const y = Math.max(0, Math.floor(box.y));
    const w = Math.min(img.width - x, Math.ceil(box.width));
    const h = Math.min(img.height - y, Math.ceil(box.height));
    const data = ctx.getImageData(x, y, w, h).data;
    const rgb = colours.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    const counts = colours.map(() => 0);
    for (let i = 0; i < data.length; i += 4) {
      rgb.forEach(([r, g, b], k) => {
        if (Math.abs(data[i]! - r!) <= tol && Math.abs(data[i + 1]! - g!) <= tol && Math.abs(data[i + 2]! - b!) <= tol) counts[k]!++;
      });
    }
    return counts;
  }, { src: `data:image/png;base64,${png.toString('base64')}`, box, colours, tol });
}

describe('html report in headless Chromium', { skip: !executablePath }, () => {
  it('loads offline, filters, and its screenshot shows the gauge and the findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodaudit-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, cli(['audit', APP, '--format', 'html']).stdout);
    const report = JSON.parse(cli(['audit', APP, '--format', 'json']).stdout) as Json;
    assert.ok(report.findings.length > 3, 'the fixture has findings to show');

    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(String(e)));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' });

      assert.deepEqual(requests, [url], 'the document is the only request: no network, no other file');
      assert.deepEqual(problems, [], 'no script error or CSP violation');

      // Gauge: drawn, sized, and carrying the score.
      const gauge = page.locator('svg.gauge');
      const gbox = await gauge.boundingBox();
      assert.ok(gbox && gbox.width >= 100 && gbox.height >= 100, `gauge is drawn (${JSON.stringify(gbox)})`);
      assert.match((await gauge.textContent()) ?? '', new RegExp(`\\b${report.score}\\b`));

      // Findings table: every finding visible, then the filters (the script un-hides them).
      const rows = page.locator('#findings tbody tr');
      assert.equal(await rows.count(), report.findings.length);
      assert.equal(await page.locator('#findings tbody tr:visible').count(), report.findings.length);
      assert.ok(await page.locator('#filters').isVisible(), 'filters shown once the script runs');
      const bySeverity = (s: string) => report.findings.filter((f) => f.severity === s).length;
      const severity = report.findings.find((f) => bySeverity(f.severity) < report.findings.length)!.severity;
      await page.selectOption('#f-sev', severity);
      assert.equal(await page.locator('#findings tbody tr:visible').count(), bySeverity(severity));
      assert.equal(await page.locator('#shown').textContent(), `${bySeverity(severity)} of ${report.findings.length} shown`);
      const category = report.findings.find((f) => f.severity === severity)!.category;
      await page.selectOption('#f-cat', category);
      assert.equal(await page.locator('#findings tbody tr:visible').count(), report.findings.filter((f) => f.severity === severity && f.category === category).length);
      await page.selectOption('#f-sev', '');
      await page.selectOption('#f-cat', '');
      assert.equal(await page.locator('#findings tbody tr:visible').count(), report.findings.length);

      // Screenshot, decoded back: the gauge's arc colour fills part of its box, and each severity's
      // badge colour appears inside the findings table.
      const png = await page.screenshot({ fullPage: true });
      writeFileSync(join(dir, 'report.png'), png);
      // Decoded on a blank page: the report's own CSP (rightly) forbids loading images.
      const scratch = await context.newPage();
      const arc = (await page.locator('svg.gauge circle').nth(1).getAttribute('stroke'))!;
      const [arcPixels, trackPixels] = await countColours(scratch, png, gbox!, [arc, '#e6e6e6'], 12);
      assert.ok(arcPixels! > 800, `gauge arc (${arc}) visible in the screenshot: ${arcPixels} px`);
      assert.ok(trackPixels! > 100, `gauge track visible: ${trackPixels} px`);
      const tbox = (await page.locator('#findings').boundingBox())!;
      const badge: Record<string, string> = { critical: '#fce8e6', high: '#feefe3', medium: '#fef7e0', low: '#e8f0fe', info: '#f1f3f4' };
      const shown = [...new Set(report.findings.map((f) => f.severity))];
      const counts = await countColours(scratch, png, tbox, shown.map((s) => badge[s]!), 3);
      shown.forEach((s, i) => assert.ok(counts[i]! > 100 * bySeverity(s), `${s} badges visible in the findings table: ${counts[i]} px`));
      const text = (await page.locator('#findings').innerText());
      for (const f of report.findings) assert.ok(text.includes(f.ruleId), `${f.ruleId} shown`);
    } finally {
      await browser?.close();
    }
  });
});
