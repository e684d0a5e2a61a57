/**
 * src/parsers/script.ts sets every node's `parent` in its own first walk instead of asking
 * createSourceFile for them (setParentNodes). These tests hold it to what setParentNodes gives:
 * the same parent for every node, at any depth, and the node APIs that climb to the source file.
 * The same walk keeps the tree in pre-order for `walk` from the source file: it must visit and skip
 * exactly as a walk over forEachChild does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ts } from 'ts-morph';
import { parseScript, walk } from '../src/parsers/script.js';

/** Every node of a tree with its parent, in forEachChild pre-order. */
function parents(sf: ts.SourceFile): { kind: ts.SyntaxKind; pos: number; end: number; parent: string }[] {
  const out: { kind: ts.SyntaxKind; pos: number; end: number; parent: string }[] = [];
  const stack: ts.Node[] = [sf];
  while (stack.length) {
    const n = stack.pop()!;
    const kids: ts.Node[] = [];
    ts.forEachChild(n, (c) => {
      kids.push(c);
    });
    for (const c of kids) out.push({ kind: c.kind, pos: c.pos, end: c.end, parent: c.parent ? `${c.parent.kind}:${c.parent.pos}:${c.parent.end}` : 'none' });
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return out;
}

describe('script facade parent pointers', () => {
  const sources: [string, string][] = [
    ['app.ts', "import express from 'express';\nconst app = express();\n@Controller('x')\nclass A { @Post('login') login(@Body() b: Dto): void { if (b) { app.post('/y', (req, res) => res.send(`${req.ip}`)); } } }\nexport default app;\n"],
    ['server.js', "/** @type {import('x').Y} */\nconst { a, b: [c] } = require('m');\nmodule.exports = function f() { return a?.b?.[c] ?? new Map([[1, { k: () => c }]]); };\n"],
    ['page.tsx', 'export default function P({ x }: { x: string }) { return <div className={x}>{[1, 2].map((i) => <span key={i}>{i}</span>)}</div>; }\n'],
  ];
  for (const [path, text] of sources) {
    it(`gives ${path} the parents setParentNodes gives`, () => {
      const mine = parseScript(path, text).sf;
      const kind = path.endsWith('.tsx') ? ts.ScriptKind.TSX : path.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
      const theirs = ts.createSourceFile(path, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, kind);
      const a = parents(mine);
      assert.ok(a.length > 20);
      assert.deepEqual(a, parents(theirs));
    });
  }

  it('sets parents below the depth where requires stop being read', () => {
    // 700 nested arrays: deeper than the 500 levels the binding scan reads (TypeScript's own parser
    // runs out of stack a few thousand levels down).
    const depth = 700;
    const text = `const x = ${'['.repeat(depth)}require('deep')${']'.repeat(depth)};\nconst y = require('shallow');\n`;
    const js = parseScript('deep.js', text);
    assert.ok(js.modules.has('shallow'));
    assert.ok(!js.modules.has('deep'), 'the binding scan stops at depth 500, as before');
    // The deepest node, found without parents; then its parent chain up to the source file.
    let deepest: ts.Node = js.sf;
    let most = 0;
    const stack: [ts.Node, number][] = [[js.sf, 0]];
    while (stack.length) {
      const [n, d] = stack.pop()!;
      if (d > most) [deepest, most] = [n, d];
      ts.forEachChild(n, (c) => {
        stack.push([c, d + 1]);
      });
    }
    assert.ok(most > depth);
    let up = 0;
    for (let n: ts.Node | undefined = deepest; n !== js.sf; n = n.parent) {
      assert.ok(n, `no parent ${up} levels up`);
      up++;
    }
    assert.equal(up, most);
    // getSourceFile() and getText() climb the parents to the source file.
    assert.equal(deepest.getSourceFile(), js.sf);
    assert.equal(deepest.getText(), "'deep'");
  });

  it('walks a source file as a forEachChild walk does, skipping the subtrees the visitor refuses', () => {
    const text = "const a = require('a');\nfunction f(x) { return g(x, () => h([1, { k: x }])); }\nclass C { m() { if (a) { f(1); } else { new Map(); } } }\nexport { f };\n";
    const js = parseScript('w.ts', text);
    // The reference: the iterative forEachChild walk `walk` does from any other root.
    const reference = (refuse: (n: ts.Node) => boolean): string[] => {
      const seen: string[] = [];
      const stack: ts.Node[] = [js.sf];
      while (stack.length) {
        const n = stack.pop()!;
        seen.push(`${n.kind}:${n.pos}`);
        if (refuse(n)) continue;
        const kids: ts.Node[] = [];
        ts.forEachChild(n, (c) => {
          kids.push(c);
        });
        for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
      }
      return seen;
    };
    const refusals: ((n: ts.Node) => boolean)[] = [() => false, (n) => ts.isFunctionLike(n), (n) => ts.isBlock(n) || ts.isCallExpression(n), (n) => n.pos % 3 === 0, (n) => n.kind === ts.SyntaxKind.SourceFile];
    for (const refuse of refusals) {
      const seen: string[] = [];
      walk(js.sf, (n) => {
        seen.push(`${n.kind}:${n.pos}`);
        return !refuse(n);
      });
      assert.deepEqual(seen, reference(refuse));
    }
    assert.deepEqual(
      js.calls().map((c) => c.callee),
      ['require', 'g', 'h', 'f', 'Map'],
    );
  });
});
