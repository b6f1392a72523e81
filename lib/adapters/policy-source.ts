// Where the running policy comes from: an SSM parameter in AWS (read once per cold start), a file locally,
// the built-in defaults otherwise. Whatever the source, it is validated by the same schema.
import { readFile } from 'node:fs/promises';
import { setting } from '../config';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../domain/policy/policy';

let cached: Promise<Policy> | undefined;

export function loadPolicy(): Promise<Policy> {
  cached ??= (async () => {
    const file = setting('POLICY_FILE');
    if (file) return parsePolicy(JSON.parse(await readFile(file, 'utf8')));
    const parameter = setting('POLICY_PARAMETER');
    if (parameter) {
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const out = await new SSMClient({}).send(new GetParameterCommand({ Name: parameter }));
      return parsePolicy(JSON.parse(out.Parameter?.Value ?? '{}'));
    }
    return DEFAULT_POLICY;
  })();
  return cached;
}
