import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from './config-error.js';
import { SETTINGS, type SettingKey } from './settings.js';

const BY_ENV = new Map<string, string>(SETTINGS.map((s) => [s.env, s.type]));

/**
 * Reads a SKEIN_CONFIG file: a flat YAML mapping from setting to value. A key is a setting's environment
 * name (QUERY_PORT) or its flag name without dashes in front (query-port), so one spelling of every
 * setting works in all three places. A list setting also takes a YAML list. Unknown keys, nested mappings
 * and an unreadable or malformed file are ConfigErrors naming the file, so a typo is never silently
 * ignored.
 */
export function readConfigFile(path: string): Partial<Record<SettingKey, string>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`SKEIN_CONFIG: cannot read ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ConfigError(`SKEIN_CONFIG: ${path} is not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`SKEIN_CONFIG: ${path} must be a mapping of setting: value`);
  }
  const out: Partial<Record<SettingKey, string>> = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const env = key.trim().toUpperCase().replace(/-/g, '_');
    const type = BY_ENV.get(env);
    if (type === undefined || env === 'SKEIN_CONFIG') {
      throw new ConfigError(`SKEIN_CONFIG: ${path}: unknown setting "${key}" (see --help for the names)`);
    }
    out[env as SettingKey] = scalar(path, key, value, type === 'list');
  }
  return out;
}

function scalar(path: string, key: string, value: unknown, list: boolean): string {
  if (value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (list && Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join(',');
  }
  throw new ConfigError(`SKEIN_CONFIG: ${path}: "${key}" must be a single value${list ? ' or a list' : ''}`);
}
