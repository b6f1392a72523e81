// A fresh, prefixed local stack for one test file, on the emulators the global setup started.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { sendCdrs } from '../../lib/use-cases/ingest/import-file';
import { startHttpApi } from '../../infra/local/http-api';
import { provisionLocalStack } from '../../infra/local/stack';

export async function testStack(options: { visibilityTimeoutSeconds?: number } = {}) {
  const stack = await provisionLocalStack(inject('endpoints'), `t${randomBytes(4).toString('hex')}-`, options);
  return {
    ...stack,
    sendCdrs,
    /** The test client sends bursts the deployed stage would throttle; only the throttling test asks for the real limits. */
    async startApi(throttle = { rateLimit: 10_000, burstLimit: 10_000 }) {
      const server = await startHttpApi(stack.handlers.api, 0, { throttle });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const call = async (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
        const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
        if (options.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
        const res = await fetch(`${base}${path}`, { method, headers, body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body) });
        const text = await res.text();
        return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
      };
      return { base, call, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    },
  };
}
