// Tracing and metrics are on in Lambda and off elsewhere unless their variables say otherwise; off, the tracing
// adapter hands clients back untouched and its middleware does nothing (there is no X-Ray locally).
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metricsDisabled, tracingEnabled } from '../../lib/config';
import { traced, tracingMiddleware } from '../../lib/adapters/tracing';

afterEach(() => vi.unstubAllEnvs());

describe('tracing and metrics settings', () => {
  it('are off outside Lambda and on in it, unless POWERTOOLS_TRACE_ENABLED / POWERTOOLS_METRICS_DISABLED say otherwise', () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
    expect([tracingEnabled(), metricsDisabled()]).toEqual([false, true]);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'ingest-cdrs');
    expect([tracingEnabled(), metricsDisabled()]).toEqual([true, false]);
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'FALSE');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'yes');
    expect([tracingEnabled(), metricsDisabled()]).toEqual([false, true]);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', '0');
    expect(metricsDisabled()).toBe(false);
  });

  it('refuse a value that is not yes or no, naming the variable', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'maybe');
    expect(() => metricsDisabled()).toThrow(/POWERTOOLS_METRICS_DISABLED/);
  });
});

describe('the tracing adapter, locally', () => {
  it('hands an SDK client back as it is', () => {
    const client = new SQSClient({ region: 'us-east-1' });
    expect(traced(client)).toBe(client);
    expect(client.middlewareStack.identify().some((m) => /xray/i.test(m))).toBe(false);
  });

  it('has a middleware that lets the invocation through untouched', async () => {
    const middleware = tracingMiddleware();
    const request = { event: {}, context: { functionName: 'api' } as Context, response: { statusCode: 200 }, error: undefined, internal: {} };
    await middleware.before?.(request);
    await middleware.after?.(request);
    expect(request).toMatchObject({ response: { statusCode: 200 }, internal: {} });
  });
});
