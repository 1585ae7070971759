import { useEffect, useState } from 'react';

/** The time, renewed every `intervalMs`: for "5 min ago" that moves on by itself. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
