// The reviewer console in AWS and the people who use it: a private bucket read by CloudFront through origin access
// control, HTTPS only with security headers and access logs, the build deployed with a config.json made of the
// stack's own values; the Cognito hosted sign-in with a public PKCE app client, the reviewer and auditor groups and
// the pre-token trigger that turns them into API scopes; CORS for the console's origin; and the outputs.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_SCOPES, ROLES } from '../../infra/aws/identity';
import { CORS_ALLOW_HEADERS } from '../../infra/aws/http-api';
import { SIGN_IN_TRIGGER } from '../../infra/stack';
import { API_ROUTES } from '../../lib/api/routes';
import { PERSON_ROLES } from '../../lib/api/scopes';
import { type Cfn, STACK, type Synthesized, synth } from './support/synth';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const EXTERNAL = { jwtIssuer: 'https://idp.example.com/', jwtAudience: 'console,ticket-tool' };
let s: Synthesized;

beforeAll(() => {
  s = synth();
}, 120_000);

const only = (x: Synthesized, type: string): [string, Cfn] => {
  const found = x.ofType(type);
  expect(found, type).toHaveLength(1);
  return [found[0]![0], found[0]![1].Properties];
};
const distributionOf = (x: Synthesized) => only(x, 'AWS::CloudFront::Distribution');
const consoleBucketOf = (x: Synthesized): [string, Cfn] => {
  const [, distribution] = distributionOf(x);
  const id = distribution.DistributionConfig.Origins[0].DomainName['Fn::GetAtt'][0] as string;
  return [id, x.resources[id]!.Properties];
};
/** https://<the distribution's domain>, as CloudFormation writes it. */
const consoleOrigin = (x: Synthesized) => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionOf(x)[0], 'DomainName'] }]] });
const consoleUrl = (x: Synthesized, path = '') => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionOf(x)[0], 'DomainName'] }, `/${path}`]] });
const consoleClientOf = (x: Synthesized): [string, Cfn] => {
  const found = x.ofType('AWS::Cognito::UserPoolClient').find(([, c]) => String(c.Properties.ClientName).endsWith('-console'));
  if (!found) throw new Error('no console app client');
  return [found[0], found[1].Properties];
};

/** config.json as the deployment writes it: the staged file with its deploy-time markers put back as CloudFormation. */
function deployedConfig(x: Synthesized): Cfn {
  const [, deployment] = only(x, 'Custom::CDKBucketDeployment');
  const directory = x.app.synth().directory;
  const sources = (deployment.SourceObjectKeys as string[]).map((key, i) => ({ dir: join(directory, `asset.${key.replace(/\.zip$/, '')}`), markers: deployment.SourceMarkers?.[i] ?? {} }));
  const withConfig = sources.filter(({ dir }) => readdirSync(dir).includes('config.json'));
  expect(withConfig).toHaveLength(1);
  const { dir, markers } = withConfig[0]!;
  const restore = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const parts = value.split(/(<<marker:0xbaba:\d+>>)/).filter(Boolean).map((p) => markers[p] ?? p);
      return parts.length === 1 ? parts[0] : { join: parts };
    }
    if (Array.isArray(value)) return value.map(restore);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v)]));
    return value;
  };
  return restore(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
}

