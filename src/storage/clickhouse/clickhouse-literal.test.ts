import { describe, expect, it } from 'vitest';
import { chIdentifier, chInt, chString, chStringList } from './clickhouse-literal.js';

describe('chString', () => {
  it('escapes the backslash and the quote, so a literal cannot be closed early', () => {
    expect(chString("x'); DROP TABLE spans; --")).toBe("'x\\'); DROP TABLE spans; --'");
    expect(chString('\\')).toBe("'\\\\'");
    expect(chString("\\'")).toBe("'\\\\\\''");
  });

  it('escapes NUL and control characters, and keeps any other text as it is', () => {
    expect(chString('a\0b\nc\rd\te')).toBe("'a\\0b\\nc\\rd\\te'");
    expect(chString('svc-1 GET /x ü 😀')).toBe("'svc-1 GET /x ü 😀'");
    expect(chString('')).toBe("''");
  });

  it('leaves no unescaped quote whatever the input (every quote is preceded by an odd run of backslashes)', () => {
    const nasty = ["'", "\\'", "\\\\'", "''", 'a\\', '\\\\\\', "'\\'\\"];
    for (const s of nasty) {
      const body = chString(s).slice(1, -1);
      for (let i = 0; i < body.length; i++) {
        if (body[i] !== "'") continue;
        let slashes = 0;
        for (let j = i - 1; j >= 0 && body[j] === '\\'; j--) slashes++;
        expect(slashes % 2).toBe(1);
      }
      expect(body.endsWith('\\') ? body.match(/\\+$/)![0].length % 2 : 0).toBe(0);
    }
  });
});

describe('chStringList, chInt, chIdentifier', () => {
  it('writes IN lists and refuses an empty one', () => {
    expect(chStringList(['a', "b'"])).toBe("('a', 'b\\'')");
    expect(() => chStringList([])).toThrow(/empty/);
  });

  it('accepts only safe integers', () => {
    expect(chInt(-5)).toBe('-5');
    expect(() => chInt(1.5)).toThrow();
    expect(() => chInt(Number.NaN)).toThrow();
    expect(() => chInt('1; DROP' as unknown as number)).toThrow();
  });

  it('backquotes identifiers', () => {
    expect(chIdentifier('skein')).toBe('`skein`');
    expect(chIdentifier('a`b\\')).toBe('`a\\`b\\\\`');
  });
});
