import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/server/settings.js';

// The Dockerfile cannot be built here (no Docker engine), and the systemd unit is not started; these checks
// keep both in step with the code, so a new default port or a moved entry point fails here.

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = 'node_modules/skein/dist/server/main.js';
/** Port settings that are off unless another setting turns them on, so the image does not expose them. */
const OFF_BY_DEFAULT = new Set(['SCRIBE_PORT']);
/** Ports Skein connects to (databases, brokers), not ports it listens on. */
const CLIENT_SIDE = /^(POSTGRES|MYSQL|CLICKHOUSE|KAFKA|RABBIT|ACTIVEMQ|REDIS)_/;
const UDP = new Set(['JAEGER_AGENT_COMPACT_PORT', 'JAEGER_AGENT_BINARY_PORT']);

describe('deploy files', () => {
  it('the Dockerfile exposes every port that is on by default, and starts the packed entry point', async () => {
    const dockerfile = await readFile(`${ROOT}Dockerfile`, 'utf8');
    const exposed = new Set(/^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/));
    const expected = SETTINGS.filter((s) => s.type.startsWith('port') && /^\d+$/.test(s.default))
      .filter((s) => !OFF_BY_DEFAULT.has(s.env) && !CLIENT_SIDE.test(s.env))
      .map((s) => `${s.default}${UDP.has(s.env) ? '/udp' : ''}`);
    expect([...exposed].sort()).toEqual(expected.sort());
    expect(dockerfile).toContain(`ENTRYPOINT ["node", "/app/${ENTRY}"]`);
  });

  it('the systemd unit verifies and starts the packed entry point with SKEIN_CONFIG', async () => {
    const unit = await readFile(`${ROOT}deploy/skein.service`, 'utf8');
    expect(unit).toContain(`ExecStart=/usr/bin/node /opt/skein/${ENTRY}`);
    expect(unit).toContain('Environment=SKEIN_CONFIG=/etc/skein/skein.yaml');
    // systemd-analyze ships with systemd on Debian; it checks the unit's syntax and directives.
    const { stderr } = await run('systemd-analyze', ['verify', `${ROOT}deploy/skein.service`]).catch(
      (e: { stderr: string }) => ({ stderr: e.stderr }),
    );
    expect(stderr).toBe('');
  });

  it('the packed package carries the entry point both start', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).toContain('dist/server/main.js');
    expect(files).toContain('ui/dist/index.html');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });
});
