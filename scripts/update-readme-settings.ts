import { readFileSync, writeFileSync } from 'node:fs';
import { settingsMarkdownTable } from '../src/server/settings-table.js';

// Rewrites the settings table between the README markers from src/server/settings.ts.
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const start = '<!-- settings:start -->';
const end = '<!-- settings:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < 0) throw new Error('README.md lacks the settings markers');
writeFileSync(path, `${readme.slice(0, a + start.length)}\n${settingsMarkdownTable()}\n${readme.slice(b)}`);
console.log('README.md settings table updated');
