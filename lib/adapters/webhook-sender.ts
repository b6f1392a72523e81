// Sending one signed webhook: HMAC-SHA256 over `<t>.<raw body>` with each active secret, then a POST with a
// deadline. Redirects are not followed (a receiver answers where it was registered), and what went wrong is said in
// words the owner can act on: the status, a timeout, a refused connection, an unknown host.
import { createHmac, randomBytes } from 'node:crypto';
import { SECRET_PREFIX, signatureHeader, signedPayload } from '../domain/webhooks/endpoint';

/** A new signing secret: 32 random bytes. */
export const newSecret = (): string => `${SECRET_PREFIX}${randomBytes(32).toString('hex')}`;

/** The `Dispute-Signature` header for this body at `timestamp` (unix seconds), one `v1=` per secret. */
export const signature = (secrets: string[], timestamp: number, body: string): string =>
  signatureHeader(
    timestamp,
    secrets.map((secret) => createHmac('sha256', secret).update(signedPayload(timestamp, body)).digest('hex')),
  );

export interface SendResult {
  ok: boolean;
  latencyMs: number;
  responseCode?: number;
  error?: string;
}

const EXCERPT = 200;

/** Why a request got no answer, in a few words. */
function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timeout: no answer within ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the receiver';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found (DNS)';
  if (code && /CERT|SSL|TLS/.test(code)) return `TLS: ${code}`;
  return (code ?? e.cause?.message ?? e.message ?? 'request failed').slice(0, EXCERPT);
}

/** POSTs the body with the given headers; a 2xx answer within the deadline is a delivery. */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'dispute-pipeline-webhooks/1', ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const ok = response.status >= 200 && response.status < 300;
    // The start of a refusal helps its owner; a success's body is not needed.
    const text = ok ? (await response.body?.cancel(), '') : (await response.text().catch(() => '')).slice(0, EXCERPT);
    return { ok, latencyMs: latency(), responseCode: response.status, ...(ok ? {} : { error: text.trim() === '' ? `HTTP ${response.status}` : `HTTP ${response.status}: ${text.trim()}` }) };
  } catch (error) {
    return { ok: false, latencyMs: latency(), error: describe(error, timeoutMs) };
  }
}
