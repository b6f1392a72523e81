// What every page reads: the configuration, who is signed in, the API client, the optional API features, and a
// hook that loads a resource with abort on unmount, retries through outages, and reloads on demand.
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError } from './api';
import type { ConsoleConfig } from './config';
import type { LocalUser, Session } from './session';

export { hasRole } from './session';

/** API features detected from the OpenAPI document, so the console can ship before the API has them. */
export interface Features {
  /** POST/DELETE /v1/disputes/{disputeId}/lease: a reviewer holds a dispute while working it. */
  lease: boolean;
  /** {"action":"GOODWILL","reason":…} as its own decision. */
  goodwill: boolean;
}

export interface AppState {
  config: ConsoleConfig;
  session: Session | null;
  api: Api;
  features: Features;
  localUsers: LocalUser[];
  signIn: (session: Session, returnTo?: string) => void;
  signOut: (message?: string) => void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside the app');
  return app;
}

/** Reads the OpenAPI document (public) and looks for the lease route and the GOODWILL decision. */
export async function detectFeatures(api: Api): Promise<Features> {
  try {
    const doc = await api.get<{ paths?: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, unknown> } }>('/v1/openapi.json', {
      anonymous: true,
      signal: AbortSignal.timeout(15_000),
    });
    const lease = doc.paths?.['/v1/disputes/{disputeId}/lease'];
    return {
      lease: Boolean(lease?.post),
      goodwill: JSON.stringify(doc.components?.schemas?.DecisionRequest ?? {}).includes('"GOODWILL"'),
    };
  } catch {
    return { lease: false, goodwill: false };
  }
}

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload: () => void;
}

/** Loads with `load(signal)` whenever `key` changes; `key === null` loads nothing. */
export function useResource<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError; loading: boolean }>({ key, loading: key !== null });
  const [generation, setGeneration] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: undefined, loading: true }));
    loader.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ key, data, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, 'client', 'Something went wrong', error instanceof Error ? error.message : String(error));
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: apiError, loading: false }));
      },
    );
    return () => controller.abort();
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: !current || state.loading, reload };
}
