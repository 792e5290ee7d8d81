import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsMarkdownTable } from '../../src/server/settings-table.js';
import { helpText } from '../../src/server/config.js';
import { SETTINGS } from '../../src/server/settings.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('carries the settings table generated from the code (regenerate: npm run docs:settings)', () => {
    const start = readme.indexOf('<!-- settings:start -->');
    const end = readme.indexOf('<!-- settings:end -->');
    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start + '<!-- settings:start -->'.length, end).trim()).toBe(settingsMarkdownTable());
  });

  it('--help lists every setting with its default', () => {
    const help = helpText();
    for (const s of SETTINGS) {
      expect(help).toContain(s.env);
      if (s.default !== '') expect(help).toContain(`default ${s.default}`);
    }
  });

  it('documents every Zipkin API route the server registers', () => {
    for (const route of ['/api/v2/services', '/api/v2/spans', '/api/v2/remoteServices', '/api/v2/traces', '/api/v2/trace/', '/api/v2/traceMany', '/api/v2/dependencies', '/api/v2/autocompleteKeys', '/api/v2/autocompleteValues', '/api/v1/spans', '/health', '/info', '/metrics', '/prometheus', '/zipkin/config.json']) {
      expect(readme).toContain(route);
    }
  });
});
