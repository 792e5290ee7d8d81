/**
 * The one place where a value becomes ClickHouse SQL text. ClickHouse 18.16 has no query parameters
 * (`{name:Type}` came in 19.x), so span-derived strings (service names, tags, trace ids) are written as
 * quoted literals, and every such string goes through `chString`. Numbers go through `chInt`, which
 * refuses anything but a safe integer. Nothing else may splice a value into a statement.
 *
 * ClickHouse string literals (its SQL reference, "String literals"): single-quoted; a backslash starts an
 * escape (\\, \', \0, \n, \r, \t, \b, \f, \xHH); every other byte is taken as it is. So escaping the
 * backslash and the quote is what makes a literal safe; NUL and the control characters are escaped too,
 * so statement text stays printable in logs and system.query_log.
 */
export function chString(value: string): string {
  let out = "'";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    switch (c) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\0':
        out += '\\0';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += c;
    }
  }
  return out + "'";
}

/** A list of string literals for `IN (...)`; never empty (an empty IN is a syntax error on 18.16). */
export function chStringList(values: readonly string[]): string {
  if (values.length === 0) throw new Error('chStringList: an empty list has no IN form');
  return `(${values.map(chString).join(', ')})`;
}

/** An integer literal; anything but a safe integer (NaN, a fraction, a string) is a bug and throws. */
export function chInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`chInt: ${String(value)} is not a safe integer`);
  return String(value);
}

/**
 * An identifier from configuration (database, cluster, table names), never from span data: backquoted,
 * with backquote and backslash escaped.
 */
export function chIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}
