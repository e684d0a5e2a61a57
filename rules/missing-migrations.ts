import { eolOf, insertAt, replace } from '../src/engine/edits.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import { defineRule } from '../src/engine/rule.js';
import type { ProjectContext, TextEdit, TextRange } from '../src/engine/types.js';
import type { PyCall, PyClass, PyModule } from '../src/parsers/python.js';
import { dotted, literalValue, objectProps, requiredModule, ts, unwrap, walk, type ScriptModule } from '../src/parsers/script.js';
import { getIn, isScalar, mapPairs, keyOf, seqItems } from '../src/parsers/yaml.js';
import { TRUTHY } from './_shared/config-files.js';
import { fileMemo, perFile, pyFileMemo, scriptFileMemo } from './_shared/project.js';
import { escapeRegex } from './_shared/triggers.js';
import { gatedByEnvironment, readsEnv as jsReadsEnv } from './_shared/js.js';

/** Alembic / Flask-Migrate setup on disk: an env.py or a versions/ script under migrations/ or alembic/, or alembic.ini. */
const ALEMBIC_FILE = /(^|\/)(migrations|alembic)\/(env\.py|versions\/[^/]+\.py)$|(^|\/)alembic\.ini$/;
/** A JS migration script (sequelize-cli, umzug, knex, TypeORM): any script file below a migrations/ folder, or a .sequelizerc. */
const JS_MIGRATION_FILE = /(^|\/)migrations\/(?:[^/]+\/)*[^/]+\.[cm]?[jt]s$|(^|\/)\.sequelizerc$/;
const DJANGO_MODEL_BASES = new Set([
  'django.db.models.Model',
  'django.contrib.gis.db.models.Model',
  'django.contrib.auth.models.AbstractUser',
  'django.contrib.auth.models.AbstractBaseUser',
  'django.contrib.auth.base_user.AbstractBaseUser',
]);
const DECLARATIVE_BASE_CLASSES = /(^|\.)(DeclarativeBase|DeclarativeBaseNoMeta)$/;
const DECLARATIVE_BASE_FACTORIES = /^sqlalchemy\.(orm|ext\.declarative)\.declarative_base$|(^|\.)generate_base$/;
const TYPEORM_CALLS = /^(typeorm\.(DataSource|createConnection|createConnections)|@nestjs\/typeorm\.TypeOrmModule\.forRoot(Async)?)$/;
const TYPEORM_OPTION_KEYS = ['type', 'entities', 'database', 'url', 'host', 'migrations', 'autoLoadEntities'];
/** package.json scripts that run when the app is built, installed, deployed or started. */
const LIFECYCLE_SCRIPT = /^(pre|post)?(start|build|install|deploy|release|serve)(:(prod|production|deploy))?$|^(vercel|heroku|render|railway|netlify)[-:]?(post)?build$|^heroku-postbuild$/;
const DB_PUSH = /\bprisma\s+db\s+push\b/;
/** Triggers for the json, env and Dockerfile checks (unchanged). */
const OTHER_TRIGGERS = ['sync', 'synchronize', 'SYNCHRONIZE', 'prisma'];
const PRISMA_FOLLOW_UP = 'npx prisma migrate dev --name init (on a development database), commit prisma/migrations, then deploy';
const DEV_GATE = "process.env.NODE_ENV === 'development'";

