/**
 * The Node read+regex floor: read every file of a list as UTF-8 and run three regexes over it
 * (the ones in tech-notes §6). `node dist/bench/floor.js <file-list>` prints files, MB, matches.
 */
import { readFileSync } from 'node:fs';

const PY = [/debug\s*=\s*True/g, /\b(eval|exec)\s*\(/g, /(secret|password|api_key)\s*=\s*['"][^'"]+['"]/gi];
const JS = [/\beval\s*\(/g, /child_process/g, /(secret|password|api_key)\s*[:=]\s*['"][^'"]+['"]/gi];

const list = readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean);
let bytes = 0;
let matches = 0;
for (const path of list) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue;
  }
  bytes += text.length;
  for (const re of path.endsWith('.py') ? PY : JS) matches += text.match(re)?.length ?? 0;
}
process.stdout.write(`${list.length} files, ${(bytes / 1e6).toFixed(2)} MB, ${matches} matches\n`);
