/** `npm run docs`: regenerate the README's generated sections (rules table, command reference). */
import { readFileSync, writeFileSync } from 'node:fs';
import { rules } from '../../rules/index.js';
import { BEGIN, END, renderRulesTable } from './rules-table.js';
import { CLI_BEGIN, CLI_END, cliProgram, renderCliReference } from './cli-reference.js';

function splice(text: string, begin: string, end: string, body: string): string {
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a === -1 || b === -1) {
    console.error(`README.md has no ${begin} ... ${end} markers`);
    process.exit(2);
  }
  return text.slice(0, a) + body + text.slice(b + end.length);
}

let readme = readFileSync('README.md', 'utf8');
readme = splice(readme, BEGIN, END, renderRulesTable(rules));
readme = splice(readme, CLI_BEGIN, CLI_END, renderCliReference(await cliProgram()));
writeFileSync('README.md', readme);
console.log(`README: ${rules.length} rules, command reference regenerated`);
