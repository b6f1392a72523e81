// The API client: bearer token, RFC 9457 problem details as errors, and what the console does when things fail.
// 401 ends the session (back to sign-in); a network error, a 5xx or a 429 is an outage: reads retry with backoff
// until they succeed, writes retry only when they carry an Idempotency-Key (so a retried decision is applied once).

export interface FieldError {
  field: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem type, e.g. "/problems/validation-failed"; "network" when nothing answered. */
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    /** The problem's other members (a `lease-held` problem may name the holder). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail || title);
  }

  /** "validation-failed", "status-conflict", "lease-held", … */
  get slug(): string {
    return this.type.replace(/^.*\/problems\//, '');
  }
}

export interface Outage {
  message: string;
  attempt: number;
  retryAt: number;
}

export interface ApiEvents {
  unauthenticated: (error: ApiError) => void;
  outage: (outage: Outage | null) => void;
}

interface RequestOptions {
  signal?: AbortSignal;
  body?: unknown;
  idempotencyKey?: string;
  /** Send without the token (the OpenAPI document is public). */
  anonymous?: boolean;
  /** Let the request outlive the page (releasing a lease when the tab closes). */
  keepalive?: boolean;
}

const MAX_DELAY_MS = 30_000;
/** Writes with an Idempotency-Key: this many tries before the error is shown. */
const WRITE_ATTEMPTS = 4;

async function problemOf(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // Not JSON: the status says enough.
  }
  const errors = Array.isArray(body.errors) ? (body.errors as FieldError[]).filter((e) => typeof e?.field === 'string') : [];
  const title = typeof body.title === 'string' ? body.title : typeof body.message === 'string' ? body.message : res.statusText || `HTTP ${res.status}`;
  return new ApiError(res.status, typeof body.type === 'string' ? body.type : `/problems/http-${res.status}`, title, typeof body.detail === 'string' ? body.detail : '', errors, body);
}

export class Api {
  private wake = new Set<() => void>();

  constructor(
    private readonly base: string,
    private readonly token: () => string | null,
    private readonly events: ApiEvents,
  ) {}

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options).then((r) => r.body);
  }

  post<T>(path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
    return this.request<T>('POST', path, options);
  }

  async delete(path: string, options: RequestOptions = {}): Promise<void> {
    await this.request('DELETE', path, options);
  }

  /** "Retry now" in the outage banner: every waiting request tries again at once. */
  retryNow(): void {
    for (const wake of [...this.wake]) wake();
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        signal?.removeEventListener('abort', aborted);
        resolve();
      };
      const aborted = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        reject(new DOMException('The request was aborted', 'AbortError'));
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  private async request<T>(method: string, path: string, options: RequestOptions): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    const token = this.token();
    if (token && !options.anonymous) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const maxAttempts = method === 'GET' ? Infinity : options.idempotencyKey || method === 'DELETE' ? WRITE_ATTEMPTS : 1;

    for (let attempt = 1; ; attempt++) {
      let failure: string;
      let retryAfterMs: number | undefined;
      let lastError: ApiError;
      try {
        const res = await fetch(`${this.base}${path}`, {
          method,
          headers,
          signal: options.signal,
          ...(options.keepalive ? { keepalive: true } : {}),
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        });
        if (res.ok) {
          this.events.outage(null);
          const text = res.status === 204 ? '' : await res.text();
          return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
        }
        const problem = await problemOf(res);
        if (res.status === 401) {
          this.events.unauthenticated(problem);
          throw problem;
        }
        if (res.status < 500 && res.status !== 429 && res.status !== 408) {
          this.events.outage(null);
          throw problem;
        }
        lastError = problem;
        failure = `The API answered ${res.status} (${problem.title})${problem.detail ? `: ${problem.detail}` : ''}.`;
        const retryAfter = Number(res.headers.get('retry-after'));
        if (retryAfter > 0) retryAfterMs = Math.min(retryAfter * 1000, MAX_DELAY_MS);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        if (options.signal?.aborted) throw error;
        failure = 'The API cannot be reached (network error).';
        lastError = new ApiError(0, 'network', 'The API cannot be reached', 'check the connection; the request was not completed');
      }
      if (attempt >= maxAttempts) {
        this.events.outage(null);
        throw lastError;
      }
      const delay = retryAfterMs ?? Math.min(MAX_DELAY_MS, 1000 * 2 ** (attempt - 1)) * (0.85 + Math.random() * 0.3);
      this.events.outage({ message: failure, attempt, retryAt: Date.now() + delay });
      await this.sleep(delay, options.signal);
    }
  }
}

/** A fresh Idempotency-Key for one user action (kept across that action's retries). */
export const newIdempotencyKey = () => crypto.randomUUID();

/** The problem's errors for one form field: "body.creditAmount.amountMinor" belongs to the field named "creditAmount". */
export function errorsFor(error: ApiError | null | undefined, ...fields: string[]): string[] {
  if (!error) return [];
  return error.errors
    .filter((e) => {
      const path = e.field.replace(/^(body|query|path|header)\./, '');
      return fields.some((f) => path === f || path.startsWith(`${f}.`));
    })
    .map((e) => e.reason);
}

/** Problem errors no field of the form claims: shown at the top of the form. */
export function unclaimedErrors(error: ApiError | null | undefined, fields: string[]): FieldError[] {
  if (!error) return [];
  return error.errors.filter((e) => errorsFor(new ApiError(0, '', '', '', [e]), ...fields).length === 0);
}

/** Any failure as an ApiError, for pages that show one. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'client', 'Something went wrong', error instanceof Error ? error.message : String(error));
}
