/**
 * PostgreSQL `text` cannot hold U+0000 (it fails the whole statement with 22021), yet span names, tags and
 * annotations are attacker-controlled and may contain it. Text that is stored as a column (terms, name
 * lists) goes through this reversible escape: `\` becomes `\\` and NUL becomes `\0`. It is injective, so
 * equal lookups still match exactly, and it is not SQL escaping: every value is still a bound parameter.
 * Span JSON needs none of it: JSON writes NUL as the six characters `\u0000`.
 */
export function escapeNul(value: string): string {
  if (!value.includes('\0') && !value.includes('\\')) return value;
  return value.replace(/[\\\0]/g, (c) => (c === '\\' ? '\\\\' : '\\0'));
}

/** The inverse of escapeNul. */
export function unescapeNul(stored: string): string {
  if (!stored.includes('\\')) return stored;
  return stored.replace(/\\([\\0])/g, (_, c: string) => (c === '\\' ? '\\' : '\0'));
}
