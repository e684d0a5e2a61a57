/** rules/_shared/routes.ts: route detection across frameworks, on real parse trees. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { appUses, authRouteKind, isStateChanging, pythonRoutes, scriptRoutes } from '../rules/_shared/routes.js';
import { initPython, parsePython } from '../src/parsers/python.js';
import { parseScript } from '../src/parsers/script.js';

before(async () => {
  await initPython();
});

describe('pythonRoutes', () => {
  it('finds Flask app and blueprint routes with methods, aliases and add_url_rule', () => {
    const py = parsePython(
      [
        'from flask import Flask as F, Blueprint',
        'app = F(__name__)',
        'auth = Blueprint("auth", __name__)',
        '@app.route("/login", methods=["GET", "POST"])',
        'def login():',
        '    return "x"',
        '@auth.post("/register")',
        'def register():',
        '    pass',
        '@app.route("/")',
        'def index():',
        '    pass',
        'def reset():',
        '    pass',
        'app.add_url_rule("/reset", view_func=reset, methods=["POST"])',
        'from flask_limiter import Limiter',
        'limiter = Limiter(app)',
        '@limiter.limit("5/minute")',
        'def not_a_route():',
        '    pass',
      ].join('\n'),
    );
    const routes = pythonRoutes(py);
    assert.deepEqual(
      routes.map((r) => [r.framework, r.path, r.methods.join('|'), r.handlerName, r.receiver, r.line]),
      [
        ['flask', '/login', 'GET|POST', 'login', 'app', 4],
        ['flask', '/register', 'POST', 'register', 'auth', 7],
        ['flask', '/', 'GET', 'index', 'app', 10],
        ['flask', '/reset', 'POST', 'reset', 'app', 15],
      ],
    );
    assert.equal(routes[3]!.handler?.name, 'reset');
    assert.deepEqual(routes.map((r) => authRouteKind(r)), ['login', 'register', undefined, 'reset']);
  });

  it('finds FastAPI routers and Django urlpatterns', () => {
    const fa = parsePython('from fastapi import APIRouter\nrouter = APIRouter()\n@router.post("/token")\nasync def token():\n    pass\n@router.api_route("/x", methods=["PUT"])\ndef x():\n    pass\n');
    assert.deepEqual(fa && pythonRoutes(fa).map((r) => [r.framework, r.path, r.methods.join('|')]), [
      ['fastapi', '/token', 'POST'],
      ['fastapi', '/x', 'PUT'],
    ]);
    const dj = parsePython('from django.urls import path, include\nfrom . import views\nurlpatterns = [\n    path("login/", views.login_view, name="login"),\n    path("api/", include("api.urls")),\n    path("reset/", views.ResetView.as_view()),\n]\n');
    const routes = pythonRoutes(dj, 'accounts/urls.py');
    assert.deepEqual(routes.map((r) => [r.framework, r.path, r.handlerName, r.line, authRouteKind(r)]), [
      ['django', 'login/', 'views.login_view', 4, 'login'],
      ['django', 'reset/', 'views.ResetView', 6, 'reset'],
    ]);
  });
});

describe('scriptRoutes', () => {
  it('finds Express routes (CJS), middleware, route() chains and resolves named handlers', () => {
    const js = parseScript(
      'server.js',
      [
        "const express = require('express');",
        "const rateLimit = require('express-rate-limit');",
        'const app = express();',
        'const router = express.Router();',
        "app.set('trust proxy', 1);",
        "app.get('env');",
        'const limiter = rateLimit({ windowMs: 1000 });',
        'function login(req, res) { res.send("ok"); }',
        "app.post('/login', limiter, login);",
        "router.route('/users').get((req, res) => res.json([])).delete(async (req, res) => {});",
        "app.use('/api', router);",
        'app.use(limiter);',
      ].join('\n'),
    );
    const routes = scriptRoutes(js);
    assert.deepEqual(
      routes.map((r) => [r.framework, r.path, r.methods.join('|'), r.line, r.middleware.length, !!r.handler]),
      [
        ['express', '/login', 'POST', 9, 1, true],
        ['express', '/users', 'GET', 10, 0, true],
        ['express', '/users', 'DELETE', 10, 0, true],
      ],
    );
    assert.equal(isStateChanging(routes[0]!), true);
    assert.equal(isStateChanging(routes[1]!), false);
    assert.deepEqual(appUses(js).map((u) => [u.path, u.middleware.length]), [
      ['/api', 1],
      [undefined, 1],
    ]);
  });

  it('finds NestJS controller routes with prefixes and guards, and ESM Express', () => {
    const js = parseScript(
      'src/auth/auth.controller.ts',
      [
        "import { Controller, Post, Get, UseGuards } from '@nestjs/common';",
        "import { ThrottlerGuard } from '@nestjs/throttler';",
        "@Controller('auth')",
        'export class AuthController {',
        "  @Post('login')",
        '  @UseGuards(ThrottlerGuard)',
        '  login() {}',
        '  @Get()',
        '  me() {}',
        '}',
      ].join('\n'),
    );
    const routes = scriptRoutes(js);
    assert.deepEqual(routes.map((r) => [r.framework, r.path, r.methods.join('|'), r.handlerName, r.line, r.middleware.length]), [
      ['nestjs', '/auth/login', 'POST', 'AuthController.login', 5, 1],
      ['nestjs', '/auth', 'GET', 'AuthController.me', 8, 0],
    ]);
    const esm = parseScript('src/app.ts', "import express, { Router } from 'express';\nconst r = Router();\nr.post('/signup', async (req, res) => {});\n");
    assert.deepEqual(scriptRoutes(esm).map((r) => [r.path, authRouteKind(r)]), [['/signup', 'register']]);
  });

  it('finds Next.js API routes from the file path', () => {
    const app = parseScript('app/api/auth/login/route.ts', 'export async function POST(req: Request) { return Response.json({}); }\nexport const GET = async () => new Response("");\n');
    assert.deepEqual(scriptRoutes(app, 'app/api/auth/login/route.ts').map((r) => [r.framework, r.path, r.methods.join('|')]), [
      ['nextjs', '/api/auth/login', 'POST'],
      ['nextjs', '/api/auth/login', 'GET'],
    ]);
    const pages = parseScript('pages/api/login.js', 'export default function handler(req, res) { res.status(200).end(); }\n');
    assert.deepEqual(scriptRoutes(pages, 'pages/api/login.js').map((r) => [r.path, authRouteKind(r)]), [['/api/login', 'login']]);
  });
});