export default defineRule({
  meta: {
    id: 'missing-migrations',
    title: 'Database schema not managed by migrations',
    category: 'data',
    severity: 'high',
    confidence: 'medium',
    fixable: 'sometimes',
    effort: 'hours',
    cwe: ['CWE-1188'],
    // The script check reports only behind its own text tests (`.sync` for Sequelize, the word
    // `synchronize` for TypeORM), so those are the script trigger and `async` no longer matches.
    // The other kinds keep the words they need (ormconfig.json synchronize, prisma db push).
    triggers: [(text, _o, kind) => (kind === 'script' ? /\.sync\b|\bsynchronize\b/.test(text) : OTHER_TRIGGERS.some((w) => text.includes(w)))],
    messages: {
      createAll: '{call}() creates the schema at run time and the project has no Alembic or Flask-Migrate setup.',
      noSchemaManagement: '{count} SQLAlchemy model(s) are defined but nothing manages the schema: no migrations, no create_all().',
      djangoApp: 'Django app "{app}" defines {count} model(s) but has no migrations (no {app}/migrations/0001_*.py).',
      sequelizeSync: '{call}({options}) changes the database schema when the app starts{detail}.',
      typeormSynchronize: 'TypeORM synchronize: true rewrites the schema from the entities on every start-up.',
      typeormEnv: 'TYPEORM_SYNCHRONIZE={value} makes TypeORM rewrite the schema from the entities on every start-up.',
      prismaNoMigrations: 'Prisma schema defines {count} model(s) but there is no {dir}migrations/ folder.',
      prismaDbPush: 'The "{script}" script runs `prisma db push`{detail}, which changes the schema without a migration history.',
      prismaDbPushDocker: '{keyword} runs `prisma db push`{detail}, which changes the schema without a migration history.',
      knexNoMigrations: 'Knex is used but the project has no migrations folder or migrations config.',
    },
    docs: {
      why:
        'Without migrations there is no reviewed, repeatable record of schema changes: `create_all()` never alters an existing table, so a new column ships in code but not in the production database and the app fails at run time; Django models without migrations cannot be created or changed with `migrate`. Start-up schema sync is worse: Sequelize `sync({ force: true })` drops every table on each restart, `sync({ alter: true })`, TypeORM `synchronize: true` and `prisma db push` rewrite tables from the current models and can drop columns and their data. Several workers starting at once race to change the schema.',
      fix:
        'Manage the schema with migrations and run them as a deploy step: Flask-Migrate (`Migrate(app, db)`, then `flask db init && flask db migrate && flask db upgrade`) or Alembic (`alembic init alembic`) for SQLAlchemy; `python manage.py makemigrations` for Django; `sequelize-cli` or umzug migrations for Sequelize; `typeorm migration:generate` / `migration:run` for TypeORM; `prisma migrate dev` locally and `prisma migrate deploy` in production; `knex migrate:make` / `migrate:latest`. Keep `sync()` / `synchronize` for local development only, behind a NODE_ENV check. The fixes are unsafe: after wiring migrations you must generate the first migration (the follow-up command) and, for an existing database, mark it as applied; gating sync() stops creating tables in production until migrations run there.',
      whenNotTo:
        'Throw-away prototypes and in-memory test databases. Destructive start-up sync (force, alter, synchronize: true, prisma db push) is reported even when migrations exist, because it bypasses them.',
      references: [
        'https://flask-migrate.readthedocs.io/',
        'https://alembic.sqlalchemy.org/en/latest/tutorial.html',
        'https://docs.djangoproject.com/en/stable/topics/migrations/',
        'https://sequelize.org/docs/v6/core-concepts/model-basics/#model-synchronization',
        'https://typeorm.io/docs/advanced-topics/migrations/',
        'https://www.prisma.io/docs/orm/prisma-migrate/workflows/prototyping-your-schema',
        'https://knexjs.org/guide/migrations.html',
      ],
      examples: [
        { file: 'app.py', bad: 'db = SQLAlchemy(app)\nwith app.app_context():\n    db.create_all()', good: 'db = SQLAlchemy(app)\nmigrate = Migrate(app, db)  # flask db upgrade on deploy' },
        { file: 'server.js', bad: 'await sequelize.sync({ alter: true });', good: "if (process.env.NODE_ENV === 'development') await sequelize.sync();" },
        { file: 'data-source.ts', bad: 'synchronize: true,', good: "synchronize: process.env.NODE_ENV === 'development',\nmigrations: ['dist/migrations/*.js']," },
      ],
    },
  },
  check: {
    project(ctx) {
      const { project } = ctx;
      for (const app of project.apps) {
        const files = filesOf(project, app);
        checkPython(ctx.report, project, app, files);
        checkPrisma(ctx.report, project, files);
        checkKnex(ctx.report, project, files);
      }
    },

    script(ctx) {
      const { js, ast, project } = ctx;
      const files = filesOf(project, project.appOf(ctx.path));
      const migrated = files.some((f) => JS_MIGRATION_FILE.test(f));
      if (/\.sync\b/.test(ctx.text)) {
        for (const found of sequelizeSyncs(js)) {
          if (gated(found.call.node, ast)) continue;
          if (found.mode === 'plain' && migrated) continue;
          ctx.report({
            messageId: 'sequelizeSync',
            data: { call: found.call.callee, options: found.optionsText, detail: SYNC_DETAIL[found.mode] },
            at: found.call.range,
            severity: found.mode === 'force' ? 'critical' : 'high',
            fix: {
              title: 'Run sync() only when NODE_ENV is development',
              applicability: 'unsafe',
              edits: [gateCall(found.call.node, found.call.range, ast, ctx.text)],
              followUp: 'npx sequelize-cli migration:generate --name initial-schema (write the tables into it), then npx sequelize-cli db:migrate on every deploy',
            },
          });
        }
      }
      if (/\bsynchronize\b/.test(ctx.text) && (js.importsModule('typeorm') || js.importsModule('@nestjs/typeorm') || /(^|\/)(ormconfig|data-?source|typeorm[^/]*)\.[cm]?[jt]s$/i.test(ctx.path))) {
        for (const value of typeormSynchronize(js, ast)) {
          ctx.report({
            messageId: 'typeormSynchronize',
            at: js.range(value),
            fix: {
              title: 'Synchronize the schema only when NODE_ENV is development',
              applicability: 'unsafe',
              edits: [replace(js.range(value), DEV_GATE)],
              followUp: `npx typeorm migration:generate src/migrations/InitialSchema -d ${dataSourcePath(ctx.path, js)}, then npx typeorm migration:run -d ${dataSourcePath(ctx.path, js)} on every deploy`,
            },
          });
        }
      }
    },

    json(ctx) {
      const base = ctx.path.slice(ctx.path.lastIndexOf('/') + 1);
      if (base === 'ormconfig.json') {
        const configs = seqItems(ctx.doc.contents).length ? seqItems(ctx.doc.contents) : [ctx.doc.contents];
        for (const c of configs) {
          const v = getIn(c, ['synchronize']);
          if (!isScalar(v) || v.value !== true || !v.range) continue;
          const at = { start: v.range[0], end: v.range[1] };
          ctx.report({
            messageId: 'typeormSynchronize',
            at,
            fix: { title: 'Turn synchronize off', applicability: 'unsafe', edits: [replace(at, 'false')], followUp: 'npx typeorm migration:generate src/migrations/InitialSchema, then npx typeorm migration:run on every deploy' },
          });
        }
        return;
      }
      if (base !== 'package.json') return;
      const scripts = mapPairs(getIn(ctx.doc.contents, ['scripts']));
      const commands = new Map(scripts.map((p) => [keyOf(p), p]));
      // Scripts that run at start-up: lifecycle scripts and the scripts they call (`npm run db:push && node server.js`).
      const runAtStart = new Map<string, string>();
      for (const [name, pair] of commands) {
        if (!LIFECYCLE_SCRIPT.test(name) || !isScalar(pair.value)) continue;
        runAtStart.set(name, name);
        for (const m of String(pair.value.value).matchAll(/\b(?:npm run|yarn run|yarn|pnpm run|pnpm|bun run)\s+([\w:.-]+)/g)) {
          if (commands.has(m[1]!) && !runAtStart.has(m[1]!)) runAtStart.set(m[1]!, name);
        }
      }
      for (const [name, startedBy] of runAtStart) {
        const value = commands.get(name)!.value;
        if (!isScalar(value) || !value.range) continue;
        const command = String(value.value);
        const push = DB_PUSH.exec(command);
        if (!push) continue;
        const raw = ctx.text.slice(value.range[0], value.range[1]);
        const offset = raw.indexOf(push[0]);
        const pushRange = { start: value.range[0] + offset, end: value.range[0] + offset + push[0].length };
        const dataLoss = /--accept-data-loss|--force-reset/.test(command);
        ctx.report({
          messageId: 'prismaDbPush',
          data: { script: name, detail: `${startedBy === name ? '' : ` (run by "${startedBy}")`}${dataLoss ? ' and accepts data loss' : ''}` },
          at: { start: value.range[0], end: value.range[1] },
          severity: dataLoss ? 'critical' : 'high',
          fix:
            offset === -1
              ? undefined
              : {
                  title: 'Apply committed migrations with prisma migrate deploy',
                  applicability: 'unsafe',
                  edits: [replace(pushRange, 'prisma migrate deploy'), ...dropFlags(raw, value.range[0])],
                  followUp: PRISMA_FOLLOW_UP,
                },
        });
      }
    },

    env(ctx) {
      for (const e of ctx.entries) {
        if (e.key !== 'TYPEORM_SYNCHRONIZE' || !TRUTHY.test(e.value)) continue;
        ctx.report({
          messageId: 'typeormEnv',
          data: { value: e.value },
          at: e.valueRange,
          fix: { title: 'Set TYPEORM_SYNCHRONIZE to false', applicability: 'unsafe', edits: [replace(e.valueRange, `${e.quote}false${e.quote}`)], followUp: 'npx typeorm migration:generate src/migrations/InitialSchema, then npx typeorm migration:run on every deploy' },
        });
      }
    },

    dockerfile(ctx) {
      for (const ins of ctx.instructions) {
        if (!/^(RUN|CMD|ENTRYPOINT)$/.test(ins.keyword)) continue;
        const command = ins.exec ? ins.exec.join(' ') : ins.args;
        if (!DB_PUSH.test(command)) continue;
        const dataLoss = /--accept-data-loss|--force-reset/.test(command);
        const raw = ctx.text.slice(ins.argsRange.start, ins.argsRange.end);
        const push = DB_PUSH.exec(raw);
        ctx.report({
          messageId: 'prismaDbPushDocker',
          data: { keyword: ins.keyword, detail: dataLoss ? ' and accepts data loss' : '' },
          at: ins.range,
          severity: dataLoss ? 'critical' : 'high',
          fix: push
            ? {
                title: 'Apply committed migrations with prisma migrate deploy',
                applicability: 'unsafe',
                edits: [replace({ start: ins.argsRange.start + push.index, end: ins.argsRange.start + push.index + push[0].length }, 'prisma migrate deploy'), ...dropFlags(raw, ins.argsRange.start)],
                followUp: PRISMA_FOLLOW_UP,
              }
            : undefined,
        });
      }
    },
  },
});

