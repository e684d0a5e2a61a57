/**
 * A synthetic monorepo, generated deterministically from a seed: apps of every supported
 * framework (Flask, Django, FastAPI, Express, NestJS, Next.js), each with manifests,
 * Dockerfile, compose file and .env, and many source modules built from realistic templates
 * (routes, models, services, settings), some with production problems planted. Same seed,
 * same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['order', 'invoice', 'customer', 'payment', 'shipment', 'product', 'account', 'report', 'session', 'ticket', 'review', 'coupon', 'cart', 'refund', 'audit', 'profile'];
const KINDS = ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs'] as const;
type Kind = (typeof KINDS)[number];

export interface MonorepoStats {
  files: number;
  bytes: number;
}

export function generateMonorepo(root: string, totalFiles = 20_000, seed = 42): MonorepoStats {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const stats: MonorepoStats = { files: 0, bytes: 0 };
  const write = (path: string, text: string) => {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    stats.files++;
    stats.bytes += Buffer.byteLength(text);
  };
  const apps = 60;
  const perApp = Math.ceil(totalFiles / apps);
  for (let a = 0; a < apps && stats.files < totalFiles; a++) {
    const kind: Kind = KINDS[a % KINDS.length]!;
    const name = `${kind}-${pick(WORDS)}-${a}`;
    const base = `services/${name}`;
    const py = kind === 'flask' || kind === 'django' || kind === 'fastapi';
    const before = stats.files;
    writeManifests(write, base, kind, a, rand);
    let i = 0;
    while (stats.files - before < perApp && stats.files < totalFiles) {
      const w = pick(WORDS);
      const planted = rand() < 0.01;
      if (py) write(`${base}/${w}s/${w}_${i}.py`, pyModule(kind, w, i, planted, rand));
      else write(`${base}/src/${w}s/${w}.${i}.${kind === 'express' ? 'js' : 'ts'}`, jsModule(kind, w, i, planted, rand));
      i++;
    }
  }
  return stats;
}

function writeManifests(write: (p: string, t: string) => void, base: string, kind: Kind, a: number, rand: () => number): void {
  const py = kind === 'flask' || kind === 'django' || kind === 'fastapi';
  if (py) {
    const fw = kind === 'flask' ? 'Flask==3.0.3' : kind === 'django' ? 'Django==4.2.16' : 'fastapi==0.115.0';
    write(`${base}/requirements.txt`, `${fw}\ngunicorn==23.0.0\npsycopg2-binary==2.9.9\nrequests>=2.31\n${rand() < 0.3 ? 'sentry-sdk==2.14.0\n' : ''}`);
    write(`${base}/Dockerfile`, `FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n${a % 7 === 0 ? 'ENV FLASK_DEBUG=1\n' : ''}CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n`);
    if (kind === 'django') write(`${base}/manage.py`, `#!/usr/bin/env python\nimport os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n`);
    if (kind === 'django') write(`${base}/site/settings.py`, `import os\n\nSECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nDEBUG = ${a % 5 === 0 ? 'True' : 'os.environ.get("DJANGO_DEBUG") == "1"'}\nALLOWED_HOSTS = ["example.com"]\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "app", "CONN_MAX_AGE": 60}}\n`);
    else write(`${base}/app.py`, kind === 'flask' ? `import os\nfrom flask import Flask\n\napp = Flask(__name__)\napp.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n\nif __name__ == "__main__":\n    app.run(debug=${a % 5 === 0 ? 'True' : 'False'})\n` : `from fastapi import FastAPI\n\napp = FastAPI(debug=${a % 5 === 0 ? 'True' : 'False'})\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n`);
  } else {
    const deps: Record<string, string> = kind === 'express' ? { express: '4.21.1', helmet: '8.0.0', pg: '8.13.1' } : kind === 'nestjs' ? { '@nestjs/core': '10.4.15', '@nestjs/common': '10.4.15', 'reflect-metadata': '0.2.2' } : { next: '15.0.3', react: '19.0.0', 'react-dom': '19.0.0' };
    write(`${base}/package.json`, `${JSON.stringify({ name: `@mono/${kind}-${a}`, version: '1.0.0', private: true, scripts: { start: kind === 'nextjs' ? 'next start' : 'node dist/main.js', build: 'tsc' }, dependencies: deps, devDependencies: { typescript: '5.6.3' } }, null, 2)}\n`);
    write(`${base}/Dockerfile`, `FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n${a % 7 === 0 ? 'ENV NODE_ENV=development\n' : 'ENV NODE_ENV=production\n'}CMD ["npm", "start"]\n`);
  }
  write(`${base}/docker-compose.yml`, `services:\n  web:\n    build: .\n    ports:\n      - "8000:8000"\n    environment:\n      - LOG_LEVEL=info\n  db:\n    image: postgres:16\n    volumes:\n      - db:/var/lib/postgresql/data\nvolumes:\n  db: {}\n`);
  write(`${base}/.env.example`, `DATABASE_URL=postgres://app:changeme@db/app\nSECRET_KEY=changeme\n`);
}

function pyModule(kind: Kind, w: string, i: number, planted: boolean, rand: () => number): string {
  const cls = w[0]!.toUpperCase() + w.slice(1);
  const lines: string[] = [`"""${cls} service module ${i}: queries, validation and HTTP handlers."""`, 'import logging', 'import os', 'from datetime import datetime, timedelta', ''];
  if (kind === 'flask') lines.push('from flask import Blueprint, jsonify, request', '', `bp = Blueprint("${w}_${i}", __name__)`);
  else if (kind === 'django') lines.push('from django.db import models', 'from django.http import JsonResponse');
  else lines.push('from fastapi import APIRouter, HTTPException', '', 'router = APIRouter()');
  lines.push('', 'logger = logging.getLogger(__name__)', `PAGE_SIZE = int(os.environ.get("${w.toUpperCase()}_PAGE_SIZE", "50"))`, '');
  const n = 6 + Math.floor(rand() * 6);
  for (let f = 0; f < n; f++) {
    const fn = `${pickVerb(rand)}_${w}_${f}`;
    if (kind === 'flask') lines.push(`@bp.route("/${w}s/${f}/<int:item_id>", methods=["GET"])`);
    else if (kind === 'fastapi') lines.push(`@router.get("/${w}s/${f}/{item_id}")`);
    lines.push(
      `def ${fn}(item_id, limit=PAGE_SIZE):`,
      `    """Return ${w} ${f} with related records, newest first."""`,
      `    since = datetime.utcnow() - timedelta(days=${1 + Math.floor(rand() * 30)})`,
      `    rows = [r for r in load_${w}s(item_id, since) if r.get("status") != "deleted"][:limit]`,
      '    total = sum(r.get("amount", 0) for r in rows)',
      `    logger.info("${fn} item=%s rows=%d total=%s", item_id, len(rows), total)`,
      '    if not rows:',
      kind === 'fastapi' ? '        raise HTTPException(status_code=404, detail="not found")' : kind === 'flask' ? '        return jsonify({"error": "not found"}), 404' : '        return JsonResponse({"error": "not found"}, status=404)',
      kind === 'django' ? '    return JsonResponse({"items": rows, "total": total})' : kind === 'flask' ? '    return jsonify({"items": rows, "total": total})' : '    return {"items": rows, "total": total}',
      '',
    );
  }
  lines.push(`def load_${w}s(item_id, since):`, '    return [{"id": item_id, "status": "open", "amount": 10, "created": since.isoformat()}]', '');
  if (kind === 'django') lines.push(`class ${cls}${i}(models.Model):`, '    name = models.CharField(max_length=200)', '    created = models.DateTimeField(auto_now_add=True)', '');
  if (planted) lines.push('if __name__ == "__main__":', kind === 'fastapi' ? '    import uvicorn\n    uvicorn.run("app:app", reload=True)' : '    from flask import Flask\n    Flask(__name__).run(debug=True)', '');
  return `${lines.join('\n')}\n`;
}

function jsModule(kind: Kind, w: string, i: number, planted: boolean, rand: () => number): string {
  const cls = w[0]!.toUpperCase() + w.slice(1);
  const lines: string[] = [`// ${cls} module ${i}: handlers and data access.`];
  if (kind === 'express') lines.push("'use strict';", "const express = require('express');", "const { Pool } = require('pg');", '', 'const router = express.Router();', "const pool = new Pool({ connectionString: process.env.DATABASE_URL });", '');
  else if (kind === 'nestjs') lines.push("import { Controller, Get, Param, NotFoundException } from '@nestjs/common';", '', `@Controller('${w}s-${i}')`, `export class ${cls}${i}Controller {`);
  else lines.push("import type { NextApiRequest, NextApiResponse } from 'next';", '');
  const n = 6 + Math.floor(rand() * 6);
  for (let f = 0; f < n; f++) {
    const fn = `${pickVerb(rand)}${cls}${f}`;
    if (kind === 'express') {
      lines.push(
        `router.get('/${w}s/${f}/:id', async (req, res, next) => {`,
        '  try {',
        `    const limit = Math.min(Number(req.query.limit) || 50, ${100 + Math.floor(rand() * 100)});`,
        `    const { rows } = await pool.query('SELECT * FROM ${w}s WHERE id = $1 LIMIT $2', [req.params.id, limit]);`,
        '    const total = rows.reduce((sum, r) => sum + (r.amount || 0), 0);',
        "    if (!rows.length) return res.status(404).json({ error: 'not found' });",
        '    res.json({ items: rows, total });',
        '  } catch (err) {',
        '    next(err);',
        '  }',
        '});',
        '',
      );
    } else if (kind === 'nestjs') {
      lines.push(`  @Get(':id/${f}')`, `  async ${fn}(@Param('id') id: string): Promise<{ items: unknown[]; total: number }> {`, `    const items = [{ id, amount: ${Math.floor(rand() * 100)} }].filter((x) => x.amount >= 0);`, '    if (!items.length) throw new NotFoundException();', '    return { items, total: items.reduce((s, x) => s + x.amount, 0) };', '  }', '');
    } else {
      lines.push(`export async function ${fn}(req: NextApiRequest, res: NextApiResponse) {`, `  const limit = Math.min(Number(req.query.limit) || 50, ${100 + Math.floor(rand() * 100)});`, `  const items = Array.from({ length: limit }, (_, k) => ({ id: k, kind: '${w}' }));`, '  res.status(200).json({ items });', '}', '');
    }
  }
  if (kind === 'nestjs') lines.push('}');
  if (kind === 'express') {
    if (planted) lines.push('router.use((err, req, res, next) => {', '  res.status(500).json({ error: err.message, stack: err.stack });', '});');
    lines.push('module.exports = router;');
  }
  return `${lines.join('\n')}\n`;
}

const VERBS = ['get', 'list', 'load', 'find', 'sync', 'update', 'export', 'compute'];
function pickVerb(rand: () => number): string {
  return VERBS[Math.floor(rand() * VERBS.length)]!;
}
