import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { dropsInTable, udpReceiveDrops } from './udp-drops.js';

const TABLE = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  512: 00000000:1AB7 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12345 2 0000000000000000 17
  513: 0100007F:1AB8 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12346 2 0000000000000000 0
`;

describe('udp receive drops', () => {
  it('reads the drops column of the rows bound to the port', () => {
    expect(dropsInTable(TABLE, 6839)).toBe(17);
    expect(dropsInTable(TABLE, 6840)).toBe(0);
    expect(dropsInTable(TABLE, 6841)).toBeUndefined();
    expect(dropsInTable('no header\n', 6839)).toBeUndefined();
  });

  it.skipIf(process.platform !== 'linux')('finds a real bound socket in /proc/net', async () => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    try {
      expect(udpReceiveDrops(socket.address().port)).toBe(0);
    } finally {
      socket.close();
    }
  });
});