type Report = ProjectContext<string, unknown>['report'];

const SYNC_DETAIL = {
  plain: ' instead of running migrations',
  alter: ': alter rewrites tables to match the models and can drop columns',
  force: ': force drops and re-creates every table, deleting all data',
} as const;

/** Files of one app (the deepest app root that contains them). */
function filesOf(project: ProjectFacts, app: App): readonly string[] {
  return project.filesOf(app);
}

function production(project: ProjectFacts, path: string): boolean {
  return project.contextOf(path) === 'production';
}

// ---------------------------------------------------------------- Python

const MODEL_HINT = /create_all|Model|declarative_base|DeclarativeBase|SQLAlchemy|SQLModel|Table\(|Migrate/;
const CORE_HINT = /create_all|declarative_base|DeclarativeBase|generate_base|SQLAlchemy|flask_sqlalchemy|SQLModel|Table\(|Migrate/;

function checkPython(report: Report, project: ProjectFacts, app: App, files: readonly string[]): void {
  const pyFiles = files.filter((f) => f.endsWith('.py'));
  if (pyFiles.length === 0) return;
  checkDjango(report, project, pyFiles, files);

  // Two tiers, so a Django or pydantic app's many `Model` modules are not all parsed: first the
  // modules that can bind the extension or a declarative base, call create_all / Migrate or define
  // a Table / SQLModel (each names one of CORE_HINT); then, of the other `Model` modules, only
  // those whose text names a bound name followed by `.Model`, or a base name: nothing else in
  // them can count as a model. The set and its file order are what one tier with `Model` gave.
  // What each module holds is a per-file part (cached), so a warm run parses none of them again.
  const texts = new Map<string, ModelText>();
  for (const f of pyFiles) {
    const t = perFile(MODEL_TEXT_IN, project, f);
    if (t) texts.set(f, t);
  }
  const candidates = [...texts.keys()];
  const core = new Map<string, CorePart>();
  for (const f of candidates) {
    const part = perFile(CORE_IN, project, f);
    if (part) core.set(f, part);
  }
  const migrated = files.some((f) => ALEMBIC_FILE.test(f)) || [...core.values()].some((c) => c.migrate);
  if (migrated) return;

  // Names bound to the SQLAlchemy extension (`db = SQLAlchemy()`) and declarative bases (`Base = declarative_base()`).
  const dbNames = new Set([...core.values()].flatMap((c) => c.dbNames));
  const baseNames = new Set([...core.values()].flatMap((c) => c.baseNames));
  const baseWord = baseNames.size ? new RegExp(`\\b(?:${[...baseNames].map(escapeRegex).join('|')})\\b`) : undefined;
  // `<name>.Model` can be an SQLAlchemy model (name resolved through imports: `d.Model` after
  // `from app import database as d`), except Django's `models.Model` when `models` comes from
  // django.db. Those names come with the module's text part; only a base name needs its text.
  const mayHoldModels = (f: string, t: ModelText): boolean => {
    const django = t.djangoModels && !dbNames.has('models');
    if (t.modelPrefixes.some((p) => !(django && p === 'models'))) return true;
    if (!baseWord) return false;
    const text = project.readText(f);
    return text !== undefined && baseWord.test(text);
  };
  const modules = new Map<string, ModelsPart>();
  for (const f of candidates) {
    const c = core.get(f);
    if (c) {
      modules.set(f, c);
      continue;
    }
    const part = mayHoldModels(f, texts.get(f)!) ? perFile(MODELS_IN, project, f) : undefined;
    if (part) modules.set(f, part);
  }

  let firstModel: { path: string; count: number } | undefined;
  let modelCount = 0;
  let createAlls = 0;
  for (const [path, m] of modules) {
    if (!production(project, path)) continue;
    const models = m.classes.filter((c) => isSqlAlchemyModel(c, m, dbNames, baseNames)).length + m.tables;
    if (models && !firstModel) firstModel = { path, count: models };
    modelCount += models;
    for (const call of m.createAlls) {
      if (!isCreateAll(call, m, dbNames)) continue;
      createAlls++;
      const py = project.python(path);
      report({ messageId: 'createAll', data: { call: call.callee }, file: path, at: call.range, fix: py && flaskMigrateFix(py, dbNames, project.dependency('flask-migrate', app) !== undefined) });
    }
  }
  if (createAlls === 0 && firstModel) report({ messageId: 'noSchemaManagement', data: { count: modelCount }, file: firstModel.path });
}

/** What a module holds that can make it an SQLAlchemy model module, independent of the app's bound names. */
interface ModelsPart {
  readonly classes: readonly { readonly name: string; readonly bases: readonly string[]; readonly sqlModelTable: boolean }[];
  /** `sqlalchemy.Table(...)` calls. */
  readonly tables: number;
  readonly createAlls: readonly { readonly callee: string; readonly range: TextRange; readonly head: string; readonly metadata: boolean; readonly bound: string }[];
  readonly flaskSqlalchemy: boolean;
}

/** A core module's part: its models, plus Migrate and the names it binds to the extension and to declarative bases. */
interface CorePart extends ModelsPart {
  readonly migrate: boolean;
  readonly dbNames: readonly string[];
  readonly baseNames: readonly string[];
}

/**
 * What a model module needs, from its text (cached per file, no parse): undefined when it names
 * none of MODEL_HINT; else the names written before `.Model` and whether it imports Django's
 * `models`. With those in the part, an edit elsewhere does not make the check read every model
 * module's text again (510 ms of a one-file run on the monorepo).
 */
interface ModelText {
  readonly modelPrefixes: readonly string[];
  readonly djangoModels: boolean;
}
const MODEL_REF = /(\w+)\s*\.\s*Model\b/g;
const DJANGO_MODELS_IMPORT = /^[ \t]*from[ \t]+django\.db[ \t]+import[^\n]*\bmodels\b/m;
const MODEL_TEXT_IN = fileMemo('missing-migrations.modelText', (project, path): ModelText | undefined => {
  const text = project.readText(path) ?? '';
  if (!MODEL_HINT.test(text)) return undefined;
  return { modelPrefixes: [...new Set(Array.from(text.matchAll(MODEL_REF), (m) => m[1]!))], djangoModels: DJANGO_MODELS_IMPORT.test(text) };
});

function modelsPart(py: PyModule): ModelsPart {
  return {
    // SQLModel classes are tables only with table=True.
    classes: py.classes.map((c) => ({ name: c.name, bases: c.bases, sqlModelTable: c.bases.includes('sqlmodel.SQLModel') && /\btable\s*=\s*True\b/.test(py.text.slice(c.range.start, c.bodyRange.start)) })),
    tables: py.calls.filter((c) => c.qualified === 'sqlalchemy.Table' || c.qualified === 'sqlalchemy.schema.Table').length,
    createAlls: py.calls
      .filter((c) => c.callee.endsWith('.create_all'))
      .map((c) => {
        const receiver = c.callee.slice(0, -'.create_all'.length);
        const bound = py.instanceOf(receiver) ?? '';
        const head = receiver.split('.').at(-1)!;
        return { callee: c.callee, range: c.range, head, metadata: head === 'metadata' || /^(sqlalchemy\.(MetaData|schema\.MetaData))$/.test(bound), bound };
      }),
    flaskSqlalchemy: py.importsModule('flask_sqlalchemy'),
  };
}

/** A second-tier module's part (asked only for modules mayHoldModels keeps; a tree with syntax errors still gives the calls and classes it could read). */
const MODELS_IN = pyFileMemo('missing-migrations.modelsIn', MODEL_HINT, modelsPart);

const CORE_IN = pyFileMemo('missing-migrations.coreIn', (text) => MODEL_HINT.test(text) && CORE_HINT.test(text), (py): CorePart => {
  const dbNames = new Set<string>();
  const baseNames = new Set<string>();
  for (const a of py.assignments) {
    if (a.targetExpr.kind !== 'name' || a.value.kind !== 'call') continue;
    const q = a.value.call.qualified;
    if (q === 'flask_sqlalchemy.SQLAlchemy' || q === 'flask_sqlalchemy.extension.SQLAlchemy') dbNames.add(a.target);
    if (DECLARATIVE_BASE_FACTORIES.test(q)) baseNames.add(a.target);
  }
  for (const c of py.classes) if (c.bases.some((b) => DECLARATIVE_BASE_CLASSES.test(b) && b.startsWith('sqlalchemy.'))) baseNames.add(c.name);
  return { ...modelsPart(py), migrate: py.calls.some((c) => c.qualified === 'flask_migrate.Migrate'), dbNames: [...dbNames], baseNames: [...baseNames] };
});

function checkDjango(report: Report, project: ProjectFacts, pyFiles: readonly string[], files: readonly string[]): void {
  // models.py, or a models/ package: the app folder is the one holding it.
  const modelFiles = pyFiles.filter((f) => production(project, f) && /(^|\/)models(\.py|\/[^/]+\.py)$/.test(f));
  if (modelFiles.length === 0) return;
  const parsed = new Map<string, DjangoClass[]>();
  for (const f of modelFiles) {
    const classes = perFile(DJANGO_MODELS_IN, project, f);
    if (classes) parsed.set(f, classes);
  }
  // Model class names across the project (abstract bases in one app are used in another), to a fixpoint.
  const modelNames = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const classes of parsed.values()) {
      for (const c of classes) {
        if (modelNames.has(c.name)) continue;
        if (c.bases.some((b) => DJANGO_MODEL_BASES.has(b) || (modelNames.has(b.split('.').at(-1)!) && (b === b.split('.').at(-1) || /\.models\.[^.]+$/.test(b))))) {
          modelNames.add(c.name);
          changed = true;
        }
      }
    }
  }
  const byApp = new Map<string, { path: string; cls: DjangoClass }[]>();
  for (const [path, classes] of parsed) {
    const appDir = path.replace(/(^|\/)models(\.py|\/[^/]+\.py)$/, '$1');
    for (const c of classes) {
      if (!modelNames.has(c.name) || c.abstract) continue;
      const list = byApp.get(appDir) ?? [];
      list.push({ path, cls: c });
      byApp.set(appDir, list);
    }
  }
  for (const [appDir, models] of byApp) {
    const migrations = new RegExp(`^${escapeRegex(appDir)}migrations/\\d{4}_[^/]*\\.py$`);
    if (files.some((f) => migrations.test(f))) continue;
    const first = models.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.cls.line - b.cls.line))[0]!;
    const app = appDir.replace(/\/$/, '') || '.';
    report({ messageId: 'djangoApp', data: { app, count: models.length }, file: first.path, at: first.cls.nameRange });
  }
}

