import { describe, expect, it } from 'vitest';
import { escapeNul, unescapeNul } from './sql-text.js';

describe('escapeNul', () => {
  const samples = [
    '',
    'plain',
    'a\0b',
    '\0',
    '\\',
    '\\0',
    'a\\\0b\\\\0',
    "x'); DROP TABLE t; --",
    '\0\0\\\\\0',
  ];

  it('leaves no NUL and round-trips every sample', () => {
    for (const s of samples) {
      expect(escapeNul(s)).not.toContain('\0');
      expect(unescapeNul(escapeNul(s))).toBe(s);
    }
  });

  it('is injective: distinct values stay distinct (a NUL and the two characters \\0 differ)', () => {
    const escaped = samples.map(escapeNul);
    expect(new Set(escaped).size).toBe(samples.length);
    expect(escapeNul('\0')).not.toBe(escapeNul('\\0'));
  });

  it('returns text without NUL or backslash unchanged', () => {
    expect(escapeNul('svc-1 GET /x')).toBe('svc-1 GET /x');
  });
});