describe('hosting: S3 behind CloudFront', () => {
  it('the bucket is private: public access blocked, ACLs off, TLS enforced, readable only by this distribution (origin access control)', () => {
    const [bucketId, bucket] = consoleBucketOf(s);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    const statements = s.ofType('AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === bucketId).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const allows = statements.filter((st: Cfn) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toEqual(
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([{ Ref: distributionOf(s)[0] }])] }) } },
      }),
    );
    const [oacId, oac] = only(s, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.OriginAccessControlConfig).toEqual(expect.objectContaining({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }));
    const [, distribution] = distributionOf(s);
    expect(distribution.DistributionConfig.Origins).toEqual([
      expect.objectContaining({ OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } }),
    ]);
    expect(s.ofType('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toHaveLength(0);
  });

  it('the distribution is HTTPS only, serves index.html at the root, and logs to a private, TLS-only log bucket', () => {
    const [, distribution] = distributionOf(s);
    const config = distribution.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.CacheBehaviors ?? []).toEqual([]);
    const logBucketId = config.Logging.Bucket['Fn::GetAtt'][0];
    const logBucket = s.resources[logBucketId]!;
    expect(logBucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(logBucket.Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })]);
    expect(logBucket.DeletionPolicy).toBe('Retain');
    const [, bucket] = consoleBucketOf(s);
    expect(bucket.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logBucketId });
    const logPolicies = s.ofType('AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === logBucketId).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(logPolicies).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // Server access logs arrive under a bucket policy limited to the console bucket, not the deprecated log-delivery ACL.
    expect(logBucket.Properties.AccessControl).toBeUndefined();
    expect(logPolicies).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [consoleBucketOf(s)[0], 'Arn'] } } }) }),
    );
  });

  it('every response carries a CSP that lets the console reach only itself, the API and the sign-in domain, plus HSTS, nosniff, DENY framing, no referrer', () => {
    const [policyId, policy] = only(s, 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(distributionOf(s)[1].DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    const headers = policy.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
    expect(csp).toMatch(/connect-src 'self' https:\/\/\*\.execute-api\.".*"AWS::Region".*"AWS::URLSuffix".*" https:\/\/test-stack-".*"AWS::AccountId".*"\.auth\.".*"AWS::Region".*"\.amazoncognito\.com;/);
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.StrictTransportSecurity).toEqual(expect.objectContaining({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true }));
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ Override: true, ReferrerPolicy: 'no-referrer' });
  });

  it('the bucket uses SSE-S3 by default and the pipeline key when there is one, which CloudFront may then decrypt with', () => {
    expect(consoleBucketOf(s)[1].BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    const keyed = synth({ createKmsKey: true });
    const [keyId, key] = only(keyed, 'AWS::KMS::Key');
    expect(consoleBucketOf(keyed)[1].BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } },
    ]);
    expect(key.KeyPolicy.Statement).toContainEqual(expect.objectContaining({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 'kms:Decrypt' }));
    const imported = synth({ kmsKeyArn: KEY_ARN });
    expect(consoleBucketOf(imported)[1].BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN });
  });
});

describe('deployment: the build and a generated config.json', () => {
  it('uploads the build and config.json into the console bucket, refreshing index.html and config.json in CloudFront, keeping older assets, and empties the bucket when removed', () => {
    const [, deployment] = only(s, 'Custom::CDKBucketDeployment');
    expect(deployment.DestinationBucketName).toEqual({ Ref: consoleBucketOf(s)[0] });
    expect(deployment.SourceObjectKeys).toHaveLength(2);
    expect(deployment.DistributionId).toEqual({ Ref: distributionOf(s)[0] });
    expect(deployment.DistributionPaths).toEqual(expect.arrayContaining(['/index.html', '/config.json']));
    expect(deployment.RetainOnDelete).toBe(false);
    expect(deployment.Prune).toBe(false); // a browser holding the previous index.html still finds its assets
    const directory = s.app.synth().directory;
    const build = (deployment.SourceObjectKeys as string[]).map((key) => join(directory, `asset.${key.replace(/\.zip$/, '')}`)).find((dir) => readdirSync(dir).includes('index.html'));
    expect(build).toBeDefined();
  });

  it('config.json names the API, the hosted sign-in (authorization code with PKCE), the console client, its scopes and the sign-out: deploy-time values, no rebuild', () => {
    const config = deployedConfig(s);
    const [clientId] = consoleClientOf(s);
    const [domainId] = only(s, 'AWS::Cognito::UserPoolDomain');
    const [apiId] = only(s, 'AWS::ApiGatewayV2::Api');
    expect(JSON.stringify(config.apiBaseUrl)).toContain(`{"Ref":"${apiId}"}`);
    expect(config.environment).toBe(STACK);
    expect(config.auth.mode).toBe('oidc');
    expect(config.auth.clientId).toEqual({ Ref: clientId });
    expect(config.auth.scopes).toEqual(CONSOLE_SCOPES);
    expect(config.auth.scopes).toEqual(['openid', 'email', 'profile', 'disputes/reviewer', 'disputes/auditor']);
    for (const [field, path] of [['authorizeUrl', '/oauth2/authorize'], ['tokenUrl', '/oauth2/token']] as const) {
      expect(config.auth[field].join[0]).toBe('https://');
      expect(config.auth[field].join[1]).toEqual({ Ref: domainId });
      expect(config.auth[field].join.at(-1)).toMatch(new RegExp(`\\.amazoncognito\\.com${path}$`));
    }
    const logout = JSON.stringify(config.auth.logoutUrl);
    expect(logout).toContain('/logout?client_id=');
    expect(logout).toContain(`{"Ref":"${clientId}"}`);
    expect(logout).toContain(`"&logout_uri=https://"`);
    expect(logout).toContain(`{"Fn::GetAtt":["${distributionOf(s)[0]}","DomainName"]}`);
    expect(JSON.stringify(config)).not.toMatch(/secret/i);
  });

  it('fails the synth with what to do when the console is not built', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-console-'));
    expect(() => synth({ consoleAssetPath: empty })).toThrow(/console is not built: .*index\.html is missing\. Run `npm run build:console`/);
  });
});

