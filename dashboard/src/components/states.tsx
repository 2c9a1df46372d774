// Loading, empty and error states, the same everywhere.
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import type { Loaded } from '../load';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="state loading" role="status">
      {t('state.loading')}
    </p>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return <p className="state empty">{children ?? t('state.empty')}</p>;
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="state error" role="alert">
      <span>{error.message || t('state.error')}</span>
      {retry && (
        <button type="button" onClick={retry}>
          {t('action.retry')}
        </button>
      )}
    </div>
  );
}

/** Renders `children(data)` once loaded; loading, error (with retry) and empty in between. */
export function Show<T>({
  loaded,
  retry,
  empty,
  children,
}: {
  loaded: Loaded<T>;
  retry?: () => void;
  empty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} retry={retry} />;
  if (empty?.(loaded.data)) return <Empty />;
  return <>{children(loaded.data)}</>;
}

export function Section({
  title,
  actions,
  children,
  id,
  wide,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
  wide?: boolean;
}) {
  return (
    <section className={wide ? 'card wide' : 'card'} aria-labelledby={id ? `${id}-title` : undefined} id={id}>
      <div className="card-head">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
