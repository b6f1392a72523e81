// The stack's CDK context (`-c key=value` or cdk.json), read and checked in one place so a typo fails the synth
// with the key's name instead of deploying something else. docs/deploying-to-aws.md lists them for operators.
import type { Node } from 'constructs';

export interface Concurrency {
  /** The SQS event source's maximum concurrency: how many batches run at once (2–1000). */
  max: number;
  /** Reserved concurrency of the function, or undefined for none (it then shares the account's pool). */
  reserved?: number;
}

export interface ConsoleSettings {
  /** The built console (`consoleAssetPath`, default dist/console of the repository): must hold index.html. */
  assetPath?: string;
  /** Further sign-in callback and sign-out URLs besides the CloudFront URL (`consoleExtraUrls`, comma-separated), e.g. http://localhost:5173/; their origins are allowed by the API's CORS. */
  extraUrls: string[];
  /** The label the console shows in its header (`consoleEnvironment`, default the stack name). */
  environment?: string;
  /**
   * With an external issuer only: the console's OpenID Connect client there (`consoleAuthorizeUrl`,
   * `consoleTokenUrl`, `consoleClientId` together, `consoleScopes` space- or comma-separated, `consoleLogoutUrl`).
   * Without them the console asks for a bearer token.
   */
  oidc?: { authorizeUrl: string; tokenUrl: string; clientId: string; scopes: string[]; logoutUrl?: string };
}

export interface Settings {
  /** An external OIDC issuer and its audiences (`jwtIssuer`, `jwtAudience` comma-separated), else a Cognito pool. */
  jwt?: { issuer: string; audience: string[] };
  /**
   * The Cognito domain prefix of the hosted sign-in and the token endpoint (`cognitoDomainPrefix`, formerly
   * `authDomainPrefix`); by default derived from the stack name and the account (see cognitoDomainPrefix()).
   */
  cognitoDomainPrefix?: string;
  /** The reviewer console: where its build is, and what its config.json says beyond what the stack knows. */
  console: ConsoleSettings;
  /** An existing customer-managed KMS key for tables, queues, the alarm topic and log groups. */
  kmsKeyArn?: string;
  /** Create such a key (with yearly rotation) in the stack instead. */
  createKmsKey: boolean;
  auditRate: string;
  auditRetryAttempts: number;
  auditMaxEventAgeHours: number;
  ingest: Concurrency;
  investigate: Concurrency;
  audit: Concurrency;
  /** The CloudWatch namespace of the handlers' Powertools metrics (and the audit-failure metric filter). */
  metricsNamespace: string;
}

/**
 * Ingest concurrency, from DynamoDB's capacity. Every ingest batch writes each destination-hour it saw once (one ADD
 * per destination-hour per batch), so a hot destination (a number everyone calls) receives at most one write per
 * batch, two when the batch straddles an hour boundary: both hours' items share its partition key, hence its
 * partition, and a partition takes at most 1,000 WCU/s. A statistics item is about 300 bytes (keys, 8 counters,
 * 6 histogram bins), so each ADD is 1 WCU. A full batch (100 CDRs; under load the 5 s batching window fills it)
 * is 100 conditional puts, 32 at a time at ~5-10 ms each, then its ADDs: it cannot finish in under ~50 ms, so one
 * concurrent batch makes at most 20 batches/s. With N batches at once the hot partition sees at most
 * 2 × 20 × N WCU/s: N = 10 gives 400 WCU/s, 40% of the limit, leaving room for the audit's repairs and the SDK's
 * retries (N = 25 would reach the limit). Throughput at N = 10: 10 × 100 CDRs per ~0.25 s ≈ 4,000 CDRs/s.
 * A batch waiting for a slot stays in the queue; a throttled ADD would cost a statistics count, not just time.
 */
export const DEFAULT_INGEST_CONCURRENCY = 10;
/**
 * Investigations only read statistics: a window plus the 168-hour baseline is ~170 items of ~300 bytes, ~7 RCU per
 * destination, so even a hot destination stays far under a partition's 3,000 RCU/s; the limit keeps a burst of
 * disputes from crowding out ingest in the account's concurrency pool.
 */
export const DEFAULT_INVESTIGATE_CONCURRENCY = 5;
/**
 * One audit at a time is the design (it re-queues itself to continue); 2 is the smallest maximum concurrency an SQS
 * event source takes. The audit reads whole hours through the `CdrHours` index and rewrites drifted statistics, so
 * reserving 2 keeps a burst of `POST /v1/audits` from multiplying that load.
 */
export const DEFAULT_AUDIT_CONCURRENCY = 2;

