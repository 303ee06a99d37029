// A form opened by a button takes the keyboard at once: its first text box (else its first field) gets the focus.
import { useEffect, useRef } from 'react';

export function useFocusFirst<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    (ref.current?.querySelector<HTMLElement>('input') ?? ref.current?.querySelector<HTMLElement>('select, textarea'))?.focus();
  }, []);
  return ref;
}