/** A top-level class of a Django models module. */
interface DjangoClass { readonly name: string; readonly bases: readonly string[]; readonly abstract: boolean; readonly nameRange: TextRange; readonly line: number }

/** A models module that imports Django: its top-level classes (cached per file). */
const DJANGO_MODELS_IN = pyFileMemo('missing-migrations.djangoModelsIn', 'Model', (py): DjangoClass[] | undefined =>
  py.importsModule('django')
    ? py.classes.filter((c) => c.scope.classes.length === 0).map((c) => ({ name: c.name, bases: c.bases, abstract: isAbstract(py, c), nameRange: c.nameRange, line: c.line }))
    : undefined,
);

function isAbstract(py: PyModule, c: PyClass): boolean {
  return py.assignments.some((a) => a.target === 'abstract' && a.value.kind === 'bool' && a.value.value && a.scope.classes.at(-1) === 'Meta' && a.scope.classes.at(-2) === c.name);
}

function isSqlAlchemyModel(c: ModelsPart['classes'][number], m: ModelsPart, dbNames: ReadonlySet<string>, baseNames: ReadonlySet<string>): boolean {
  return c.bases.some((b) => {
    const parts = b.split('.');
    const last = parts.at(-1)!;
    if (last === 'Model' && parts.length >= 2 && (dbNames.has(parts.at(-2)!) || (parts.at(-2) === 'db' && m.flaskSqlalchemy))) return true;
    if (baseNames.has(last) && last !== c.name) return true;
    return b === 'sqlmodel.SQLModel' && c.sqlModelTable;
  });
}