describe('people sign in as themselves (Cognito)', () => {
  it('the hosted sign-in lives on a domain whose prefix comes from the stack name and account, or from context', () => {
    const [, domain] = only(s, 'AWS::Cognito::UserPoolDomain');
    expect(domain.Domain).toEqual({ 'Fn::Join': ['', ['test-stack-', { Ref: 'AWS::AccountId' }]] });
    expect(only(synth({ cognitoDomainPrefix: 'acme-disputes' }), 'AWS::Cognito::UserPoolDomain')[1].Domain).toBe('acme-disputes');
    expect(only(synth({ authDomainPrefix: 'older-name' }), 'AWS::Cognito::UserPoolDomain')[1].Domain).toBe('older-name');
    expect(() => synth({ cognitoDomainPrefix: 'My_Pool' })).toThrow(/cognitoDomainPrefix/);
    expect(() => synth({ cognitoDomainPrefix: 'aws-disputes' })).toThrow(/cognitoDomainPrefix/);
  });

  it('the console client is public (no secret) with the authorization code grant only, back to the CloudFront URL, asking for openid, email, profile and the person roles', () => {
    const [, client] = consoleClientOf(s);
    expect(client.GenerateSecret).toBeFalsy();
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(client.PreventUserExistenceErrors).toBe('ENABLED');
    expect(client.CallbackURLs).toEqual([consoleUrl(s), consoleUrl(s, 'index.html')]);
    expect(client.LogoutURLs).toEqual([consoleUrl(s)]);
    const scopes = JSON.stringify(client.AllowedOAuthScopes);
    for (const scope of ['"openid"', '"email"', '"profile"', '"/reviewer"', '"/auditor"']) expect(scopes).toContain(scope);
    expect(scopes).not.toContain('/ticketing');
  });

  it('extra callback URLs (consoleExtraUrls) are added to the client and their origins to CORS', () => {
    const x = synth({ consoleExtraUrls: 'http://localhost:5173/, https://console.example.com/disputes/' });
    const [, client] = consoleClientOf(x);
    expect(client.CallbackURLs).toEqual([consoleUrl(x), consoleUrl(x, 'index.html'), 'http://localhost:5173/', 'https://console.example.com/disputes/']);
    expect(client.LogoutURLs).toEqual([consoleUrl(x), 'http://localhost:5173/', 'https://console.example.com/disputes/']);
    expect(only(x, 'AWS::ApiGatewayV2::Api')[1].CorsConfiguration.AllowOrigins).toEqual([consoleOrigin(x), 'http://localhost:5173', 'https://console.example.com']);
    expect(() => synth({ consoleExtraUrls: 'http://console.example.com/' })).toThrow(/consoleExtraUrls/);
  });

  it('the groups reviewer and auditor exist, and the machine clients keep client credentials with one role each', () => {
    const groups = s.ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...PERSON_ROLES].sort());
    const machines = s.ofType('AWS::Cognito::UserPoolClient').filter(([id]) => id !== consoleClientOf(s)[0]);
    expect(machines).toHaveLength(ROLES.length); // one per role: ticketing, reviewer, auditor, billing
    for (const [, c] of machines) {
      expect(c.Properties.AllowedOAuthFlows).toEqual(['client_credentials']);
      expect(c.Properties.GenerateSecret).toBe(true);
      expect(c.Properties.AllowedOAuthScopes).toHaveLength(1);
    }
  });

  it('people need a strong password and an authenticator app; only an administrator adds them', () => {
    const [, pool] = only(s, 'AWS::Cognito::UserPool');
    expect(pool.MfaConfiguration).toBe('ON');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    expect(pool.UserPoolTier).toBe('ESSENTIALS');
    expect(JSON.stringify(pool.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage)).toContain(distributionOf(s)[0]);
  });

  it('the pre-token-generation trigger (V2_0) is wired to the pool: a Node 22 function that may only log and trace, with an error alarm', () => {
    const [poolId, pool] = only(s, 'AWS::Cognito::UserPool');
    const triggerId = pool.LambdaConfig.PreTokenGenerationConfig.LambdaArn['Fn::GetAtt'][0] as string;
    expect(pool.LambdaConfig.PreTokenGenerationConfig.LambdaVersion).toBe('V2_0');
    expect(triggerId).toMatch(new RegExp(`^${SIGN_IN_TRIGGER.id}`));
    const trigger = s.resources[triggerId]!.Properties;
    expect([trigger.Runtime, trigger.Architectures, trigger.Timeout, trigger.TracingConfig]).toEqual(['nodejs22.x', ['arm64'], 5, { Mode: 'Active' }]);
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
    });
    const roleId = trigger.Role['Fn::GetAtt'][0];
    expect(s.resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    const actions = s.ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Cfn) => r.Ref === roleId)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement.flatMap((st: Cfn) => [st.Action].flat()));
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const alarm = s.ofType('AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'Errors' && a.Properties.Dimensions?.[0]?.Value?.Ref === triggerId);
    expect(alarm).toBeDefined();
  });

  it('the API trusts the pool and accepts the console client beside the machine clients', () => {
    const [, authorizer] = only(s, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.JwtConfiguration.Audience).toEqual(s.ofType('AWS::Cognito::UserPoolClient').map(([id]) => ({ Ref: id })));
    expect(authorizer.JwtConfiguration.Audience).toContainEqual({ Ref: consoleClientOf(s)[0] });
  });
});

