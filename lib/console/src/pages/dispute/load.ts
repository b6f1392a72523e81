// Loading a dispute into the page's state.
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, asApiError } from '../../api';
import type { useApp } from '../../state';
import type { Dispute } from '../../types';

/** Loads the dispute into the page's state (the decision panel replaces it with the API's answer). */
export function useDispute(id: string, api: ReturnType<typeof useApp>['api'], set: (d: Dispute) => void) {
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<{ loading: boolean; error?: ApiError }>({ loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setState({ loading: true });
    api.get<Dispute>(`/v1/disputes/${encodeURIComponent(id)}`, { signal: controller.signal }).then(
      (d) => {
        set(d);
        setState({ loading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ loading: false, error: asApiError(error) });
      },
    );
    return () => controller.abort();
  }, [id, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}
