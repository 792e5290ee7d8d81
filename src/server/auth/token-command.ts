import { ConfigError } from '../config-error.js';
import { createToken, ROLES, type Role } from './tokens.js';

export const TOKEN_USAGE = `usage: skein token create --role <${ROLES.join('|')}> [--name <name>] [--file <AUTH_TOKENS_FILE>]

Creates a token, appends its sha256 hash to the tokens file (AUTH_TOKENS_FILE unless --file; created with
mode 0600) and prints the token once on stdout. Skein re-reads the file on SIGHUP.`;

/**
 * `skein token create ...`: returns the text to print (the token). `env` gives AUTH_TOKENS_FILE when
 * --file is not passed. Errors are ConfigErrors with what to pass.
 */
export function runTokenCommand(args: readonly string[], env: NodeJS.ProcessEnv): string {
  if (args[0] !== 'create') throw new ConfigError(TOKEN_USAGE);
  const opts: Record<string, string> = {};
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const key = eq === -1 ? a : a.slice(0, eq);
    if (!['--role', '--name', '--file'].includes(key)) throw new ConfigError(`unknown option ${key}\n${TOKEN_USAGE}`);
    const value = eq === -1 ? args[++i] : a.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`${key} needs a value`);
    opts[key.slice(2)] = value;
  }
  const role = opts['role'];
  if (role === undefined || !ROLES.includes(role as Role))
    throw new ConfigError(`--role must be one of ${ROLES.join(', ')}\n${TOKEN_USAGE}`);
  const file = opts['file'] ?? env['AUTH_TOKENS_FILE'] ?? '';
  if (file === '') throw new ConfigError(`name the tokens file with --file or AUTH_TOKENS_FILE\n${TOKEN_USAGE}`);
  const name = opts['name'] ?? `${role}-${new Date().toISOString().slice(0, 10)}`;
  return createToken(file, role as Role, name);
}