export function readSettings(node: Node, stackName: string): Settings {
  // Context values are strings from `-c`, and JSON scalars from cdk.json or an App's context; '' means unset.
  const raw = (key: string): string | number | boolean | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    throw new Error(`context ${key}: expected a string, number or boolean, got ${JSON.stringify(value)}`);
  };
  const text = (key: string, fallback: string) => String(raw(key) ?? fallback);
  const optionalText = (key: string) => (raw(key) === undefined ? undefined : String(raw(key)));
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const value = Number(raw(key) ?? fallback);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`context ${key}: expected an integer from ${min} to ${max}, got ${String(raw(key))}`);
    return value;
  };
  const bool = (key: string): boolean => {
    const value = raw(key);
    if (value === undefined || value === false || value === 'false') return false;
    if (value === true || value === 'true') return true;
    throw new Error(`context ${key}: expected true or false, got ${String(value)}`);
  };
  const concurrency = (prefix: string, fallback: number, reservedByDefault: boolean): Concurrency => {
    const max = integer(`${prefix}MaxConcurrency`, fallback, 2, 1000);
    const reservedRaw = raw(`${prefix}ReservedConcurrency`);
    if (reservedRaw === 'none' || (reservedRaw === undefined && !reservedByDefault)) return { max };
    const reserved = integer(`${prefix}ReservedConcurrency`, max, 1, 10_000);
    // Fewer reserved than the event source may run would throttle its batches back into the queue (and towards the
    // DLQ): reserve at least as many.
    if (reserved < max) throw new Error(`context ${prefix}ReservedConcurrency (${reserved}) must be at least ${prefix}MaxConcurrency (${max}), or "none"`);
    return { max, reserved };
  };

  const jwtIssuer = optionalText('jwtIssuer');
  const jwtAudience = optionalText('jwtAudience');
  if (Boolean(jwtIssuer) !== Boolean(jwtAudience)) throw new Error('context jwtIssuer and jwtAudience must be given together');
  const kmsKeyArn = optionalText('kmsKeyArn');
  if (kmsKeyArn && !/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/.test(kmsKeyArn)) throw new Error(`context kmsKeyArn: not a KMS key ARN: ${kmsKeyArn}`);
  const createKmsKey = bool('createKmsKey');
  const cognitoDomainPrefix = optionalText('cognitoDomainPrefix') ?? optionalText('authDomainPrefix');
  if (cognitoDomainPrefix !== undefined) checkDomainPrefix(cognitoDomainPrefix);
  const url = (key: string, value: string) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new Error(`context ${key}: not a URL: ${value}`);
    }
    const local = parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !local) throw new Error(`context ${key}: ${value} must be https (or http://localhost)`);
    return value;
  };
  const list = (key: string) => (optionalText(key) ?? '').split(/[\s,]+/).filter(Boolean);
  const oidcKeys = ['consoleAuthorizeUrl', 'consoleTokenUrl', 'consoleClientId'];
  const oidcGiven = oidcKeys.filter((k) => optionalText(k) !== undefined);
  if (oidcGiven.length > 0 && oidcGiven.length < oidcKeys.length) throw new Error(`context ${oidcKeys.join(', ')} must be given together`);
  if (oidcGiven.length > 0 && !jwtIssuer) throw new Error('context consoleAuthorizeUrl, consoleTokenUrl and consoleClientId are for an external issuer (jwtIssuer); with the stack\'s Cognito pool the console is configured by the stack');
  const logoutUrl = optionalText('consoleLogoutUrl');
  const consoleSettings: ConsoleSettings = {
    assetPath: optionalText('consoleAssetPath'),
    extraUrls: list('consoleExtraUrls').map((u) => url('consoleExtraUrls', u)),
    environment: optionalText('consoleEnvironment'),
    oidc:
      oidcGiven.length > 0
        ? {
            authorizeUrl: url('consoleAuthorizeUrl', optionalText('consoleAuthorizeUrl')!),
            tokenUrl: url('consoleTokenUrl', optionalText('consoleTokenUrl')!),
            clientId: optionalText('consoleClientId')!,
            scopes: list('consoleScopes').length > 0 ? list('consoleScopes') : ['openid'],
            ...(logoutUrl ? { logoutUrl: url('consoleLogoutUrl', logoutUrl) } : {}),
          }
        : undefined,
  };
  if (kmsKeyArn && createKmsKey) throw new Error('context kmsKeyArn and createKmsKey=true exclude each other');

  return {
    jwt: jwtIssuer && jwtAudience ? { issuer: jwtIssuer, audience: jwtAudience.split(',').map((a) => a.trim()).filter(Boolean) } : undefined,
    cognitoDomainPrefix,
    console: consoleSettings,
    kmsKeyArn,
    createKmsKey,
    auditRate: text('auditRate', 'rate(1 day)'),
    auditRetryAttempts: integer('auditRetryAttempts', 3, 0, 185),
    auditMaxEventAgeHours: integer('auditMaxEventAgeHours', 1, 1, 24),
    ingest: concurrency('ingest', DEFAULT_INGEST_CONCURRENCY, true),
    investigate: concurrency('investigate', DEFAULT_INVESTIGATE_CONCURRENCY, false),
    audit: concurrency('audit', DEFAULT_AUDIT_CONCURRENCY, true),
    metricsNamespace: text('metricsNamespace', `DisputePipeline/${stackName}`),
  };
}

/** Cognito's rules for a domain prefix: lowercase letters, digits and inner hyphens, at most 63, no reserved words. */
export function checkDomainPrefix(prefix: string): void {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix) || /aws|amazon|cognito/.test(prefix)) {
    throw new Error(`context cognitoDomainPrefix: ${prefix} is not a Cognito domain prefix (lowercase letters, digits and hyphens, at most 63, without "aws", "amazon" or "cognito")`);
  }
}

/**
 * The default domain prefix: the stack name in lowercase letters, digits and hyphens, then the account, so two
 * stacks in one account (and the same stack name in two accounts) get different sign-in domains.
 */
export function defaultDomainPrefix(stackName: string, account: string): string {
  const name = stackName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/aws|amazon|cognito/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return `${name || 'disputes'}-${account}`;
}