describe('the API allows the console origin (CORS)', () => {
  it('answers preflights for the CloudFront origin only, with the methods of the routes and the headers the console sends', () => {
    const [, api] = only(s, 'AWS::ApiGatewayV2::Api');
    const cors = api.CorsConfiguration;
    expect(cors.AllowOrigins).toEqual([consoleOrigin(s)]);
    expect(cors.AllowMethods.sort()).toEqual([...new Set(API_ROUTES.map((r) => r.method))].sort());
    expect(cors.AllowHeaders).toEqual(CORS_ALLOW_HEADERS);
    expect(CORS_ALLOW_HEADERS).toEqual(['authorization', 'content-type', 'idempotency-key']);
    expect(cors.ExposeHeaders).toEqual(['retry-after']);
    expect(cors.AllowCredentials).toBeUndefined();
  });
});

describe('outputs', () => {
  it('ConsoleUrl, UserPoolClientId (the console client) and SignInDomain', () => {
    s.template.hasOutput('ConsoleUrl', { Value: consoleUrl(s) });
    s.template.hasOutput('UserPoolClientId', { Value: { Ref: consoleClientOf(s)[0] } });
    const [domainId] = only(s, 'AWS::Cognito::UserPoolDomain');
    const signIn = JSON.stringify(s.template.toJSON().Outputs.SignInDomain.Value);
    expect(signIn).toContain(`{"Ref":"${domainId}"}`);
    expect(signIn).toContain('.amazoncognito.com');
  });
});

describe('with an external issuer', () => {
  it('creates no Cognito resources; the console is still served and asks for a bearer token', () => {
    const x = synth({ ...EXTERNAL });
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolDomain', 'AWS::Cognito::UserPoolGroup']) expect(x.ofType(type), type).toHaveLength(0);
    expect(x.stack.signInTrigger).toBeUndefined();
    expect(deployedConfig(x).auth).toEqual({ mode: 'token' });
    expect(only(x, 'AWS::ApiGatewayV2::Api')[1].CorsConfiguration.AllowOrigins).toEqual([consoleOrigin(x)]);
    x.template.hasOutput('ConsoleUrl', {});
    expect(x.template.toJSON().Outputs.UserPoolClientId).toBeUndefined();
  });

  it('or signs people in with the issuer\'s own public client, given by context; the CSP then allows its token endpoint', () => {
    const x = synth({
      ...EXTERNAL,
      consoleAuthorizeUrl: 'https://idp.example.com/oauth2/v1/authorize',
      consoleTokenUrl: 'https://login.example.com/oauth2/v1/token',
      consoleClientId: 'console',
      consoleScopes: 'openid disputes/reviewer',
    });
    expect(deployedConfig(x).auth).toEqual({
      mode: 'oidc',
      authorizeUrl: 'https://idp.example.com/oauth2/v1/authorize',
      tokenUrl: 'https://login.example.com/oauth2/v1/token',
      clientId: 'console',
      scopes: ['openid', 'disputes/reviewer'],
    });
    expect(JSON.stringify(only(x, 'AWS::CloudFront::ResponseHeadersPolicy')[1])).toContain('https://login.example.com;');
    expect(() => synth({ ...EXTERNAL, consoleClientId: 'console' })).toThrow(/given together/);
    expect(() => synth({ consoleAuthorizeUrl: 'https://a/', consoleTokenUrl: 'https://b/', consoleClientId: 'c' })).toThrow(/external issuer/);
  });
});
