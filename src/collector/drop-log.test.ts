import { describe, expect, it } from 'vitest';
import { DropLog } from './drop-log.js';

function sink() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    warn: (obj: object, msg: string) =>
      lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg: string) =>
      lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

describe('DropLog', () => {
  it('names the transport, the client and the reason', () => {
    const s = sink();
    new DropLog(s).dropped('warn', 'otlp-http', '10.1.2.3', 'malformed', { err: 'bad varint' });
    expect(s.lines).toEqual([
      {
        level: 'warn',
        obj: { transport: 'otlp-http', client: '10.1.2.3', err: 'bad varint' },
        msg: 'dropped message: malformed',
      },
    ]);
  });

  it('logs a flood once per interval per transport and reason, then says how many it left out', () => {
    const s = sink();
    let t = 0;
    const log = new DropLog(s, 10_000, () => t);
    for (let i = 0; i < 5; i++) log.dropped('warn', 'http', `c${i}`, 'malformed');
    log.dropped('error', 'http', 'c9', 'storage failed to accept spans');
    log.dropped('warn', 'grpc', undefined, 'malformed');
    expect(s.lines.map((l) => [l.obj.transport, l.msg])).toEqual([
      ['http', 'dropped message: malformed'],
      ['http', 'dropped message: storage failed to accept spans'],
      ['grpc', 'dropped message: malformed'],
    ]);
    expect(s.lines[2]!.obj.client).toBe('unknown');
    t = 10_000;
    log.dropped('warn', 'http', 'c5', 'malformed');
    expect(s.lines[3]!.obj).toEqual({ transport: 'http', client: 'c5', suppressedSinceLast: 4 });
  });
});