/** `db.create_all()`, `Base.metadata.create_all(bind=engine)`, `SQLModel.metadata.create_all(engine)`, `metadata.create_all(engine)`. */
function isCreateAll(call: ModelsPart['createAlls'][number], m: ModelsPart, dbNames: ReadonlySet<string>): boolean {
  if (call.metadata) return true;
  return call.bound === 'flask_sqlalchemy.SQLAlchemy' || dbNames.has(call.head) || (call.head === 'db' && (m.flaskSqlalchemy || dbNames.size > 0));
}

/**
 * Flask-Migrate wiring next to where the extension meets the app: after `db = SQLAlchemy(app)`
 * or `db.init_app(app)` in the same file, `migrate = Migrate(app, db)`. Undefined when the file has neither.
 */
function flaskMigrateFix(py: PyModule, dbNames: ReadonlySet<string>, hasDependency: boolean) {
  let anchor: { call: PyCall; app: string; db: string } | undefined;
  for (const a of py.assignments) {
    if (a.targetExpr.kind !== 'name' || a.value.kind !== 'call' || a.value.call.qualified !== 'flask_sqlalchemy.SQLAlchemy') continue;
    const appArg = a.value.call.positional[0] ?? a.value.call.keyword('app');
    if (appArg?.kind === 'name') anchor = { call: a.value.call, app: appArg.id, db: a.target };
  }
  for (const c of py.calls) {
    if (anchor) break;
    if (!c.callee.endsWith('.init_app')) continue;
    const db = c.callee.slice(0, -'.init_app'.length);
    const appArg = c.positional[0];
    if ((dbNames.has(db) || py.instanceOf(db) === 'flask_sqlalchemy.SQLAlchemy') && appArg?.kind === 'name') anchor = { call: c, app: appArg.id, db };
  }
  if (!anchor) return undefined;
  const text = py.text;
  const eol = eolOf(text);
  const lineStart = text.lastIndexOf('\n', anchor.call.range.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const nl = text.indexOf('\n', anchor.call.range.end);
  const lineEnd = nl === -1 ? text.length : nl + 1;
  const topLevel = anchor.call.scope.functions.length === 0 && anchor.call.scope.classes.length === 0;
  const statement = `${indent}${topLevel ? 'migrate = ' : ''}Migrate(${anchor.app}, ${anchor.db})`;
  const edits: TextEdit[] = [insertAt(lineEnd, nl === -1 ? `${eol}${statement}` : `${statement}${eol}`)];
  if (!py.imports.some((i) => i.qualified === 'flask_migrate.Migrate')) {
    // Next to the flask_sqlalchemy import when there is one (top level), else where new imports go.
    const after = py.imports.find((i) => i.module === 'flask_sqlalchemy' && text.lastIndexOf('\n', i.range.start - 1) + 1 === i.range.start);
    const afterEnd = after ? text.indexOf('\n', after.range.end) : -1;
    const at = after ? (afterEnd === -1 ? text.length : afterEnd + 1) : py.importInsertOffset;
    edits.unshift(insertAt(at, `from flask_migrate import Migrate${eol}`));
  }
  return {
    title: 'Wire Flask-Migrate: Migrate(app, db)',
    applicability: 'unsafe' as const,
    edits,
    followUp: `${hasDependency ? '' : 'pip install Flask-Migrate (and add it to requirements), then '}flask db init && flask db migrate && flask db upgrade`,
  };
}

// ---------------------------------------------------------------- Prisma and Knex

function checkPrisma(report: Report, project: ProjectFacts, files: readonly string[]): void {
  for (const schema of files.filter((f) => /(^|\/)schema\.prisma$|(^|\/)prisma\/schema\/[^/]+\.prisma$/.test(f) && production(project, f))) {
    const text = project.readText(schema);
    if (text === undefined) continue;
    const models = prismaModels(text);
    if (models.length === 0) continue;
    const dir = schema.replace(/(schema\/)?[^/]+\.prisma$/, '');
    if (files.some((f) => f.startsWith(`${dir}migrations/`))) continue;
    report({ messageId: 'prismaNoMigrations', data: { count: models.length, dir }, file: schema, at: models[0]! });
  }
}

/** `model Name {` blocks of a Prisma schema (comments skipped), as the range of `model Name`. */
function prismaModels(text: string): TextRange[] {
  const out: TextRange[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const m = /^(\s*)(model\s+\w+)\s*\{/.exec(line.replace(/\/\/.*$/, ''));
    if (m) out.push({ start: offset + m[1]!.length, end: offset + m[1]!.length + m[2]!.length });
    offset += line.length + 1;
  }
  return out;
}

function checkKnex(report: Report, project: ProjectFacts, files: readonly string[]): void {
  const scripts = files.filter((f) => /\.[cm]?[jt]s$/.test(f) && production(project, f));
  const knexfiles = scripts.filter((f) => /(^|\/)knexfile\.[cm]?[jt]s$/.test(f));
  const inits: { path: string; range: TextRange }[] = [];
  const dirs: string[] = [];
  for (const f of scripts) {
    const part = perFile(KNEX_IN, project, f);
    if (!part) continue;
    for (const range of part.inits) inits.push({ path: f, range });
    dirs.push(...part.dirs);
  }
  if (inits.length === 0 && knexfiles.length === 0) return;
  const migrated = files.some((f) => JS_MIGRATION_FILE.test(f) || ALEMBIC_FILE.test(f)) || dirs.some((d) => files.some((f) => f.startsWith(`${d}/`)));
  if (migrated) return;
  const first = inits[0];
  if (first) report({ messageId: 'knexNoMigrations', file: first.path, at: first.range, severity: 'medium' });
  else report({ messageId: 'knexNoMigrations', file: knexfiles[0]!, severity: 'medium' });
}

/**
 * One module's Knex setup (cached per file): the knex(...) calls that create a client, and the
 * migration directories its config names (`migrations: { directory: './db/migrations' }`).
 */
const KNEX_IN = scriptFileMemo('missing-migrations.knexIn', 'knex', (js, f) => {
  const inits: TextRange[] = [];
  const dirs: string[] = [];
  for (const call of js.calls()) {
    const inner = ts.isCallExpression(call.node.expression) ? requiredModule(call.node.expression) : undefined;
    if (inner === 'knex' || /^knex(\.knex|\.default|\.Knex)?$/.test(call.qualified) && js.importsModule('knex')) inits.push(call.range);
  }
  walk(js.sf, (node) => {
    if (!ts.isPropertyAssignment(node) || dotted(node.name) !== 'migrations') return;
    const dir = literalValue(objectProps(node.initializer).get('directory')?.value);
    if (typeof dir === 'string') dirs.push(joinPath(f, dir));
    else dirs.push(joinPath(f, './migrations'));
  });
  return { inits, dirs };
});

function joinPath(from: string, rel: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

// ---------------------------------------------------------------- Sequelize and TypeORM

interface SyncCall {
  readonly call: ReturnType<ScriptModule['calls']>[number];
  readonly mode: 'plain' | 'alter' | 'force';
  readonly optionsText: string;
}

function sequelizeSyncs(js: ScriptModule): SyncCall[] {
  const modelClasses = new Set<string>();
  walk(js.sf, (node) => {
    if (!ts.isClassDeclaration(node) || !node.name) return;
    const ext = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (ext && /^sequelize(\.Model)?$|^sequelize\.Model$/.test(js.qualify(dotted(ext.expression)))) modelClasses.add(node.name.text);
  });
  const out: SyncCall[] = [];
  for (const call of js.calls()) {
    if (call.isNew || !call.callee.endsWith('.sync')) continue;
    const receiver = call.callee.slice(0, -'.sync'.length);
    const bound = js.instanceOf(receiver) ?? '';
    const isSequelize =
      /(^|\.)sequelize$/i.test(receiver) ||
      /^sequelize(\.Sequelize|\.default)?$|^@sequelize\/core(\.Sequelize)?$|^sequelize-typescript\.Sequelize$/.test(bound) ||
      (/\.define$/.test(bound) && js.importsModule('sequelize')) ||
      modelClasses.has(receiver);
    if (!isSequelize) continue;
    const props = objectProps(call.args[0]);
    const force = literalValue(props.get('force')?.value) === true;
    const alterValue = props.get('alter')?.value;
    const alter = alterValue !== undefined && (literalValue(alterValue) === true || ts.isObjectLiteralExpression(unwrap(alterValue)));
    const optionsText = call.args[0] ? call.args[0].getText(js.sf).replace(/\s+/g, ' ') : '';
    out.push({ call, mode: force ? 'force' : alter ? 'alter' : 'plain', optionsText });
  }
  return out;
}

/** Gated by NODE_ENV (shared helper) or by an explicit env opt-in such as `if (process.env.DB_SYNC === 'true')`. */
function gated(node: ts.Node, sf: ts.SourceFile): boolean {
  if (gatedByEnvironment(node, sf)) return true;
  let child: ts.Node = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (ts.isIfStatement(p) && child !== p.expression && jsReadsEnv(p.expression)) return true;
    if (ts.isConditionalExpression(p) && child !== p.condition && jsReadsEnv(p.condition)) return true;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && child === p.right && jsReadsEnv(p.left)) return true;
  }
  return false;
}

/** `await sequelize.sync();` as a statement gets an `if (NODE_ENV === 'development')`; inside an expression the call becomes a conditional. */
function gateCall(node: ts.Node, range: TextRange, sf: ts.SourceFile, text: string): TextEdit {
  const parent = node.parent && ts.isAwaitExpression(node.parent) ? node.parent : node;
  const statement = parent.parent;
  if (statement && ts.isExpressionStatement(statement) && statement.expression === parent) {
    return insertAt(statement.getStart(sf), `if (${DEV_GATE}) `);
  }
  return replace(range, `(${DEV_GATE} ? ${text.slice(range.start, range.end)} : Promise.resolve())`);
}

/** `synchronize: true` in TypeORM options: passed to DataSource/forRoot, or an object shaped like connection options. */
function typeormSynchronize(js: ScriptModule, sf: ts.SourceFile): ts.Expression[] {
  const out: ts.Expression[] = [];
  walk(sf, (node) => {
    if (!ts.isObjectLiteralExpression(node)) return;
    const props = objectProps(node);
    const sync = props.get('synchronize');
    if (!sync || literalValue(sync.value) !== true) return;
    const passed = node.parent && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent)) && TYPEORM_CALLS.test(js.qualify(dotted(node.parent.expression)));
    if (!passed && !TYPEORM_OPTION_KEYS.some((k) => props.has(k))) return;
    if (gatedByEnvironment(sync.value, sf)) return;
    out.push(sync.value);
  });
  return out;
}

function dataSourcePath(path: string, js: ScriptModule): string {
  return js.calls().some((c) => c.isNew && js.qualify(c.callee) === 'typeorm.DataSource') ? path : 'src/data-source.ts';
}

/** Remove `--accept-data-loss` / `--force-reset` flags from a script string (raw JSON text at `base`). */
function dropFlags(raw: string, base: number): TextEdit[] {
  const out: TextEdit[] = [];
  for (const m of raw.matchAll(/\s+--(accept-data-loss|force-reset)\b/g)) out.push(replace({ start: base + m.index!, end: base + m.index! + m[0].length }, ''));
  return out;
}
