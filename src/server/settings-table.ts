import { SETTINGS, flagName } from './settings.js';

/** The README's settings table, generated from SETTINGS so docs cannot drift (a test compares them). */
export function settingsMarkdownTable(): string {
  const rows = SETTINGS.map((s) => {
    const def = s.default === '' ? '(empty)' : `\`${s.default}\``;
    const values = 'values' in s ? ` (${s.values.join(', ')})` : '';
    return `| \`${s.env}\` | \`${flagName(s.env)}\` | ${def} | ${s.help}${values} |`;
  });
  return ['| Environment | Flag | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
