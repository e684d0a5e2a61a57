import type { App, ProjectFacts } from '../src/engine/facts.js';
import { defineRule } from '../src/engine/rule.js';
import type { TextRange } from '../src/engine/types.js';
import type { PyExpr, PyLoop, PyModule } from '../src/parsers/python.js';
import { dotted, ts, unwrap, walk, type ScriptModule } from '../src/parsers/script.js';
import { appMemo, appPyParts, perApp, pyExprsIn, pyFileMemo, walkPy } from './_shared/project.js';
import { within } from './_shared/routes.js';
import { jsHasEscape, JS_GAP, PY_GAP, jsMemberRegex, jsReceiverBefore, someMatch } from './_shared/triggers.js';

// ---------------------------------------------------------------- Python (Django ORM, SQLAlchemy, Flask-SQLAlchemy)

/** A call that runs a query: `Model.objects.filter(...)`, `Model.query.get(...)`, `db.session.query(...)`, `session.get(...)`, `get_object_or_404(...)`. */
const PY_QUERY_CALL = [
  /(^|\.)objects\.(get|filter|exclude|all|count|first|last|create|get_or_create|update_or_create|aggregate|exists|values|values_list|annotate|order_by|raw|in_bulk|earliest|latest)$/,
  /(^|\.)[A-Z]\w*\.query\.(get|get_or_404|filter|filter_by|first|first_or_404|all|count|one|one_or_none|order_by|join|paginate)$/,
  /(^|\.)(session|db\.session|Session)\.(query|get|execute|scalar|scalars|get_one)$/,
  /^(django\.shortcuts\.)?(get_object_or_404|get_list_or_404)$/,
  /^flask_sqlalchemy\..*\.(get_or_404|first_or_404|one_or_404)$/,
];
/** The loaders that fetch related rows with the parent query. */
const PY_EAGER = new Set(['select_related', 'prefetch_related', 'joinedload', 'selectinload', 'subqueryload', 'contains_eager', 'immediateload', 'options']);

function isPyQueryCall(callee: string, qualified: string): boolean {
  return PY_QUERY_CALL.some((r) => r.test(callee) || r.test(qualified));
}

/** Does the expression produce query results (a QuerySet, Model.query..., session.query/execute/scalars)? And does it eager-load? */
function pyQueryOrigin(e: PyExpr): { eager: boolean } | undefined {
  let query = false;
  let eager = false;
  walkPy(e, (x) => {
    if (x.kind === 'attr') {
      if (x.attr === 'objects' || (x.attr === 'query' && x.object.kind === 'name' && /^[A-Z]/.test(x.object.id))) query = true;
      if (PY_EAGER.has(x.attr)) eager = true;
    }
    if (x.kind === 'call') {
      const callee = x.call.callee;
      if (/(^|\.)(session|Session)\.(query|execute|scalars)$/.test(callee) || /^(get_list_or_404)$/.test(callee)) query = true;
      if (/(^|\.)(joinedload|selectinload|subqueryload|contains_eager)$/.test(x.call.qualified)) eager = true;
    }
  });
  return query ? { eager } : undefined;
}

/**
 * What pyQueryOrigin accepts, as the text must spell it (attribute and callee names are
 * identifiers, which have no escapes; PY_GAP is what may sit around the dot): an attribute
 * `.objects`; an attribute `.query` on a name starting with a capital (a non-ASCII letter may
 * follow it); a call on a callee ending in session/Session .query/.execute/.scalars; the callee
 * get_list_or_404 itself.
 */
const PY_QUERY_ORIGIN = new RegExp(
  String.raw`\.${PY_GAP}objects\b|[A-Z][\w\u00aa-\uffff]*${PY_GAP}\.${PY_GAP}query\b|(?:session|Session)${PY_GAP}\.${PY_GAP}(?:query|execute|scalars)\b|\bget_list_or_404\b`,
);

/** What a loop iterates: the expression itself, or the value a name was last bound to before the loop in the same function. */
function pyLoopSource(py: PyModule, loop: PyLoop): { expr: PyExpr; line: number } | undefined {
  const it = loop.iter;
  if (!it) return undefined;
  if (it.kind !== 'name') return { expr: it, line: lineOf(py.text, it.range.start) };
  const fn = loop.scope.functions.join('.');
  const bound = py.assignments
    .filter((a) => a.target === it.id && a.scope.functions.join('.') === fn && a.range.end <= loop.range.start)
    .at(-1);
  return bound ? { expr: bound.value, line: bound.line } : undefined;
}

