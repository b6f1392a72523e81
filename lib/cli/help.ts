// Help for one command: its entries of the usage text, and the operator options when it reads them.
import { USAGE } from './usage';

/** The lines of USAGE about `command` (each entry with its indented continuation), or undefined when there are none. */
export function commandUsage(command: string): string | undefined {
  const lines = USAGE.split('\n');
  const picked: string[] = [];
  let inEntry = false;
  for (const line of lines) {
    if (/^ {2}disputes /.test(line)) inEntry = line.startsWith(`  disputes ${command} `) || line === `  disputes ${command}`;
    else if (!/^ {3,}/.test(line)) inEntry = false;
    if (inEntry) picked.push(line);
  }
  if (picked.length === 0) return undefined;
  const operator = lines.findIndex((l) => l.startsWith('OPERATOR OPTIONS'));
  const end = lines.findIndex((l, i) => i > operator && !/^ {2}/.test(l));
  const withOperator = operator >= 0 && picked.some((l) => l.includes('OPERATOR OPTIONS'));
  return ['usage:', ...picked, ...(withOperator ? ['', ...lines.slice(operator, end < 0 ? undefined : end)] : [])].join('\n');
}
