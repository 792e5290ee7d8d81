import { useSyncExternalStore } from 'react';

/** Whether times are shown in UTC or the browser's zone; remembered in localStorage. */
export type ZoneMode = 'local' | 'utc';

const KEY = 'skein.timeZone';
const CHANGE = 'skein:timezone';

function read(): ZoneMode {
  try {
    return localStorage.getItem(KEY) === 'utc' ? 'utc' : 'local';
  } catch {
    return 'local';
  }
}

let current: ZoneMode = typeof window === 'undefined' ? 'local' : read();

export function zoneMode(): ZoneMode {
  return current;
}

export function setZoneMode(m: ZoneMode): void {
  current = m;
  try {
    localStorage.setItem(KEY, m);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  window.dispatchEvent(new Event(CHANGE));
}

/** The IANA name of the zone in use ("UTC", "Europe/Berlin"). */
export function zoneName(m: ZoneMode = current): string {
  return m === 'utc' ? 'UTC' : (Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local');
}

/** Re-renders the caller when the zone switches. */
export function useZoneMode(): ZoneMode {
  return useSyncExternalStore(
    (cb) => {
      window.addEventListener(CHANGE, cb);
      return () => window.removeEventListener(CHANGE, cb);
    },
    () => current,
  );
}