/** Relationship attributes of the app's models that load lazily: SQLAlchemy relationship()/backref, Django ForeignKey/OneToOne/ManyToMany and related_name. */
function lazyRelationships(project: ProjectFacts, app: App): Set<string> {
  return perApp(LAZY_RELATIONSHIPS, project, app);
}
const LAZY_RELATIONSHIPS = appMemo('n-plus-one-query.lazyRelationships', (project, app) => new Set([...appPyParts(project, app, RELATIONSHIPS_IN)].flatMap(({ part }) => part)));

/** One module's lazily loading relationship attributes (the part of LAZY_RELATIONSHIPS the cache keeps per file). */
const RELATIONSHIPS_IN = pyFileMemo('n-plus-one-query.relationshipsIn', /relationship|ForeignKey|OneToOneField|ManyToManyField/, (py) => {
  const out = new Set<string>();
  for (const a of py.assignments) {
    if (a.scope.classes.length === 0 || a.value.kind !== 'call') continue;
    const call = a.value.call;
    const q = call.qualified || call.callee;
    const attr = a.target.split('.').at(-1)!.split(':')[0]!;
    if (/(^|\.)relationship$/.test(q)) {
      const lazy = call.keyword('lazy');
      if (lazy?.kind === 'str' && /^(joined|selectin|subquery|immediate)$/.test(lazy.value)) continue;
      out.add(attr);
      const backref = call.keyword('backref');
      if (backref?.kind === 'str') out.add(backref.value);
      if (backref?.kind === 'call' && backref.call.positional[0]?.kind === 'str') out.add(backref.call.positional[0].value);
    } else if (/(^|\.)(ForeignKey|OneToOneField|ManyToManyField)$/.test(q)) {
      out.add(attr);
      const related = call.keyword('related_name');
      if (related?.kind === 'str' && related.value !== '+') out.add(related.value);
    }
  }
  return [...out];
});

/** The loop variables: `for order in orders` -> ["order"], `for i, order in enumerate(orders)` -> ["i", "order"]. */
function loopTargets(loop: PyLoop): string[] {
  const t = loop.target;
  if (!t) return [];
  if (t.kind === 'name') return [t.id];
  if (t.kind === 'tuple' || t.kind === 'list') return t.elements.flatMap((e) => (e.kind === 'name' ? [e.id] : []));
  return [];
}

// ---------------------------------------------------------------- JS / TS (Prisma, Sequelize, TypeORM, Mongoose, SQL clients)

const PRISMA_OPS = new Set(['findMany', 'findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'count', 'aggregate', 'groupBy', 'create', 'update', 'upsert', 'delete']);
const MODEL_OPS = new Set(['findAll', 'findOne', 'findByPk', 'findAndCountAll', 'findOrCreate', 'count', 'find', 'findById', 'findOneBy', 'findBy', 'findOneOrFail', 'findOneByOrFail', 'findAndCount', 'countDocuments', 'aggregate', 'exists']);
const RAW_CLIENT = /^(this\.)?(pool|db|client|conn|connection|knex|sql|database|pg|mysql)$/i;
const ARRAY_LOOPS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every', 'find']);

/** Is this call a database query? (`prisma.post.findMany`, `Post.findAll`, `repo.find`, `pool.query`, `getRepository(Post).find`) */
function jsQueryCall(call: ts.CallExpression): string | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const recv = unwrap(callee.expression);
  const recvText = dotted(recv);
  const first = call.arguments[0];
  const fnArg = first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first));
  if (fnArg) return undefined; // users.find(u => ...) is an array method
  // prisma.user.findMany / this.prisma.user.findMany / tx.user.findMany
  if (PRISMA_OPS.has(method) && /(^|\.)(prisma|db|tx|client)\.\w+$/.test(recvText)) return `${recvText}.${method}`;
  if (MODEL_OPS.has(method)) {
    // Sequelize / Mongoose models (capitalised), TypeORM repositories and managers
    const last = recvText.split('.').at(-1) ?? '';
    if (/^[A-Z]/.test(last) || /(repo|repository|manager|model)$/i.test(last)) return `${recvText}.${method}`;
    if (ts.isCallExpression(recv) && /(^|\.)getRepository$/.test(dotted(recv.expression))) return `getRepository(...).${method}`;
  }
  if ((method === 'query' || method === 'execute' || method === 'oneOrNone' || method === 'one' || method === 'any') && RAW_CLIENT.test(recvText)) return `${recvText}.${method}`;
  if (/^(getMany|getOne|getRawMany|getRawOne|getCount)$/.test(method)) return `query builder .${method}`;
  return undefined;
}

