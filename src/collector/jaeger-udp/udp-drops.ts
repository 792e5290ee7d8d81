import { readFileSync } from 'node:fs';

/**
 * The kernel's count of datagrams dropped because a UDP socket's receive buffer was full, for the
 * socket bound to `port` (issue 15: the Jaeger UDP ports lost about 70% of 6,000 datagrams before Skein
 * read them, and nothing showed it). Linux only: read from the `drops` column of /proc/net/udp and
 * /proc/net/udp6, whose rows name the local port in hex. Undefined where those files are missing.
 */
export function udpReceiveDrops(port: number, read: (path: string) => string = readProc): number | undefined {
  let found = false;
  let drops = 0;
  for (const path of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = read(path);
    } catch {
      continue;
    }
    const n = dropsInTable(text, port);
    if (n !== undefined) {
      found = true;
      drops += n;
    }
  }
  return found ? drops : undefined;
}

/** Sums the drops column of the rows whose local port is `port`, in one /proc/net/udp{,6} table. */
export function dropsInTable(text: string, port: number): number | undefined {
  const lines = text.split('\n');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  // The header names "tx_queue rx_queue" and "tr tm->when" as single columns of a row's fields each split
  // in two ("00000000:00000000"), so the last column, drops, is counted from the end.
  if (header[header.length - 1] !== 'drops') return undefined;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let total: number | undefined;
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3) continue;
    const local = fields[1]!;
    if (local.slice(local.lastIndexOf(':') + 1) !== hexPort) continue;
    const drops = Number(fields[fields.length - 1]);
    if (Number.isFinite(drops)) total = (total ?? 0) + drops;
  }
  return total;
}

function readProc(path: string): string {
  return readFileSync(path, 'utf8');
}
