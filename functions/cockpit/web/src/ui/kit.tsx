// The few building blocks every screen uses, so every screen looks and behaves alike.
import { useEffect, useId, useRef, type ReactNode } from 'react'
import { t } from '../i18n/i18n'

export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · cleanops`
  }, [title])
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {children}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </header>
  )
}

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string
  error?: string | undefined
  hint?: string
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode
}) {
  const id = useId()
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      {!error && hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  )
}

export function Notice({ kind = 'info', children, action }: { kind?: 'info' | 'error' | 'warning' | 'success'; children: ReactNode; action?: ReactNode }) {
  return (
    <div className={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div>{children}</div>
      {action}
    </div>
  )
}

/** Someone else changed what this screen shows (a 412): say so and offer to reload. */
export function Conflict({ onReload }: { onReload: () => void }) {
  return (
    <Notice
      kind="warning"
      action={
        <button type="button" className="button" onClick={onReload}>
          {t('conflict.reload')}
        </button>
      }
    >
      <strong>{t('conflict.title')}</strong> {t('conflict.body')}
    </Notice>
  )
}

export function Spinner({ label }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

/** A labelled progress bar (the plan's computation, the offline queue). */
export function Progress({ value, label }: { value: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100)
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        <span>{percent} %</span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress-bar" style={{ width: `${percent}%` }} />
      </div>
    </div>
  )
}

/** Planned minutes of a day against its cap: red over it. */
export function LoadBar({ minutes, max, label }: { minutes: number; max: number; label: string }) {
  const share = max > 0 ? minutes / max : 0
  const over = minutes > max
  return (
    <div className={`load${over ? ' over' : ''}`}>
      <div
        className="load-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Math.round(minutes)}
      >
        <div className="load-bar" style={{ width: `${Math.min(100, share * 100)}%` }} />
      </div>
    </div>
  )
}

/** A modal dialog on the platform's <dialog>: focus is kept inside and Escape closes it. */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useId()
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose} className="dialog">
      <header>
        <h2 id={id}>{title}</h2>
        <button type="button" className="icon-button" aria-label={t('common.close')} onClick={onClose}>
          ×
        </button>
      </header>
      {open && children}
    </dialog>
  )
}
