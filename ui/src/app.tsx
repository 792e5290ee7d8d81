import { useEffect, useState } from 'react';
import type { UiConfig } from './api/ui-config';
import { ConfigContext } from './config-context';
import { navigate, onLinkClick, parseRoute, paths, traceHref, useLocationKey, type Route } from './router';
import { useTheme } from './theme';
import { setZoneMode, useZoneMode, zoneName } from './time-zone';
import { SearchPage } from './pages/search/search-page';
import { TracePage } from './pages/trace/trace-page';
import { DependenciesPage } from './pages/dependencies/dependencies-page';
import { TraceViewerPage } from './pages/trace-viewer/trace-viewer-page';
import { ServicesPage } from './pages/services/services-page';
import { ComparePage } from './pages/compare/compare-page';
import { ErrorState } from './components/error-state';

export function App({ config }: { config: UiConfig }) {
  const key = useLocationKey();
  // Every formatted time reads the zone; re-rendering from here redraws them all when it switches.
  const zone = useZoneMode();
  const route = parseRoute(window.location.pathname);
  useEffect(() => {
    const page = { search: 'Search', trace: 'Trace', dependency: 'Dependencies', traceViewer: 'Trace viewer', services: 'Services', compare: 'Compare', notFound: 'Not found' }[route.page];
    document.title = `${page} · Skein${config.environment ? ` (${config.environment})` : ''}`;
  }, [route.page, config.environment]);
  useEffect(() => {
    // "/" jumps to the trace id box, except where a page has its own find box (the trace view).
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      if (document.querySelector('[data-testid=find]')) return;
      e.preventDefault();
      document.querySelector<HTMLInputElement>('[data-testid=trace-jump]')?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <ConfigContext.Provider value={config}>
      <Header route={route} config={config} />
      <main className="main">
        <Page route={route} locationKey={key} config={config} zone={zone} />
      </main>
    </ConfigContext.Provider>
  );
}

function Page({ route, locationKey, config }: { route: Route; locationKey: string; config: UiConfig; zone: string }) {
  switch (route.page) {
    case 'search':
      return <SearchPage locationKey={locationKey} />;
    case 'trace':
      return <TracePage key={route.traceId} traceId={route.traceId} />;
    case 'dependency':
      return config.dependency.enabled ? (
        <DependenciesPage />
      ) : (
        <ErrorState title="Dependencies are disabled" detail="This server was started with the dependency graph turned off." />
      );
    case 'traceViewer':
      return <TraceViewerPage />;
    case 'services':
      return <ServicesPage locationKey={locationKey} />;
    case 'compare':
      return <ComparePage locationKey={locationKey} />;
    default:
      return (
        <ErrorState
          title="Page not found"
          detail="There is nothing at this address."
          action={{ label: 'Go to search', href: paths.search() }}
        />
      );
  }
}

function Header({ route, config }: { route: Route; config: UiConfig }) {
  const [theme, toggleTheme] = useTheme();
  const support = safeHttpUrl(config.supportUrl);
  const nav: Array<{ label: string; href: string; active: boolean; show: boolean }> = [
    { label: 'Search', href: paths.search(), active: route.page === 'search', show: true },
    { label: 'Services', href: paths.services(), active: route.page === 'services', show: config.searchEnabled },
    { label: 'Dependencies', href: paths.dependency(), active: route.page === 'dependency', show: config.dependency.enabled },
    { label: 'Trace viewer', href: paths.traceViewer(), active: route.page === 'traceViewer', show: true },
  ];
  return (
    <header className="app-header">
      <a className="brand" href={paths.search()} onClick={(e) => onLinkClick(e, paths.search())}>
        <Logo />
        <span>Skein</span>
      </a>
      {config.environment ? <span className="env-badge">{config.environment}</span> : null}
      <nav className="app-nav" aria-label="Main">
        {nav
          .filter((n) => n.show)
          .map((n) => (
            <a
              key={n.label}
              href={n.href}
              className={n.active ? 'active' : undefined}
              aria-current={n.active ? 'page' : undefined}
              onClick={(e) => onLinkClick(e, n.href)}
            >
              {n.label}
            </a>
          ))}
      </nav>
      <div className="header-right">
        <TraceIdJump />
        <ZoneSwitch />
        {support ? (
          <a className="header-link" href={support} target="_blank" rel="noreferrer noopener">
            Support
          </a>
        ) : null}
        <button
          type="button"
          className="icon-button"
          onClick={toggleTheme}
          title={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          data-testid="theme-toggle"
        >
          {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
        </button>
      </div>
    </header>
  );
}

/** UTC or the browser's zone for every time shown; the zone in use is always named. */
function ZoneSwitch() {
  const mode = useZoneMode();
  const next = mode === 'utc' ? 'local' : 'utc';
  return (
    <button
      type="button"
      className="zone-switch"
      onClick={() => setZoneMode(next)}
      title={`Times are shown in ${zoneName(mode)}. Click to show them in ${next === 'utc' ? 'UTC' : `local time (${zoneName('local')})`}.`}
      data-testid="zone-switch"
      data-zone={mode}
    >
      {mode === 'utc' ? 'UTC' : `Local · ${zoneName('local')}`}
    </button>
  );
}

/** Jumps straight to /zipkin/traces/{id}; ids are validated so the box never builds an odd URL. */
function TraceIdJump() {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState('');
  return (
    <form
      className="trace-jump"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const id = value.trim().toLowerCase();
        const why = traceIdProblem(id);
        if (why) {
          setProblem(why);
          return;
        }
        setProblem('');
        setValue('');
        navigate(traceHref(id));
      }}
    >
      <input
        aria-label="Go to trace id"
        placeholder="Trace ID…"
        value={value}
        aria-invalid={problem !== '' || undefined}
        aria-describedby={problem ? 'trace-jump-error' : undefined}
        title="Jump to a trace by id (Enter)"
        onChange={(e) => {
          setValue(e.target.value);
          setProblem('');
        }}
        onBlur={() => setProblem('')}
        data-testid="trace-jump"
      />
      {problem ? (
        <span className="trace-jump-error" id="trace-jump-error" role="alert" data-testid="trace-jump-error">
          {problem}
        </span>
      ) : null}
    </form>
  );
}

/** Why a typed trace id cannot be one (zipkin: 16 or 32 hex characters, shorter ids are zero-padded). */
function traceIdProblem(id: string): string {
  if (id === '') return 'Type a trace id: 16 or 32 hex characters.';
  const bad = /[^0-9a-f]/.exec(id);
  if (bad) return `"${bad[0]}" is not a hex digit: a trace id uses only 0-9 and a-f.`;
  if (id.length > 32) return `Too long: ${id.length} characters, a trace id has at most 32.`;
  return '';
}

function safeHttpUrl(u: string | undefined): string | undefined {
  if (!u) return undefined;
  try {
    const url = new URL(u, window.location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function Logo() {
  return (
    <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden="true">
      <rect x="1" y="3" width="9" height="2.5" rx="1.2" fill="#4f6bed" />
      <rect x="4" y="7" width="10" height="2.5" rx="1.2" fill="#22a39f" />
      <rect x="7" y="11" width="6" height="2.5" rx="1.2" fill="#e5a50a" />
    </svg>
  );
}

function MoonIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
      <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />
    </svg>
  );
}

function SunIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </svg>
  );
}