/** The query call in an expression that produces rows (`await prisma.user.findMany(...)`), with whether it eager-loads relations. */
function jsQueryOrigin(e: ts.Expression): { eager: boolean } | undefined {
  let found = false;
  let eager = false;
  walk(e, (n) => {
    if (ts.isFunctionLike(n)) return false;
    if (ts.isCallExpression(n)) {
      if (jsQueryCall(n)) found = true;
      const callee = unwrap(n.expression);
      if (ts.isPropertyAccessExpression(callee) && /^(populate|leftJoinAndSelect|innerJoinAndSelect)$/.test(callee.name.text)) eager = true;
    }
    if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && /^(include|relations|populate)$/.test(n.name.text)) eager = true;
    return undefined;
  });
  return found ? { eager } : undefined;
}

/** The initializer a name was declared with in the nearest enclosing function (or module), before `at`. */
function declaredValue(name: string, at: ts.Node, sf: ts.SourceFile): ts.Expression | undefined {
  let scope: ts.Node | undefined = at.parent;
  while (scope && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  if (!scope) return undefined;
  let found: ts.Expression | undefined;
  walk(scope, (n) => {
    if (n !== scope && ts.isFunctionLike(n)) return false;
    if (n.pos >= at.pos) return false;
    if (ts.isVariableDeclaration(n) && n.initializer) {
      if (ts.isIdentifier(n.name) && n.name.text === name) found = n.initializer;
      // const { rows } = await pool.query(...), const [users] = await conn.query(...)
      if ((ts.isObjectBindingPattern(n.name) || ts.isArrayBindingPattern(n.name)) && n.name.elements.some((el) => ts.isBindingElement(el) && ts.isIdentifier(el.name) && el.name.text === name)) found = n.initializer;
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === name) found = n.right;
    return undefined;
  });
  void sf;
  return found;
}

interface JsLoop {
  readonly node: ts.Node;
  readonly body: ts.Node;
  readonly collection: ts.Expression;
  readonly item: string | undefined;
}

function jsLoops(sf: ts.SourceFile): JsLoop[] {
  const out: JsLoop[] = [];
  walk(sf, (n) => {
    if (ts.isForOfStatement(n) || ts.isForInStatement(n)) {
      const decl = n.initializer;
      const item = ts.isVariableDeclarationList(decl) && decl.declarations[0] && ts.isIdentifier(decl.declarations[0].name) ? decl.declarations[0].name.text : undefined;
      out.push({ node: n, body: n.statement, collection: n.expression, item: ts.isForOfStatement(n) ? item : undefined });
    } else if (ts.isForStatement(n) && n.condition && ts.isBinaryExpression(n.condition)) {
      // for (let i = 0; i < rows.length; i++)
      const right = unwrap(n.condition.right);
      if (ts.isPropertyAccessExpression(right) && right.name.text === 'length') out.push({ node: n, body: n.statement, collection: right.expression, item: undefined });
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ARRAY_LOOPS.has(n.expression.name.text)) {
      const cb = n.arguments[0];
      if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) {
        const p = cb.parameters[0];
        out.push({ node: n, body: cb.body, collection: n.expression.expression, item: p && ts.isIdentifier(p.name) ? p.name.text : undefined });
      }
    }
  });
  return out;
}

/** Is the call awaited (directly, or returned from an async callback that Promise.all awaits)? */
function awaited(call: ts.CallExpression): boolean {
  let p: ts.Node = call.parent;
  while (p && (ts.isPropertyAccessExpression(p) || ts.isCallExpression(p) || ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p))) p = p.parent;
  if (!p) return false;
  if (ts.isAwaitExpression(p) || ts.isReturnStatement(p) || ts.isYieldExpression(p)) return true;
  if (ts.isArrowFunction(p) && p.body !== undefined) return true; // u => prisma.post.findMany(...)
  return false;
}

/** Every query method jsQueryCall accepts (Prisma, model/repository, raw client, query builder). */
const JS_QUERY_METHODS = jsMemberRegex([...PRISMA_OPS, ...MODEL_OPS, 'query', 'execute', 'oneOrNone', 'one', 'any', 'getMany', 'getOne', 'getRawMany', 'getRawOne', 'getCount']);
/** A Sequelize lazy getter call `.getPosts` (lazyGetterInLoop). */
const JS_GETTER = new RegExp(String.raw`\.${JS_GAP}get[A-Z]`);

/** More than `max` `.<query method>` accesses whose receiver jsQueryReceiver accepts. */
function jsQueryCallsExceed(text: string, max: number): boolean {
  let n = 0;
  return someMatch(text, JS_QUERY_METHODS, (dot) => jsQueryReceiver(text, jsReceiverBefore(text, dot), methodAt(text, dot)) && ++n > max);
}

