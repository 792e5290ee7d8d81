import { describe, expect, it } from 'vitest';
import { SessionTracker } from './session-tracker.js';

describe('SessionTracker', () => {
  it('ends once, with the first loss; a later loss or close neither tears down again nor changes why', async () => {
    const s = new SessionTracker();
    const torn: string[] = [];
    s.lost(new Error('first'), () => torn.push('first'));
    s.lost(new Error('second'), () => torn.push('second'));
    await s.close(
      async () => void torn.push('stop'),
      async () => void torn.push('shutdown'),
    );
    expect((await s.ended)?.message).toBe('first');
    expect(torn).toEqual(['first']);
  });

  it('close stops deliveries, waits for running handlers, then shuts down, and ends with no error', async () => {
    const s = new SessionTracker();
    const order: string[] = [];
    let finish!: () => void;
    s.track(new Promise<void>((r) => (finish = r)).then(() => void order.push('handler done')));
    s.track(Promise.reject(new Error('a failed ack')));
    const closed = s.close(
      async () => {
        order.push('stop');
        setTimeout(finish, 10);
      },
      async () => void order.push('shutdown'),
    );
    expect(s.closing).toBe(true);
    await closed;
    expect(order).toEqual(['stop', 'handler done', 'shutdown']);
    expect(await s.ended).toBeUndefined();
  });
});
