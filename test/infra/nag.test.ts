// cdk-nag (AWS Solutions and Serverless packs) on the synthesized app: no finding is left unacknowledged, in the
// default configuration and with a customer-managed key or an external identity provider; every acknowledgment
// sits on the resource it is about, says why, and still covers a real finding.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { applyNagPacks } from '../../infra/aws/nag';
import { nagFindings, synth } from './support/synth';

const CONFIGURATIONS: Record<string, Record<string, unknown>> = {
  default: {},
  'createKmsKey=true': { createKmsKey: true },
  'kmsKeyArn and an external issuer': { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', jwtIssuer: 'https://idp.example.com/', jwtAudience: 'a' },
};

/** Every acknowledgment in the tree: where, which finding, why. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
  );
}

afterEach(() => vi.restoreAllMocks());

describe('cdk-nag', () => {
  it.each(Object.keys(CONFIGURATIONS))('%s: no unacknowledged AwsSolutions or Serverless finding, error or warning', (name) => {
    const { app } = synth(CONFIGURATIONS[name]);
    const findings = nagFindings(app).filter((f) => /^(AwsSolutions|Serverless)-/.test(f.rule));
    expect(findings.map((f) => `${f.severity} ${f.rule} at ${f.path}`)).toEqual([]);
  });

  it('every acknowledgment sits on a resource (not the app or stack), gives a reason and covers a finding that is really there', () => {
    const { app, stack } = synth({ createKmsKey: true });
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    // The same stack without acknowledgments: what each one hides.
    const acknowledge = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    const raw = nagFindings(synth({ createKmsKey: true }, { nag: false }).app);
    acknowledge.mockRestore();
    for (const ack of acks) {
      expect(ack.path, ack.id).not.toBe(app.node.path);
      expect(ack.path, ack.id).not.toBe(stack.node.path);
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(40);
      const covered = raw.some((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
      expect(covered, `stale acknowledgment ${ack.id} at ${ack.path}`).toBe(true);
    }
    console.info(['cdk-nag acknowledgments (createKmsKey=true):', ...acks.map((a) => `  ${a.id} @ ${a.path.replace(/^TestStack\//, '')}: ${a.reason}`)].join('\n'));
  });

  it('the packs are live: an unencrypted queue without TLS enforcement is reported and fails the synth', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Careless');
    new Queue(stack, 'Careless');
    applyNagPacks(app);
    expect(nagFindings(app).map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-SQS4/);
  });
});
