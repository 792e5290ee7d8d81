/**
 * Stable per-service colours: the same service has the same colour on every page and every reload.
 * The palette is chosen to stay readable on both light and dark backgrounds.
 */
const PALETTE = [
  '#4f6bed', '#22a39f', '#e5a50a', '#c2410c', '#8b5cf6', '#0ea5e9', '#16a34a', '#db2777',
  '#a16207', '#0891b2', '#7c3aed', '#65a30d', '#e11d48', '#2563eb', '#d97706', '#059669',
  '#9333ea', '#0284c7', '#ca8a04', '#be185d',
];

const cache = new Map<string, string>();

export function serviceColor(name: string): string {
  let c = cache.get(name);
  if (c === undefined) {
    // FNV-1a: cheap and spreads similar names (svc-1, svc-2) across the palette.
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
      h ^= name.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    c = PALETTE[(h >>> 0) % PALETTE.length]!;
    cache.set(name, c);
  }
  return c;
}
