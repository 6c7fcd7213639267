import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useState,
} from 'react';

/** Shows a dialog; it gets the function that closes it. */
type OpenDialog = (render: (close: () => void) => ReactNode) => void;

const DialogHostContext = createContext<OpenDialog | undefined>(undefined);

/**
 * Where dialogs opened from the rows of a live list are shown. A list reloads under an
 * open dialog (signals, polling, someone else's decision), and the row that opened it may
 * go or lose the action; hosted here, the dialog stays, with the request as it was when
 * opened, and shows the backend's answer (for example a 409) instead of vanishing.
 */
export function DialogHost(props: { children: ReactNode }) {
  const [dialog, setDialog] = useState<ReactNode>(null);
  const open = useCallback<OpenDialog>(
    render => setDialog(render(() => setDialog(null))),
    [],
  );
  return (
    <DialogHostContext.Provider value={open}>
      {props.children}
      {dialog}
    </DialogHostContext.Provider>
  );
}

/**
 * Opens a dialog in the nearest {@link DialogHost}; without one, next to the caller
 * (render `element` there).
 */
export function useDialog(): { open: OpenDialog; element: ReactNode } {
  const host = useContext(DialogHostContext);
  const [local, setLocal] = useState<ReactNode>(null);
  const openLocal = useCallback<OpenDialog>(
    render => setLocal(render(() => setLocal(null))),
    [],
  );
  return host
    ? { open: host, element: null }
    : { open: openLocal, element: local };
}
