import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { ToastRegion } from './toast-region.js';

export type ToastTone = 'info' | 'success' | 'error' | 'achievement';

export interface ToastInput {
  tone?: ToastTone;
  title: string;
  message?: string;
  /** An emoji shown beside the title. */
  icon?: string;
}

export interface Toast extends Required<Pick<ToastInput, 'tone' | 'title'>> {
  id: number;
  message?: string;
  icon?: string;
}

interface ToastContextValue {
  notify: (toast: ToastInput) => number;
  dismiss: (id: number) => void;
}

// More than this and the oldest go: a burst should not cover the page.
const MAX_VISIBLE = 4;

const ToastContext = createContext<ToastContextValue | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const notify = useCallback((input: ToastInput) => {
    const id = nextId.current++;
    setToasts((list) => [...list, { ...input, tone: input.tone ?? 'info', id }].slice(-MAX_VISIBLE));
    return id;
  }, []);

  const value = useMemo(() => ({ notify, dismiss }), [notify, dismiss]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <ToastRegion toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

export function useToasts(): ToastContextValue {
  const value = useContext(ToastContext);
  if (!value) throw new Error('useToasts must be used inside <ToastProvider>');
  return value;
}
