import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';

/**
 * The annotationQuery box: terms joined by " and " (zipkin's separator), each `key=value` or a bare
 * word. Suggests tag keys from /autocompleteKeys and, after "key=", that key's values.
 */
export function TagQueryInput({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [keys, setKeys] = useState<string[]>([]);
  const [values, setValues] = useState<{ key: string; list: string[] }>({ key: '', list: [] });
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  // The list closes a moment after blur (so a click on it still lands); coming back cancels that.
  const closeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(closeTimer.current), []);

  useEffect(() => {
    const ctl = new AbortController();
    api.autocompleteKeys(ctl.signal).then(setKeys, () => setKeys([]));
    return () => ctl.abort();
  }, []);

  const { head, term } = splitLastTerm(value);
  const eq = term.indexOf('=');
  const termKey = eq >= 0 ? term.slice(0, eq) : '';

  useEffect(() => {
    if (eq < 0 || !keys.includes(termKey) || values.key === termKey) return;
    const ctl = new AbortController();
    api.autocompleteValues(termKey, ctl.signal).then(
      (list) => setValues({ key: termKey, list }),
      () => setValues({ key: termKey, list: [] }),
    );
    return () => ctl.abort();
  }, [eq, termKey, keys, values.key]);

  const suggestions = useMemo(() => {
    if (eq < 0) {
      const t = term.toLowerCase();
      return keys.filter((k) => k.toLowerCase().startsWith(t) && k !== term).slice(0, 12).map((k) => ({ label: k, insert: `${k}=` }));
    }
    if (values.key !== termKey) return [];
    const v = term.slice(eq + 1).toLowerCase();
    return values.list
      .filter((x) => x.toLowerCase().startsWith(v) && x !== term.slice(eq + 1))
      .slice(0, 12)
      .map((x) => ({ label: x, insert: `${termKey}=${x}` }));
  }, [eq, term, termKey, keys, values]);

  const show = open && suggestions.length > 0;
  const choose = (insert: string): void => {
    onChange(head + insert);
    setActive(0);
    inputRef.current?.focus();
  };

  return (
    <div className="autocomplete">
      <input
        ref={inputRef}
        id="annotationQuery"
        className="input"
        value={value}
        placeholder="e.g. http.method=GET and error"
        autoComplete="off"
        spellCheck={false}
        role="combobox"
        aria-expanded={show}
        aria-controls="tag-suggestions"
        aria-autocomplete="list"
        data-testid="tag-query"
        onFocus={() => {
          clearTimeout(closeTimer.current);
          setOpen(true);
        }}
        onBlur={() => {
          closeTimer.current = setTimeout(() => setOpen(false), 120);
        }}
        onChange={(e) => {
          onChange(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (!show) return;
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => (a + 1) % suggestions.length);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => (a - 1 + suggestions.length) % suggestions.length);
          } else if (
            suggestions[active] &&
            (e.key === 'Enter' || (e.key === 'ArrowRight' && e.currentTarget.selectionStart === value.length))
          ) {
            // WAI-ARIA combobox: Enter (or → at the end of the text) takes the suggestion; Tab is left alone
            // so keyboard users can always move on to the next field.
            e.preventDefault();
            choose(suggestions[active]!.insert);
          } else if (e.key === 'Escape' || e.key === 'Tab') {
            setOpen(false);
          }
        }}
      />
      {show ? (
        <ul className="suggestions" id="tag-suggestions" role="listbox" data-testid="tag-suggestions">
          {suggestions.map((s, i) => (
            <li
              key={s.insert}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(s.insert);
              }}
            >
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function splitLastTerm(value: string): { head: string; term: string } {
  const idx = value.toLowerCase().lastIndexOf(' and ');
  if (idx < 0) return { head: '', term: value.trimStart() };
  return { head: value.slice(0, idx + 5), term: value.slice(idx + 5).trimStart() };
}