/** The array methods jsLoops treats as loops. */
const JS_ARRAY_LOOPS = jsMemberRegex(ARRAY_LOOPS);

/**
 * Could the text hold a receiver jsQueryCall accepts for a query method, as the identifier before
 * the dot shows it: a Prisma model (`prisma.user.findMany`: the receiver's last name is any word,
 * so only the client name is checked, anywhere), a capitalised model or a *repo/*repository/
 * *manager/*model (MODEL_OPS), a raw client name (RAW_CLIENT), any receiver for the query builder
 * methods; a receiver that is not a plain identifier (`getRepository(Post).find`, `(db as any).query`)
 * is always accepted.
 */
function jsQueryReceiver(text: string, receiver: string | undefined, method: string): boolean {
  if (receiver === undefined || /^(getMany|getOne|getRawMany|getRawOne|getCount)$/.test(method)) return true;
  if (PRISMA_OPS.has(method) && /\b(prisma|db|tx|client)\b/.test(text)) return true;
  if (MODEL_OPS.has(method) && (/^[A-Z]/.test(receiver) || /(repo|repository|manager|model)$/i.test(receiver))) return true;
  return /^(query|execute|oneOrNone|one|any)$/.test(method) && RAW_CLIENT.test(receiver);
}

export default defineRule({
  meta: {
    id: 'n-plus-one-query',
    title: 'Query inside a loop over query results (N+1)',
    category: 'performance',
    severity: 'medium',
    confidence: 'medium',
    fixable: 'none',
    effort: 'hours',
    // Python: every report is inside a for loop or comprehension (`for`) whose source (the loop's
    // iterable, or the value its name was bound to in this file) pyQueryOrigin accepts, as
    // PY_QUERY_ORIGIN spells it (relationships come from other files and need no text here).
    // JS: the check is syntax of this file only (no cross-file resolution). Every report is in a
    // loop jsLoops finds (`for`, or `.forEach/.map/...` with a callback), over a collection whose
    // declared value holds a call jsQueryCall accepts: `.<query method>` with a receiver of the
    // right shape (jsQueryReceiver). A model imported from another file is still named here
    // (`Post.findAll`). The query run in the loop is a second such call (the loop body holds it, the
    // collection's value the first), or a lazy getter `item.getX()`. An escape can spell any name,
    // so a file with one is always parsed.
    triggers: [
      (text, _o, kind) =>
        kind === 'python'
          ? /\bfor\b/.test(text) && PY_QUERY_ORIGIN.test(text)
          : jsHasEscape(text) ||
            ((/\bfor\b/.test(text) || someMatch(text, JS_ARRAY_LOOPS, () => true)) &&
              jsQueryCallsExceed(text, JS_GETTER.test(text) ? 0 : 1)),
    ],
    messages: {
      queryInLoop: '{query} runs once per row of the query on line {sourceLine}: N+1 queries.',
      lazyInLoop: '"{item}.{relation}" loads a relationship once per row of the query on line {sourceLine}, which does not eager-load it ({eager}).',
      lazyGetterInLoop: '"{item}.{getter}()" loads an association once per row of the query on line {sourceLine}: N+1 queries.',
    },
    docs: {
      why:
        'A query per row of another query turns one page view into 1 + N round trips to the database: 50 orders with their customers is 51 queries, and the page gets slower in proportion to the data, which is exactly what grows in production (staging with ten rows never shows it). Each round trip costs network latency and a connection from the pool, so under load the pool runs dry and unrelated requests queue. Lazy relationships hide the extra queries behind attribute access (`order.customer.name`).',
      fix:
        'Fetch related rows with the parent query: Django `select_related("customer")` (foreign keys) and `prefetch_related("items")` (reverse and many-to-many); SQLAlchemy `options(joinedload(Order.customer), selectinload(Order.items))` or `lazy="selectin"` on the relationship; Prisma `include: { author: true }`; Sequelize `include: [Author]`; TypeORM `relations: ["author"]` or `leftJoinAndSelect`; Mongoose `.populate("author")`. Where a per-row lookup is unavoidable, collect the keys and run one `WHERE id IN (...)` query (`in_bulk`, `findMany({ where: { id: { in: ids } } })`) before the loop.',
      references: [
        'https://docs.djangoproject.com/en/stable/topics/db/optimization/#retrieve-everything-at-once-if-you-know-you-will-need-it',
        'https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html',
        'https://www.prisma.io/docs/orm/prisma-client/queries/query-optimization-performance#solving-n1-in-graphql-with-findunique-and-prismas-dataloader',
        'https://sequelize.org/docs/v6/advanced-association-concepts/eager-loading/',
        'https://typeorm.io/relations#eager-and-lazy-relations',
      ],
      examples: [
        {
          file: 'views.py',
          bad: 'for order in Order.objects.all():\n    print(order.customer.name)',
          good: 'for order in Order.objects.select_related("customer"):\n    print(order.customer.name)',
        },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      // The app's relationships are looked up only for a loop over a query that does not eager-load:
      // most files have none, and a file that never asks does not depend on every model module.
      let relations: Set<string> | undefined;
      const lazyOnes = () => (relations ??= lazyRelationships(ctx.project, ctx.project.appOf(ctx.path)));
      const reported = new Set<number>();
      for (const loop of py.loops) {
        if (loop.kind === 'while') continue;
        const src = pyLoopSource(py, loop);
        if (!src) continue;
        const origin = pyQueryOrigin(src.expr);
        if (!origin) continue;
        const body: TextRange = loop.bodyRange;
        for (const call of py.calls) {
          if (!within(call.range, body) || reported.has(call.range.start)) continue;
          if (loop.iter && within(call.range, loop.iter.range)) continue; // the query being iterated (comprehensions)
          if (!isPyQueryCall(call.callee, call.qualified)) continue;
          reported.add(call.range.start);
          ctx.report({ messageId: 'queryInLoop', data: { query: `${call.callee}()`, sourceLine: src.line }, at: call.range });
        }
        const items = loopTargets(loop);
        if (items.length === 0 || origin.eager || lazyOnes().size === 0) continue;
        const seen = new Set<string>();
        for (const e of pyExprsIn(py, body)) {
          walkPy(e, (x) => {
            if (x.kind !== 'attr' || x.object.kind !== 'name' || !items.includes(x.object.id)) return;
            const item = x.object.id;
            const rel = x.attr;
            const djangoReverse = rel.endsWith('_set') && py.importsModule('django');
            if ((!lazyOnes().has(rel) && !djangoReverse) || seen.has(rel) || reported.has(x.range.start)) return;
            seen.add(rel);
            reported.add(x.range.start);
            ctx.report({
              messageId: 'lazyInLoop',
              data: { item, relation: rel, sourceLine: src.line, eager: py.importsModule('django') ? 'select_related/prefetch_related' : 'joinedload/selectinload' },
              at: x.range,
            });
          });
        }
      }
    },
    script(ctx) {
      const { js } = ctx;
      const reported = new Set<number>();
      for (const loop of jsLoops(js.sf)) {
        let collection = unwrap(loop.collection);
        if (ts.isAwaitExpression(collection)) collection = unwrap(collection.expression);
        let source: ts.Expression | undefined = collection;
        if (ts.isIdentifier(collection)) source = declaredValue(collection.text, loop.node, js.sf);
        else if (ts.isPropertyAccessExpression(collection) && ts.isIdentifier(collection.expression)) {
          // const { rows } = await pool.query(...) / result.rows
          source = declaredValue(collection.expression.text, loop.node, js.sf);
        }
        if (!source) continue;
        const origin = jsQueryOrigin(source);
        if (!origin) continue;
        const sourceLine = js.line(source.getStart(js.sf));
        walk(loop.body, (n) => {
          if (!ts.isCallExpression(n)) return undefined;
          const start = n.getStart(js.sf);
          if (reported.has(start)) return undefined;
          const query = jsQueryCall(n);
          if (query && awaited(n)) {
            reported.add(start);
            ctx.report({ messageId: 'queryInLoop', data: { query: `${query}()`, sourceLine }, at: js.range(n) });
            return undefined;
          }
          // Sequelize lazy association getters on the loop item: await user.getPosts()
          const callee = unwrap(n.expression);
          if (!origin.eager && loop.item && ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === loop.item && /^get[A-Z]\w*$/.test(callee.name.text) && awaited(n)) {
            reported.add(start);
            ctx.report({ messageId: 'lazyGetterInLoop', data: { item: loop.item, getter: callee.name.text, sourceLine }, at: js.range(n) });
          }
          return undefined;
        });
      }
    },
  },
});

/** The member name after the dot at `dot` (past whitespace and comments). */
function methodAt(text: string, dot: number): string {
  AFTER_DOT.lastIndex = dot;
  return AFTER_DOT.exec(text)?.[1] ?? '';
}
const AFTER_DOT = new RegExp(String.raw`\.${JS_GAP}([\w$]+)`, 'y');

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

