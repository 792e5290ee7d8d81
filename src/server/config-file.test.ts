import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, parseConfig, readRawConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-config-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `skein-${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('SKEIN_CONFIG file', () => {
  it('merges defaults, then the file, then the environment, then flags', () => {
    const path = file('QUERY_PORT: 9500\nquery-lookback: 3600000\nSTORAGE_TYPE: mem\n');
    const fromFile = parseConfig(readRawConfig({ SKEIN_CONFIG: path }, []));
    expect(fromFile.queryPort).toBe(9500);
    expect(fromFile.queryLookbackMs).toBe(3_600_000);
    expect(fromFile.storage.type).toBe('mem');

    const envWins = parseConfig(readRawConfig({ SKEIN_CONFIG: path, QUERY_PORT: '9600' }, []));
    expect(envWins.queryPort).toBe(9600);
    expect(envWins.queryLookbackMs).toBe(3_600_000);

    const flagWins = parseConfig(
      readRawConfig({ SKEIN_CONFIG: path, QUERY_PORT: '9600' }, ['--query-port', '9700']),
    );
    expect(flagWins.queryPort).toBe(9700);
  });

  it('is named by --skein-config too, which wins over SKEIN_CONFIG', () => {
    const a = file('QUERY_PORT: 9501\n');
    const b = file('QUERY_PORT: 9502\n');
    expect(parseConfig(readRawConfig({ SKEIN_CONFIG: a }, [`--skein-config=${b}`])).queryPort).toBe(9502);
    expect(parseConfig(readRawConfig({}, ['--skein-config', a])).queryPort).toBe(9501);
  });

  it('takes a YAML list for a list setting', () => {
    const path = file('AUTOCOMPLETE_KEYS:\n  - environment\n  - http.method\n');
    expect(parseConfig(readRawConfig({ SKEIN_CONFIG: path }, [])).storage.autocompleteKeys).toEqual([
      'environment',
      'http.method',
    ]);
  });

  it('refuses what it cannot use, naming the file and the key', () => {
    const unknown = file('QUERY_PROT: 9411\n');
    expect(() => readRawConfig({ SKEIN_CONFIG: unknown }, [])).toThrow(
      new ConfigError(`SKEIN_CONFIG: ${unknown}: unknown setting "QUERY_PROT" (see --help for the names)`),
    );
    const nested = file('QUERY_PORT:\n  value: 1\n');
    expect(() => readRawConfig({ SKEIN_CONFIG: nested }, [])).toThrow(/"QUERY_PORT" must be a single value/);
    const broken = file('QUERY_PORT: [9411\n');
    expect(() => readRawConfig({ SKEIN_CONFIG: broken }, [])).toThrow(/is not valid YAML/);
    expect(() => readRawConfig({ SKEIN_CONFIG: join(dir, 'missing.yaml') }, [])).toThrow(
      /cannot read .*missing\.yaml/,
    );
    // A value the file gives is validated like one from the environment.
    const bad = file('QUERY_PORT: 70000\n');
    expect(() => parseConfig(readRawConfig({ SKEIN_CONFIG: bad }, []))).toThrow(
      /QUERY_PORT: a port is 0-65535/,
    );
  });

  it('an empty file changes nothing', () => {
    const path = file('# nothing set yet\n');
    expect(parseConfig(readRawConfig({ SKEIN_CONFIG: path }, []))).toEqual(
      parseConfig(readRawConfig({}, [])),
    );
  });

  it('--help explains the order', () => {
    expect(helpText()).toContain('defaults, then the YAML file named by SKEIN_CONFIG');
  });
});
