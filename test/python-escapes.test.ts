/**
 * String escapes in the Python facade: decoded as Python does, and a malformed escape (a
 * truncated `\x`, a `\U` past U+10FFFF: SyntaxErrors to Python) is kept as written instead of
 * making the whole file fail to parse.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initPython, parsePython } from '../src/parsers/python.js';

describe('Python string escapes', () => {
  before(async () => {
    await initPython();
  });

  it('decodes \\x, \\u and \\U escapes', () => {
    const py = parsePython('A = "\\x41\\u0042\\U00000043"\n');
    assert.deepEqual(py.strings.map((s) => s.value), ['ABC']);
  });

  it('keeps a truncated \\x and an out-of-range \\U as written, and still parses the file', () => {
    const py = parsePython('A = "bad \\x escape"\nB = "\\UFFFFFFFF"\nC = "ok"\n');
    assert.deepEqual(py.strings.map((s) => s.value), ['bad \\x escape', '\\UFFFFFFFF', 'ok']);
  });
});
