import { defineRule } from '../src/engine/rule.js';
import type { PyCall, PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, literalValue, ts, unwrap, type ScriptModule } from '../src/parsers/script.js';
import { enclosingPyFunction, within } from './_shared/routes.js';
import { jsHasEscape, jsMemberRegex, someJsMember, someMatch } from './_shared/triggers.js';

/** Text that reads like SQL: the literal parts of a dynamically built query must contain one of these. */
const SQL_WORDS = /\b(select\s[\s\S]*\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|where\s|order\s+by|group\s+by|values\s*\(|drop\s+table|create\s+table|alter\s+table|pragma\s|truncate\s|limit\s)/i;
/** The word stems of SQL_WORDS, for the trigger (a literal's text is decoded, so whitespace after them may be an escape). */
const SQL_KEYWORDS = /select|insert|update|delete|where|order|group|values|drop|create|alter|pragma|truncate|limit/i;
/** Python methods that run SQL text (cursor/connection/session/engine/Django raw). */
const PY_SQL_METHODS = new Set(['execute', 'executemany', 'executescript', 'exec_driver_sql', 'raw', 'mogrify', 'read_sql', 'read_sql_query', 'fetch', 'fetchrow', 'fetchval']);
/** JS methods that run SQL text (pg/mysql2 query, sequelize.query, knex.raw/whereRaw, Prisma unsafe, postgres.js unsafe). */
const JS_SQL_METHODS = new Set(['query', 'execute', 'raw', 'whereRaw', 'orWhereRaw', 'havingRaw', 'orderByRaw', 'joinRaw', 'selectRaw', 'fromRaw', '$queryRawUnsafe', '$executeRawUnsafe', 'unsafe', 'exec', 'run', 'all', 'get', 'prepare']);
/** JS methods in that list that are only SQL on a database-looking receiver (`db.run`, `stmt.all`), not `app.get`. */
const JS_AMBIGUOUS = new Set(['exec', 'run', 'all', 'get', 'prepare', 'execute', 'query']);

/**
 * A keyword of SQL_WORDS as source text shows it inside a literal: the stem, then what can follow it
 * there: whitespace, an escape (`\\n`), the end of the literal (`"... WHERE" + x`: the parts are
 * joined with a space) or a substitution (`${`); `values` may also be followed by `(`. No word
 * boundary before it: `"\\nWHERE"` has a letter there.
 */
const JS_SQL_STEM = /(?:select|insert|update|delete|where|order|group|drop|create|alter|pragma|truncate|limit)(?=[\s\\'"`$])|values(?=[\s\\'"`$(])/i;
/**
 * A binary `+` with a string literal operand: dynamicJs takes SQL_WORDS from the literal parts of
 * the `+` chain, so one of them is a literal, and every part of a chain is an operand of a `+`.
 * The literal's closing quote comes before the `+` (past whitespace, comments, `)`, `!`, an
 * `as`/`satisfies` type), or its opening quote after it (past whitespace, comments, `(`).
 */
const JS_LITERAL_PLUS = new RegExp(String.raw`['"\x60](?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n|[)!]|\b(?:as|satisfies)\b[^+;\n]*)*\+(?!=)|\+(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n|\()*['"\x60]`);
const JS_SQL_ANY_RECEIVER = jsMemberRegex([...JS_SQL_METHODS].filter((m) => !JS_AMBIGUOUS.has(m)));
const JS_SQL_DB_RECEIVER = jsMemberRegex(JS_AMBIGUOUS);
/** dbReceiver's name tests, on the receiver's last identifier. */
const DB_NAME = /^(pool|client|db|database|conn|connection|knex|sequelize|prisma|sql|trx|tx|transaction|pg|mysql|pgPool|dbPool|queryRunner|manager|dataSource|entityManager|em|stmt|statement|sqlite)$/i;
const DB_NAME_SUFFIX = /(Pool|Client|Db|Database|Connection|Repository|Knex|Sequelize)$/;
/** The same names anywhere in the text, for receivers that are not a plain identifier (`(db as any).query`, `this['db'].query`). */
const DB_NAME_ANYWHERE = /(?<![\w$])(pool|client|db|database|conn|connection|knex|sequelize|prisma|sql|trx|tx|transaction|pg|mysql|pgPool|dbPool|queryRunner|manager|dataSource|entityManager|em|stmt|statement|sqlite)(?![\w$])|(Pool|Client|Db|Database|Connection|Repository|Knex|Sequelize)(?![\w$])|prepare/i;
/** A module dbReceiver's instanceOf test accepts, named in the text (an import, or the unimported callee itself: `knex(...)`). */
const DB_MODULE = /(?<![\w$])(pg|mysql2?|better-sqlite3|sqlite3|knex|sequelize|@prisma\/client|postgres|typeorm|mssql|oracledb)(?!\w)/;

/**
 * Could a call in the text be one the JS check inspects? A member of JS_SQL_METHODS that needs no
 * database receiver, or an ambiguous one (`.get`, `.all`, `.query`...) on a receiver dbReceiver
 * could accept: its last identifier is a database name, or it is not a plain identifier and such a
 * name (or `prepare`: `db.prepare(sql).all()`) is in the text, or a database module is named, so
 * any variable may be an instance of it.
 */
function jsSqlCall(text: string): boolean {
  if (someMatch(text, JS_SQL_ANY_RECEIVER, () => true)) return true;
  const dbModule = DB_MODULE.test(text);
  return someJsMember(text, JS_SQL_DB_RECEIVER, (r) => dbModule || (r === undefined ? DB_NAME_ANYWHERE.test(text) : DB_NAME.test(r) || DB_NAME_SUFFIX.test(r)));
}

type How = 'an f-string' | '% formatting' | 'str.format()' | 'string concatenation' | 'a template literal';

export default defineRule({
  meta: {
    id: 'sql-injection',
    title: 'SQL built from strings',
    category: 'security',
    severity: 'critical',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-89'],
    // Every report needs SQL_WORDS in a string literal of this file, so one of its keywords is in the
    // text (unless spelled with \x/\u escapes: then the file is always parsed). Python also needs a
    // call whose method is in PY_SQL_METHODS (callees are source text) or sqlalchemy's text().
    // JS (this file's syntax only): a template substitution (`${`) or a `+` with a string literal
    // operand (JS_LITERAL_PLUS);
    // a keyword of SQL_WORDS followed by what may follow it in a literal (JS_SQL_STEM); and a call
    // `.<JS_SQL_METHODS member>` whose receiver dbReceiver could accept (jsSqlCall). An escape can
    // spell a keyword or a name, so a file with one is parsed whenever it builds strings.
    triggers: [
      (text, _o, kind) =>
        kind === 'python'
          ? (SQL_KEYWORDS.test(text) || /\\[xuU]/.test(text)) && /execute|\braw\b|mogrify|read_sql|fetch|exec_driver_sql|sqlalchemy/.test(text)
          : (text.includes('${') || JS_LITERAL_PLUS.test(text)) && (jsHasEscape(text) || (JS_SQL_STEM.test(text) && jsSqlCall(text))),
    ],
    messages: {
      built: 'SQL built with {how} is passed to {callee}.',
      builtVia: 'SQL built with {how} (in "{name}") is passed to {callee}.',
    },
    docs: {
      why:
        'When values are pasted into SQL text, a value containing a quote changes the query: `\' OR 1=1 --` logs in as anyone, `; DROP TABLE users` deletes data, and UNION queries read other tables. Escaping by hand always misses a case. Query parameters send values separately from the SQL, so the database never parses them as SQL.',
      fix:
        'Pass values as parameters: `cursor.execute("SELECT * FROM users WHERE email = %s", (email,))` (sqlite3 uses `?`), `db.session.execute(text("... WHERE id = :id"), {"id": user_id})`, `User.objects.raw("... WHERE id = %s", [uid])` or better the ORM; in Node `pool.query("... WHERE id = $1", [id])`, `knex.raw("... = ?", [id])`, `sequelize.query("... = :id", { replacements: { id } })`, Prisma\'s tagged `$queryRaw\\`...${id}\\``. Table or column names cannot be parameters: pick them from a fixed allow-list.',
      whenNotTo: 'Only literal text, upper-case constants and placeholder lists are interpolated: those are not reported.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html',
        'https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.text',
        'https://docs.djangoproject.com/en/stable/topics/db/sql/#passing-parameters-into-raw',
        'https://node-postgres.com/features/queries#parameterized-query',
        'https://cwe.mitre.org/data/definitions/89.html',
      ],
      examples: [
        { file: 'app.py', bad: 'cur.execute(f"SELECT * FROM users WHERE email = \'{email}\'")', good: 'cur.execute("SELECT * FROM users WHERE email = %s", (email,))' },
        { file: 'db.js', bad: 'pool.query(`SELECT * FROM users WHERE id = ${req.params.id}`)', good: "pool.query('SELECT * FROM users WHERE id = $1', [req.params.id])" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const call of py.calls) {
        const method = call.callee.split('.').at(-1) ?? '';
        const isText = /^sqlalchemy(\.sql)?(\.expression)?\.text$/.test(call.qualified);
        if (!isText && !PY_SQL_METHODS.has(method)) continue;
        if (!isText && call.callee === method && !/^(pandas|pd)\./.test(call.qualified)) continue; // a bare function named execute()
        // db.session.execute(text(f"...")) is reported once, at text().
        const sql = call.positional[0] ?? call.keyword('sql') ?? call.keyword('statement');
        if (!sql) continue;
        if (sql.kind === 'call' && /(^|\.)text$/.test(sql.call.qualified)) continue;
        const direct = dynamicPy(sql, py);
        if (direct) {
          ctx.report({ messageId: 'built', data: { how: direct, callee: `${call.callee}()` }, at: sql.range });
          continue;
        }
        if (sql.kind === 'name') {
          const built = pyAssignedDynamic(py, call, sql.id);
          if (built) ctx.report({ messageId: 'builtVia', data: { how: built, name: sql.id, callee: `${call.callee}()` }, at: sql.range });
        }
      }
    },

    script(ctx) {
      const { js } = ctx;
      for (const call of js.calls()) {
        if (call.isNew) continue;
        const e = call.node.expression;
        if (!ts.isPropertyAccessExpression(e)) continue;
        const method = e.name.text;
        if (!JS_SQL_METHODS.has(method)) continue;
        const receiver = dotted(e.expression);
        if (JS_AMBIGUOUS.has(method) && !dbReceiver(receiver, e.expression, js)) continue;
        const sql = call.args[0];
        if (!sql) continue;
        const direct = dynamicJs(sql);
        if (direct) {
          ctx.report({ messageId: 'built', data: { how: direct, callee: `${call.callee || method}()` }, at: js.range(sql) });
          continue;
        }
        const u = unwrap(sql);
        if (ts.isIdentifier(u)) {
          const init = jsAssignedDynamic(u, js);
          if (init) ctx.report({ messageId: 'builtVia', data: { how: init, name: u.text, callee: `${call.callee || method}()` }, at: js.range(sql) });
        }
      }
    },
  },
});

// ---------------------------------------------------------------- Python

function dynamicPy(e: PyExpr, py: PyModule): How | undefined {
  if (e.kind === 'fstring') {
    if (!SQL_WORDS.test(e.literal)) return undefined;
    return e.interpolations.some((i) => !constantPy(i, py)) ? 'an f-string' : undefined;
  }
  if (e.kind === 'binop' && e.op === '%') {
    const lit = literalText(e.left);
    if (lit === undefined || !SQL_WORDS.test(lit)) return undefined;
    const args = e.right.kind === 'tuple' ? e.right.elements : e.right.kind === 'dict' ? e.right.entries.map((x) => x.value) : [e.right];
    return args.some((a) => !constantPy(a, py)) ? '% formatting' : undefined;
  }
  if (e.kind === 'call' && e.call.func.kind === 'attr' && e.call.func.attr === 'format') {
    const lit = literalText(e.call.func.object);
    if (lit === undefined || !SQL_WORDS.test(lit)) return undefined;
    return e.call.args.some((a) => !constantPy(a.value, py)) ? 'str.format()' : undefined;
  }
  if (e.kind === 'binop' && e.op === '+') {
    const parts = flattenPlus(e);
    const lit = parts.map(literalText).filter((x): x is string => x !== undefined).join(' ');
    if (!SQL_WORDS.test(lit)) return undefined;
    return parts.some((p) => literalText(p) === undefined && !constantPy(p, py)) ? 'string concatenation' : undefined;
  }
  return undefined;
}

function flattenPlus(e: PyExpr): PyExpr[] {
  return e.kind === 'binop' && e.op === '+' ? [...flattenPlus(e.left), ...flattenPlus(e.right)] : [e];
}

function literalText(e: PyExpr): string | undefined {
  if (e.kind === 'str') return e.value;
  if (e.kind === 'fstring') return e.literal;
  if (e.kind === 'binop' && e.op === '+') {
    const l = literalText(e.left);
    const r = literalText(e.right);
    return l !== undefined || r !== undefined ? `${l ?? ''} ${r ?? ''}` : undefined;
  }
  return undefined;
}

/** Values that cannot carry input: literals, UPPER_CASE constants, placeholder lists (", ".join("?" * n)). */
function constantPy(e: PyExpr, py: PyModule): boolean {
  switch (e.kind) {
    case 'str':
    case 'num':
    case 'bool':
    case 'none':
      return true;
    case 'name':
      return /^[A-Z][A-Z0-9_]*$/.test(e.id);
    case 'attr':
      return /^[A-Z][A-Z0-9_]*$/.test(e.attr) || e.attr === '__tablename__' || e.attr === '_meta';
    case 'call': {
      // ",".join("?" * len(ids)) / ",".join(["%s"] * len(ids)) / ", ".join("?" for _ in ids)
      if (e.call.func.kind === 'attr' && e.call.func.attr === 'join' && e.call.func.object.kind === 'str') {
        const arg = e.call.positional[0];
        return !!arg && /^[^a-zA-Z]*(['"])(\?|%s|:\w+|\$\d+)\1/.test(arg.text.replace(/^[([]\s*/, ''));
      }
      if (/^(len|int|float)$/.test(e.call.callee)) return true;
      return false;
    }
    case 'binop':
      return constantPy(e.left, py) && constantPy(e.right, py);
    default:
      return false;
  }
}

/** `sql = f"..."` (or %, format, +) assigned in the same function before the call. */
function pyAssignedDynamic(py: PyModule, call: PyCall, name: string): How | undefined {
  const fn = enclosingPyFunction(py, call.range);
  const candidates = py.assignments.filter(
    (a) => a.target === name && a.range.start < call.range.start && (fn ? within(a.range, fn.bodyRange) : a.topLevel),
  );
  for (const a of candidates.reverse()) {
    const how = dynamicPy(a.value, py);
    if (how) return how;
    if (a.op === '+=' && (a.value.kind === 'fstring' || a.value.kind === 'name' || a.value.kind === 'subscript' || a.value.kind === 'call') && !constantPy(a.value, py)) {
      // sql += f" AND name = '{name}'"  /  sql += " AND name = '" + name + "'"
      const base = candidates.find((b) => b.op === '=' && literalText(b.value) !== undefined && SQL_WORDS.test(literalText(b.value)!));
      if (base && (a.value.kind !== 'fstring' || a.value.interpolations.some((i) => !constantPy(i, py)))) return a.value.kind === 'fstring' ? 'an f-string' : 'string concatenation';
    }
    if (a.op === '=') return undefined; // the latest plain assignment decides
  }
  return undefined;
}

// ---------------------------------------------------------------- JS / TS

/** Receivers that are database handles: pool, client, db, connection, knex, sequelize, prisma, sql, trx, stmt... */
function dbReceiver(receiver: string, expr: ts.Expression, js: ScriptModule): boolean {
  const head = receiver.split('.').at(-1) ?? '';
  if (/^(pool|client|db|database|conn|connection|knex|sequelize|prisma|sql|trx|tx|transaction|pg|mysql|pgPool|dbPool|queryRunner|manager|dataSource|entityManager|em|stmt|statement|sqlite)$/i.test(head)) return true;
  if (/(Pool|Client|Db|Database|Connection|Repository|Knex|Sequelize)$/.test(head)) return true;
  if (ts.isCallExpression(expr)) return /prepare$/.test(dotted(expr.expression)); // db.prepare(sql).all()
  const bound = js.instanceOf(receiver);
  return !!bound && /^(pg|mysql2?|better-sqlite3|sqlite3|knex|sequelize|@prisma\/client|postgres|typeorm|mssql|oracledb)\b/.test(bound);
}

function dynamicJs(node: ts.Expression): How | undefined {
  const e = unwrap(node);
  if (ts.isTemplateExpression(e)) {
    const text = e.head.text + e.templateSpans.map((s) => s.literal.text).join(' ');
    if (!SQL_WORDS.test(text)) return undefined;
    return e.templateSpans.some((s) => !constantJs(s.expression)) ? 'a template literal' : undefined;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const parts = flattenJsPlus(e);
    const text = parts.map((p) => literalValue(p)).filter((v): v is string => typeof v === 'string').join(' ');
    if (!SQL_WORDS.test(text)) return undefined;
    return parts.some((p) => typeof literalValue(p) !== 'string' && !constantJs(p)) ? 'string concatenation' : undefined;
  }
  return undefined;
}

function flattenJsPlus(e: ts.Expression): ts.Expression[] {
  const u = unwrap(e);
  if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken) return [...flattenJsPlus(u.left), ...flattenJsPlus(u.right)];
  return [u];
}

function constantJs(node: ts.Expression): boolean {
  const e = unwrap(node);
  if (literalValue(e) !== undefined) return true;
  if (ts.isIdentifier(e)) return /^[A-Z][A-Z0-9_]*$/.test(e.text);
  if (ts.isPropertyAccessExpression(e)) return /^[A-Z][A-Z0-9_]*$/.test(e.name.text) || e.name.text === 'length';
  // ids.map(() => '?').join(',') / ids.map((_, i) => `$${i + 1}`).join(', ')
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'join') {
    const inner = e.expression.expression;
    if (ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) && /^(map|fill)$/.test(inner.expression.name.text)) {
      const a = inner.arguments[0];
      if (a && (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && ts.isExpression(a.body)) {
        const b = unwrap(a.body);
        return typeof literalValue(b) === 'string' || (ts.isTemplateExpression(b) && /^\$?$/.test(b.head.text));
      }
      return typeof literalValue(a) === 'string';
    }
  }
  return false;
}

/** `const sql = \`...${x}...\`` declared in this file (the nearest declaration of that name). */
function jsAssignedDynamic(id: ts.Identifier, js: ScriptModule): How | undefined {
  let found: How | undefined;
  const visit = (n: ts.Node, depth: number): void => {
    if (found || depth > 200) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === id.text && n.initializer && n.end <= id.getStart(js.sf)) {
      found = dynamicJs(n.initializer);
    }
    ts.forEachChild(n, (c) => visit(c, depth + 1));
  };
  const fn = enclosing(id);
  visit(fn ?? js.sf, 0);
  return found;
}

function enclosing(n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return p;
  return undefined;
}

