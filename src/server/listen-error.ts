import type { SettingKey } from './settings.js';

/**
 * A listener could not bind its port. Carries the setting that chose the port, so start-up can say what
 * to change ("set OTLP_HTTP_PORT to another port or off") instead of printing a stack trace.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly listener: string,
    readonly setting: SettingKey,
    readonly port: number,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is already in use' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
    const fix = setting === 'QUERY_PORT' ? 'set QUERY_PORT to a free port' : `set ${setting} to a free port, or to off`;
    super(`${listener} cannot listen on port ${port} (${setting}): ${why}; ${fix}`, { cause });
  }
}
