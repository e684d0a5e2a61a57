/** `npm run docs`: regenerate the README rules table from rule metadata. */
import { readFileSync, writeFileSync } from 'node:fs';
import { rules } from '../../rules/index.js';
import { BEGIN, END, renderRulesTable } from './rules-table.js';

const readme = readFileSync('README.md', 'utf8');
const a = readme.indexOf(BEGIN);
const b = readme.indexOf(END);
if (a === -1 || b === -1) {
  console.error('README.md has no rules-table markers');
  process.exit(2);
}
writeFileSync('README.md', readme.slice(0, a) + renderRulesTable(rules) + readme.slice(b + END.length));
console.log(`rules table: ${rules.length} rules`);
