// A side panel over the page (a full-width sheet on a phone): focus moves in and comes back when
// it closes, Tab stays inside; Escape, the Close button or a click beside it close it.
import { type ReactNode, useEffect, useRef } from 'react';
import { useI18n } from '../i18n';

export function Drawer({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const panel = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close.current();
      // Keep Tab inside the dialog while it is open.
      if (e.key !== 'Tab' || !panel.current) return;
      const focusable = panel.current.querySelectorAll<HTMLElement>(
        'button, a[href], input, select, textarea',
      );
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (!first || !last) return;
      if (e.shiftKey && (document.activeElement === first || document.activeElement === panel.current)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus();
    };
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; Escape and Close are the keyboard ways out
    <div
      className="drawer-backdrop"
      role="presentation"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="drawer" role="dialog" aria-modal="true" aria-label={title} tabIndex={-1} ref={panel}>
        <div className="drawer-head">
          <h2>{title}</h2>
          <button type="button" className="small" onClick={onClose}>
            {t('action.close')}
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
