// Hash routes (#/disputes/01J…?verdict=CREDIT): they work from any static host (S3 + CloudFront, the local server)
// without rewrite rules, and back/forward and bookmarks keep the page and its filters.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** "/disputes/01J…" split: ["disputes", "01J…"]. */
  parts: string[];
  query: URLSearchParams;
  /** The hash as written, for "come back here after signing in". */
  raw: string;
}

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search), raw };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** "#/numbers/%2B16145550123?granularity=hour" from parts and query values (empty values are left out). */
export function href(path: (string | number)[], query: Record<string, string | number | boolean | undefined | null> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '' && v !== false) search.set(k, String(v));
  const qs = search.toString();
  return `#/${path.map((p) => encodeURIComponent(String(p))).join('/')}${qs ? `?${qs}` : ''}`;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) {
    history.replaceState(null, '', to);
    dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = to.replace(/^#/, '');
  }
}
