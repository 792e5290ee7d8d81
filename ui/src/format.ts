import { zoneMode } from './time-zone';

/** Microseconds as a short human duration: 850μs, 12.3ms, 1.25s, 2m 5s. */
export function formatDuration(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '—';
  const a = Math.abs(us);
  if (a < 1000) return `${trim(us, 0)}μs`;
  if (a < 1_000_000) return `${trim(us / 1000, a < 10_000 ? 2 : a < 100_000 ? 1 : 0)}ms`;
  if (a < 60_000_000) return `${trim(us / 1_000_000, a < 10_000_000 ? 2 : 1)}s`;
  const totalS = Math.round(us / 1_000_000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return h > 0 ? `${h}h ${m}m` : `${m}m ${s}s`;
}

function trim(n: number, digits: number): string {
  return Number(n.toFixed(digits)).toString();
}

const formatters = new Map<string, { dateTime: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

/** Formatters for the zone chosen in the header (UTC or local), made once per zone. */
function fmt(): { dateTime: Intl.DateTimeFormat; time: Intl.DateTimeFormat } {
  const mode = zoneMode();
  let f = formatters.get(mode);
  if (!f) {
    const timeZone = mode === 'utc' ? 'UTC' : undefined;
    f = {
      // The zone is always printed, so a copied time is never ambiguous.
      dateTime: new Intl.DateTimeFormat(undefined, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        timeZoneName: 'short',
        ...(timeZone ? { timeZone } : {}),
      }),
      time: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', ...(timeZone ? { timeZone } : {}) }),
    };
    formatters.set(mode, f);
  }
  return f;
}

/** Epoch microseconds as a date and time in the chosen zone, with the zone's name. */
export function formatTimestamp(us: number | undefined): string {
  if (us === undefined) return '—';
  return fmt().dateTime.format(new Date(us / 1000));
}

export function formatTime(us: number): string {
  return fmt().time.format(new Date(us / 1000));
}

/** "3 min ago" style, for result lists. */
export function formatAgo(us: number | undefined, nowMs = Date.now()): string {
  if (us === undefined) return '';
  const s = Math.round((nowMs - us / 1000) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** Date-time in the chosen zone for <input type="datetime-local"> from epoch ms, and back. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  if (zoneMode() === 'utc') return d.toISOString().slice(0, 16);
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function fromLocalInput(v: string): number | undefined {
  const t = new Date(zoneMode() === 'utc' && v !== '' ? `${v}Z` : v).getTime();
  return Number.isFinite(t) ? t : undefined;
}
