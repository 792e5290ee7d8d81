import { onLinkClick } from '../router';

/** A readable, full-width message for failures and empty pages. */
export function ErrorState({
  title,
  detail,
  action,
  tone = 'error',
}: {
  title: string;
  detail?: string;
  action?: { label: string; href?: string; onClick?: () => void };
  tone?: 'error' | 'empty';
}) {
  return (
    <div className={`state-panel ${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={`state-${tone}`}>
      <div className="state-icon" aria-hidden="true">
        {tone === 'error' ? '!' : '∅'}
      </div>
      <h2>{title}</h2>
      {detail ? <p>{detail}</p> : null}
      {action ? (
        action.href ? (
          <a className="button primary" href={action.href} onClick={(e) => onLinkClick(e, action.href!)}>
            {action.label}
          </a>
        ) : (
          <button type="button" className="button primary" onClick={action.onClick}>
            {action.label}
          </button>
        )
      ) : null}
    </div>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="spinner-row" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
